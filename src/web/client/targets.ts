import { excerptAround } from "../../facts/excerpt.ts";
import { ApiError, listTargets, type TargetList } from "./api.ts";
import { byId, h } from "./dom.ts";
import { sourceLabel } from "./format.ts";
import type { SourceView } from "./source-view.ts";

type Target = TargetList["targets"][number];

/** "từ 11% trở lên" from value "11%" and qualifier "từ ... trở lên"; a comparison stays apart. */
function figureOf(t: Target): { figure: string; comparison?: string } {
  if (!t.qualifier) return { figure: t.value };
  const [first = "", ...rest] = t.qualifier.split("; ");
  if (first.includes("...")) {
    return { figure: first.replace("...", t.value), ...(rest.length ? { comparison: rest.join("; ") } : {}) };
  }
  return { figure: t.value, comparison: t.qualifier };
}

const capitalize = (s: string) => s.charAt(0).toLocaleUpperCase("vi") + s.slice(1);

/** The part of the sentence that states the target (the whole sentence is one tap away). */
function excerpt(t: Target): string {
  const at = Math.max(0, t.citation.quote.indexOf(t.value));
  return excerptAround(t.citation.quote, at, at + t.value.length, 180);
}

/**
 * The "Chỉ tiêu" panel: the targets and figures of the documents, filtered by a keyword, each
 * with its sentence; the source button opens the passage with that sentence highlighted.
 */
export function createTargetsPanel(sources: SourceView) {
  const container = byId("targets");
  const form = byId<HTMLFormElement>("targets-form");
  const input = byId<HTMLInputElement>("targets-filter");
  let loaded = false;
  let pending: AbortController | undefined;

  function render(list: TargetList): void {
    if (list.targets.length === 0) {
      container.replaceChildren(
        h(
          "p",
          { class: "muted" },
          list.keyword
            ? `Không tìm thấy chỉ tiêu, con số nào có “${list.keyword}”.`
            : "Chưa có chỉ tiêu, con số nào trong tài liệu.",
        ),
      );
      return;
    }
    const items = h("ul", { class: "target-list" });
    for (const t of list.targets) {
      const { figure, comparison } = figureOf(t);
      const source = h("button", { type: "button", class: "secondary" }, "Xem câu gốc");
      source.title = sourceLabel(t.citation);
      source.addEventListener("click", () =>
        sources.open({ chunkId: t.citation.chunkId, quote: t.citation.quote, n: t.citation.n }, source),
      );
      items.append(
        h(
          "li",
          { class: "target-card" },
          h("p", { class: "target-figure" }, figure),
          h("p", { class: "target-what" }, capitalize(t.counts || t.value)),
          comparison || t.period
            ? h(
                "p",
                { class: "target-meta" },
                [comparison, t.period ? `Giai đoạn ${t.period}` : ""].filter(Boolean).join(" · "),
              )
            : null,
          h("p", { class: "target-quote" }, `“${excerpt(t)}”`),
          source,
        ),
      );
    }
    container.replaceChildren(
      h(
        "p",
        { class: "muted", role: "status" },
        list.keyword
          ? `${list.targets.length} chỉ tiêu có “${list.keyword}”.`
          : `${list.targets.length} chỉ tiêu, con số.`,
      ),
      items,
    );
  }

  async function load(keyword: string): Promise<void> {
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    container.setAttribute("aria-busy", "true");
    try {
      const list = await listTargets(keyword);
      if (controller.signal.aborted) return;
      render(list);
      loaded = true;
    } catch (error) {
      if (controller.signal.aborted) return;
      const retry = h("button", { type: "button", class: "secondary" }, "Thử lại");
      retry.addEventListener("click", () => void load(keyword));
      container.replaceChildren(
        h(
          "p",
          { class: "error", role: "alert" },
          error instanceof ApiError ? error.message : "Không tải được danh sách chỉ tiêu.",
        ),
        retry,
      );
    } finally {
      if (pending === controller) container.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load(input.value.trim());
  });

  return {
    show(): void {
      if (!loaded) void load(input.value.trim());
    },
  };
}
