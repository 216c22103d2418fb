import { ApiError, type DocumentSummary, listDocuments } from "./api.ts";
import { byId, h } from "./dom.ts";
import { formatDate, httpUrl } from "./format.ts";

/** The "Tài liệu" panel: the documents the answers come from, loaded the first time it is shown. */
export function createDocumentsPanel() {
  const container = byId("documents");
  let state: "idle" | "loading" | "loaded" = "idle";

  function renderList(documents: DocumentSummary[]): void {
    if (documents.length === 0) {
      container.replaceChildren(h("p", { class: "muted" }, "Chưa có tài liệu nào được nạp."));
      return;
    }
    const passages = documents.reduce((sum, d) => sum + d.passages, 0);
    const list = h("ul", { class: "doc-list" });
    for (const doc of documents) {
      const url = httpUrl(doc.url);
      const meta = [
        doc.publisher,
        formatDate(doc.published),
        `${doc.passages} đoạn`,
        doc.scanned ? "văn bản quét" : "",
      ].filter(Boolean);
      list.append(
        h(
          "li",
          { class: "doc-card" },
          h("h3", { class: "doc-title" }, doc.title),
          h("p", { class: "doc-meta" }, meta.join(" · ")),
          url
            ? h(
                "a",
                { href: url, target: "_blank", rel: "noopener noreferrer", class: "doc-link" },
                "Xem bài gốc",
                h("span", { class: "visually-hidden" }, `: ${doc.title} (mở trong thẻ mới)`),
                h("span", { "aria-hidden": "true" }, " ↗"),
              )
            : null,
        ),
      );
    }
    container.replaceChildren(
      h("p", { class: "muted" }, `${documents.length} tài liệu, ${passages} đoạn trích.`),
      list,
    );
  }

  async function load(): Promise<void> {
    state = "loading";
    container.setAttribute("aria-busy", "true");
    container.replaceChildren(h("p", { class: "muted", role: "status" }, "Đang tải danh sách tài liệu…"));
    try {
      renderList(await listDocuments());
      state = "loaded";
    } catch (error) {
      state = "idle";
      const retry = h("button", { type: "button", class: "secondary" }, "Thử lại");
      retry.addEventListener("click", () => void load());
      container.replaceChildren(
        h(
          "p",
          { class: "error", role: "alert" },
          error instanceof ApiError ? error.message : "Không tải được danh sách tài liệu.",
        ),
        retry,
      );
    } finally {
      container.removeAttribute("aria-busy");
    }
  }

  return {
    /** called whenever the panel is shown */
    show(): void {
      if (state === "idle") void load();
    },
  };
}
