import { pageAndScanLabel } from "../../contract/citation.ts";
import { ApiError, getPassage, type PassageView } from "./api.ts";
import { append, byId, h, prefersReducedMotion } from "./dom.ts";
import { findQuote, formatDate, httpUrl } from "./format.ts";

export interface SourceRequest {
  chunkId: string;
  /** the cited sentence, highlighted when the passage shown is the cited one */
  quote?: string;
  /** the marker number, for the dialog's label */
  n?: number;
}

/**
 * The source view: a modal dialog with the cited passage, its quoted sentence in <mark>, the
 * document, section, publisher, date and a link to the original, and the neighbouring passages.
 */
export function createSourceView() {
  const dialog = byId<HTMLDialogElement>("source-dialog");
  const label = byId("source-label");
  const body = byId("source-body");
  const closeButton = byId<HTMLButtonElement>("source-close");

  let opener: HTMLElement | null = null;
  let controller: AbortController | undefined;
  /** what the user opened, to come back to after reading the neighbours */
  let origin: SourceRequest | undefined;

  closeButton.addEventListener("click", () => dialog.close());
  // A click on the backdrop lands on the dialog element itself (its content fills the box).
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => {
    controller?.abort();
    opener?.focus();
    opener = null;
  });

  async function load(request: SourceRequest): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    const isOrigin = request.chunkId === origin?.chunkId;
    label.textContent =
      origin?.n !== undefined ? `Nguồn [${origin.n}]${isOrigin ? "" : " · đoạn kề"}` : "Đoạn trích";
    body.replaceChildren(h("p", { class: "muted", role: "status" }, "Đang tải đoạn trích…"));
    body.scrollTop = 0;
    try {
      const view = await getPassage(request.chunkId, current.signal);
      if (current.signal.aborted) return;
      render(view, request);
    } catch (error) {
      if (current.signal.aborted) return;
      const retry = h("button", { type: "button", class: "secondary" }, "Thử lại");
      retry.addEventListener("click", () => void load(request));
      body.replaceChildren(
        h(
          "p",
          { class: "error", role: "alert" },
          error instanceof ApiError ? error.message : "Không tải được đoạn trích. Bạn vui lòng thử lại.",
        ),
        retry,
      );
    }
  }

  function render(view: PassageView, request: SourceRequest): void {
    const { passage, document: doc } = view;
    const where = pageAndScanLabel({ pages: passage.pages, scanned: doc.scanned });
    const section = [passage.headingPath.filter(Boolean).join(" › "), where].filter(Boolean).join(", ");
    const who = [doc.publisher, formatDate(doc.published)].filter(Boolean).join(" · ");
    const url = httpUrl(doc.url);

    const range = request.chunkId === origin?.chunkId ? findQuote(passage, origin?.quote) : undefined;
    const text = h("div", { class: "passage-text" });
    let mark: HTMLElement | undefined;
    if (range) {
      mark = h("mark", null, passage.text.slice(range.start, range.end));
      text.append(passage.text.slice(0, range.start), mark, passage.text.slice(range.end));
    } else {
      text.append(passage.text);
    }

    const nav = h("div", { class: "passage-nav" });
    const go = (target: SourceRequest, caption: string, className = "secondary") => {
      const button = h("button", { type: "button", class: className }, caption);
      button.addEventListener("click", () => void load(target));
      nav.append(button);
    };
    if (view.previous) go({ chunkId: view.previous.chunkId }, "← Đoạn trước");
    if (origin && request.chunkId !== origin.chunkId) go(origin, "Về đoạn được trích dẫn");
    if (view.next) go({ chunkId: view.next.chunkId }, "Đoạn sau →");

    body.replaceChildren();
    append(
      body,
      h("h2", { id: "source-title", class: "source-title" }, doc.title),
      section
        ? h("p", { class: "source-section" }, h("span", { class: "visually-hidden" }, "Mục: "), section)
        : null,
      who ? h("p", { class: "source-meta" }, who) : null,
      url
        ? h(
            "p",
            { class: "source-link" },
            h(
              "a",
              { href: url, target: "_blank", rel: "noopener noreferrer" },
              "Xem bài gốc",
              h("span", { class: "visually-hidden" }, " (mở trong thẻ mới)"),
              h("span", { "aria-hidden": "true" }, " ↗"),
            ),
          )
        : null,
      mark ? h("p", { class: "hint" }, "Câu được trích dẫn được tô màu vàng.") : null,
      text,
      nav.childElementCount > 0 ? nav : null,
    );
    if (mark) {
      mark.scrollIntoView({ block: "nearest", behavior: prefersReducedMotion() ? "auto" : "smooth" });
    }
  }

  return {
    open(request: SourceRequest, trigger: HTMLElement | null): void {
      opener = trigger;
      origin = request;
      if (!dialog.open) dialog.showModal();
      closeButton.focus();
      void load(request);
    },
  };
}

export type SourceView = ReturnType<typeof createSourceView>;
