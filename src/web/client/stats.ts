import { ApiError, getStats, getStatsCsv, type Stats } from "./api.ts";
import { byId, h } from "./dom.ts";

const SVG = "http://www.w3.org/2000/svg";
const TOKEN_KEY = "sotay.adminToken";

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}

/** "04/12" */
const shortDay = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}`;

/**
 * Questions per day as bars drawn by the page itself (no external asset): the whole bar counts
 * the questions, its darker foot the ones the documents could not answer.
 */
export function perDayChart(perDay: Stats["perDay"]): SVGSVGElement {
  const width = 640;
  const height = 180;
  const top = 12;
  const bottom = 24;
  const max = Math.max(1, ...perDay.map((d) => d.asked));
  const slot = width / Math.max(1, perDay.length);
  const bar = Math.max(2, slot * 0.7);
  const total = perDay.reduce((n, d) => n + d.asked, 0);
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "stats-chart",
    role: "img",
    "aria-label": `Số câu hỏi theo ngày: ${total} câu trong ${perDay.length} ngày, nhiều nhất ${max} câu một ngày.`,
  });
  const scale = (n: number) => ((height - top - bottom) * n) / max;
  perDay.forEach((d, i) => {
    const x = i * slot + (slot - bar) / 2;
    const g = svg("g", {});
    const title = svg("title", {});
    title.textContent = `${shortDay(d.day)}: ${d.asked} câu hỏi, ${d.unanswered} chưa trả lời được`;
    g.append(title);
    g.append(
      svg("rect", {
        x,
        y: height - bottom - scale(d.asked),
        width: bar,
        height: scale(d.asked),
        class: "bar-asked",
      }),
    );
    if (d.unanswered > 0)
      g.append(
        svg("rect", {
          x,
          y: height - bottom - scale(d.unanswered),
          width: bar,
          height: scale(d.unanswered),
          class: "bar-unanswered",
        }),
      );
    chart.append(g);
    // a date under the first, the last and every seventh bar not too close to the last
    const last = perDay.length - 1;
    const weekly = perDay.length > 10 && i % 7 === 0 && last - i >= 4;
    if (i === 0 || i === last || weekly) {
      const label = svg("text", {
        x: x + bar / 2,
        y: height - 6,
        "text-anchor": "middle",
        class: "chart-label",
      });
      label.textContent = shortDay(d.day);
      chart.append(label);
    }
  });
  chart.append(
    svg("line", { x1: 0, x2: width, y1: height - bottom, y2: height - bottom, class: "chart-axis" }),
  );
  return chart;
}

function list(
  title: string,
  items: { text: string; count: string; detail?: string }[],
  empty: string,
): HTMLElement {
  return h(
    "section",
    { class: "stats-list" },
    h("h3", null, title),
    items.length === 0
      ? h("p", { class: "muted" }, empty)
      : h(
          "ol",
          null,
          ...items.map((item) =>
            h(
              "li",
              null,
              h("span", { class: "stats-item" }, item.text),
              " ",
              h("span", { class: "stats-count" }, item.count),
              item.detail ? h("span", { class: "stats-detail" }, item.detail) : null,
            ),
          ),
        ),
  );
}

export function renderStats(s: Stats): HTMLElement {
  const variants = (v: string[]) => (v.length ? `Cách hỏi khác: ${v.slice(0, 3).join(" · ")}` : undefined);
  const share = s.totals.asked ? Math.round((100 * s.totals.unanswered) / s.totals.asked) : 0;
  return h(
    "div",
    { class: "stats-body" },
    h(
      "p",
      { class: "stats-totals" },
      `${s.totals.asked} câu hỏi · ${s.totals.unanswered} câu tài liệu chưa trả lời được (${share}%) · ${s.totals.downVotes} lượt 👎`,
    ),
    perDayChart(s.perDay),
    list(
      "Hỏi nhiều nhất",
      s.top.map((g) => ({ text: g.question, count: `${g.asked} lần`, detail: variants(g.variants) })),
      "Chưa có câu hỏi nào trong khoảng thời gian này.",
    ),
    list(
      "Tài liệu chưa trả lời được",
      s.unanswered.map((g) => ({
        text: g.question,
        count: `${g.unanswered} lần`,
        detail: variants(g.variants),
      })),
      "Không có câu nào bị từ chối.",
    ),
    list(
      "Câu trả lời bị đánh giá 👎",
      s.downVoted.map((d) => ({
        text: d.question,
        count: `${d.votes} lượt`,
        detail: d.answer.slice(0, 200),
      })),
      "Chưa có đánh giá 👎 nào.",
    ),
    list(
      "Phần tài liệu được hỏi nhiều",
      s.sections.map((x) => ({
        text: x.section ? `${x.document} › ${x.section}` : x.document,
        count: `${x.cited} lần`,
      })),
      "Chưa có câu trả lời nào trích tài liệu.",
    ),
  );
}

/**
 * The "Thống kê" panel for trainers: what members asked, what the documents could not answer, the
 * 👎 answers, the sections asked about and a chart of questions per day. It needs the admin token
 * (kept for this browser tab only); the tab shows when the page is opened at #thong-ke.
 */
export function createStatsPanel() {
  const form = byId<HTMLFormElement>("stats-form");
  const token = byId<HTMLInputElement>("stats-token");
  const days = byId<HTMLSelectElement>("stats-days");
  const channel = byId<HTMLSelectElement>("stats-channel");
  const csv = byId<HTMLButtonElement>("stats-csv");
  const container = byId("stats");
  token.value = sessionStorage.getItem(TOKEN_KEY) ?? "";
  let pending: AbortController | undefined;

  const query = () => ({ days: Number(days.value), channel: channel.value });
  const fail = (error: unknown) => {
    if (error instanceof DOMException && error.name === "AbortError") return;
    container.replaceChildren(
      h(
        "p",
        { class: "error", role: "alert" },
        error instanceof ApiError ? error.message : "Không tải được thống kê.",
      ),
    );
  };

  async function load(): Promise<void> {
    if (!token.value.trim()) {
      container.replaceChildren(h("p", { class: "muted" }, "Nhập mã quản trị để xem thống kê."));
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token.value.trim());
    pending?.abort();
    pending = new AbortController();
    container.setAttribute("aria-busy", "true");
    try {
      container.replaceChildren(renderStats(await getStats(token.value.trim(), query(), pending.signal)));
    } catch (error) {
      fail(error);
    } finally {
      container.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load();
  });
  csv.addEventListener("click", async () => {
    try {
      const blob = await getStatsCsv(token.value.trim(), query());
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: `thong-ke-${query().days}-ngay.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      fail(error);
    }
  });
  return {
    show(): void {
      if (token.value.trim()) void load();
      else token.focus();
    },
  };
}
