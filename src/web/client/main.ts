import { createChat } from "./chat.ts";
import { createDocumentsPanel } from "./documents.ts";
import { byId } from "./dom.ts";
import { createQuizPanel } from "./quiz.ts";
import { createSourceView } from "./source-view.ts";
import { createStatsPanel } from "./stats.ts";
import { createTargetsPanel } from "./targets.ts";

/**
 * The chat page of Sổ tay Nghị quyết. The markup is in index.html; this wires it: the
 * conversation, the source dialog, the "Chỉ tiêu", "Ôn tập" and "Tài liệu" panels and the tabs.
 */
function start(): void {
  const sources = createSourceView();
  const chat = createChat(sources);
  const documents = createDocumentsPanel();
  const targets = createTargetsPanel(sources);
  const quiz = createQuizPanel(sources);
  const stats = createStatsPanel();

  const tabs = [
    byId<HTMLButtonElement>("tab-chat"),
    byId<HTMLButtonElement>("tab-targets"),
    byId<HTMLButtonElement>("tab-study"),
    byId<HTMLButtonElement>("tab-docs"),
    byId<HTMLButtonElement>("tab-stats"),
  ];
  // Trainers open the page at #thong-ke; members never see the statistics tab.
  const statsTab = byId<HTMLButtonElement>("tab-stats");
  statsTab.hidden = location.hash !== "#thong-ke";
  const select = (tab: HTMLButtonElement, focus: boolean) => {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute("aria-selected", String(selected));
      t.tabIndex = selected ? 0 : -1;
      const panel = byId(t.getAttribute("aria-controls") ?? "");
      panel.hidden = !selected;
    }
    if (focus) tab.focus();
    if (tab.id === "tab-docs") documents.show();
    if (tab.id === "tab-targets") targets.show();
    if (tab.id === "tab-study") quiz.show();
    if (tab.id === "tab-stats") stats.show();
  };
  for (const tab of tabs) {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (event) => {
      const shown = tabs.filter((t) => !t.hidden);
      const at = shown.indexOf(tab);
      const last = shown.length - 1;
      const to =
        event.key === "ArrowRight"
          ? (at + 1) % shown.length
          : event.key === "ArrowLeft"
            ? (at + last) % shown.length
            : event.key === "Home"
              ? 0
              : event.key === "End"
                ? last
                : -1;
      const target = shown[to];
      if (!target) return;
      event.preventDefault();
      select(target, true);
    });
  }

  if (!statsTab.hidden) select(statsTab, false);

  document.body.dataset.ready = "true";
  // Desktop: ready to type. On a phone, do not pop the keyboard over the example questions.
  if (!window.matchMedia("(pointer: coarse)").matches) chat.focus();
}

start();
