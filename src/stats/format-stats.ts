import type { QuestionGroup, Stats } from "../store/stats-store.ts";

const CHANNEL_NAMES: Record<string, string> = { telegram: "Telegram", zalo: "Zalo", web: "trang web" };

/** "Telegram", "Zalo", "trang web", or "mọi kênh". */
export function channelName(channel: string | null): string {
  return channel ? (CHANNEL_NAMES[channel] ?? channel) : "mọi kênh";
}

/** "04/12/2026" */
export function dayVi(day: string): string {
  const [y, m, d] = day.split("-");
  return `${d}/${m}/${y}`;
}

const cell = (value: string | number) => {
  const text = String(value);
  // A leading =, +, - or @ would be a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/**
 * The statistics as one CSV table (UTF-8 with a byte-order mark, so a spreadsheet reads the
 * Vietnamese right): one row per item, the first column saying which list it belongs to.
 */
export function statsCsv(s: Stats): string {
  const rows: (string | number)[][] = [
    ["muc", "noi_dung", "bien_the", "so_lan", "khong_tra_loi_duoc", "ngay_kenh"],
  ];
  const group = (kind: string) => (g: QuestionGroup) =>
    rows.push([kind, g.question, g.variants.join(" | "), g.asked, g.unanswered, ""]);
  s.top.forEach(group("hoi_nhieu_nhat"));
  s.unanswered.forEach(group("chua_tra_loi_duoc"));
  for (const d of s.downVoted)
    rows.push(["danh_gia_chua_tot", d.question, d.answer, d.votes, "", `${d.day} ${d.channel}`]);
  for (const x of s.sections)
    rows.push([
      "tai_lieu_duoc_hoi",
      x.section ? `${x.document} › ${x.section}` : x.document,
      "",
      x.cited,
      "",
      "",
    ]);
  for (const d of s.perDay) rows.push(["theo_ngay", d.day, "", d.asked, d.unanswered, ""]);
  return `\uFEFF${rows.map((r) => r.map(cell).join(",")).join("\r\n")}\r\n`;
}

/** Plain-text lines for a chat (the channel escapes and formats them). */
export function statsSummaryLines(
  s: Stats,
  top = 5,
): { title: string; sections: { heading: string; items: string[] }[] } {
  const share = s.totals.asked ? Math.round((100 * s.totals.unanswered) / s.totals.asked) : 0;
  const asked = (g: QuestionGroup) =>
    `${g.question} — ${g.asked} lần${g.variants.length ? ` (${g.variants.length + 1} cách hỏi)` : ""}`;
  return {
    title:
      `Thống kê ${dayVi(s.from)}–${dayVi(s.to)}, ${channelName(s.channel)}: ${s.totals.asked} câu hỏi, ` +
      `${s.totals.unanswered} câu tài liệu chưa trả lời được (${share}%), ${s.totals.downVotes} lượt 👎.`,
    sections: [
      { heading: "Hỏi nhiều nhất", items: s.top.slice(0, top).map(asked) },
      {
        heading: "Tài liệu chưa trả lời được",
        items: s.unanswered.slice(0, top).map((g) => `${g.question} — ${g.unanswered} lần`),
      },
      {
        heading: "Bị đánh giá 👎",
        items: s.downVoted.slice(0, top).map((d) => `${d.question} — ${d.votes} lượt`),
      },
      {
        heading: "Phần tài liệu được hỏi nhiều",
        items: s.sections
          .slice(0, top)
          .map((x) => `${x.section ? `${x.document} › ${x.section}` : x.document} — ${x.cited} lần`),
      },
    ],
  };
}
