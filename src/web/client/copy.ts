/**
 * Copies text to the clipboard. The Clipboard API exists only on https or localhost; members
 * often open the page over plain http on a local network, so fall back to a selected textarea.
 */
export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // permission refused or document not focused: try the fallback
    }
  }
  const active = document.activeElement as HTMLElement | null;
  const buffer = document.createElement("textarea");
  buffer.value = text;
  buffer.setAttribute("readonly", "");
  buffer.setAttribute("aria-hidden", "true");
  buffer.className = "copy-buffer";
  document.body.appendChild(buffer);
  buffer.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  buffer.remove();
  active?.focus();
  return ok;
}
