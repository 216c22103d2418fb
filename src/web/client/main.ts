// Placeholder entry: the chat page is being written in this folder.
document.getElementById("app")?.setAttribute("data-ready", "true");
