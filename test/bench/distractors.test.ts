import { describe, expect, it } from "vitest";
import {
  countPassages,
  DISTRACTOR_ID_PREFIX,
  generateDistractors,
  mulberry32,
  UNIT_MAX_WORDS,
} from "../../bench/distractors.ts";
import type { BenchDoc, BenchQuery } from "../../bench/types.ts";

// Eight short "articles" of distinct topics, each a few sentences in two paragraphs.
const TOPICS = [
  "đăng ký thường trú",
  "cai nghiện ma túy",
  "thuế thu nhập cá nhân",
  "bảo vệ môi trường",
  "phòng cháy chữa cháy",
  "giáo dục nghề nghiệp",
  "an toàn thực phẩm",
  "quản lý du lịch",
];
const DOCS: BenchDoc[] = TOPICS.map((topic, i) => ({
  id: `luat-${i}#${i + 1}`,
  title: `Luật ${topic}, Điều ${i + 1}`,
  text: [
    `Cơ quan nhà nước có thẩm quyền hướng dẫn việc ${topic} theo quy định của pháp luật. ` +
      `Tổ chức, cá nhân có trách nhiệm thực hiện đúng các quy định về ${topic} tại địa phương.`,
    `Ủy ban nhân dân cấp tỉnh báo cáo kết quả ${topic} hằng năm cho Chính phủ. ` +
      `Người vi phạm quy định về ${topic} thì tùy theo tính chất, mức độ mà bị xử lý theo quy định.`,
  ].join("\n\n"),
}));
const QUERIES: BenchQuery[] = [
  { id: "q1", q: "đăng ký thường trú ở đâu?", relevant: ["luat-0#1"] },
  { id: "q2", q: "cai nghiện ma túy tự nguyện", relevant: ["luat-1#2", "distractor:1"] },
];

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe("distractor generator", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = generateDistractors(DOCS, { passages: 40, seed: 7 });
    const b = generateDistractors(DOCS, { passages: 40, seed: 7 });
    const c = generateDistractors(DOCS, { passages: 40, seed: 8 });
    expect(a).toEqual(b);
    expect(a.map((d) => d.text)).not.toEqual(c.map((d) => d.text));
    expect(mulberry32(1)()).toBe(mulberry32(1)());
  });

  it("adds about the requested number of passages, as the ingest chunks them", () => {
    for (const unitsPerDoc of [1, 10]) {
      const docs = generateDistractors(DOCS, { passages: 60, seed: 1, unitsPerDoc });
      const passages = docs.reduce((n, d) => n + countPassages(d), 0);
      expect(passages).toBeGreaterThanOrEqual(60);
      expect(passages).toBeLessThanOrEqual(60 * 1.25);
      // ~120-200 words per passage worth of text
      const total = docs.reduce((n, d) => n + words(d.text), 0);
      expect(total / passages).toBeGreaterThan(80);
      expect(total / passages).toBeLessThanOrEqual(UNIT_MAX_WORDS);
    }
    expect(generateDistractors(DOCS, { passages: 0 })).toEqual([]);
  });

  it("writes real sentences under neutral titles and fresh ids, never a relevant or existing id", () => {
    const reserved = QUERIES.flatMap((q) => q.relevant);
    const docs = generateDistractors(DOCS, { passages: 5, seed: 3, unitsPerDoc: 1, reserved });
    const taken = new Set([...DOCS.map((d) => d.id), ...reserved]);
    const ids = docs.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of docs) {
      // q2 names "distractor:1" as relevant: the generated ids move to another prefix
      expect(taken.has(d.id)).toBe(false);
      expect(d.id.startsWith(`${DISTRACTOR_ID_PREFIX}~`)).toBe(true);
      expect(d.title).toMatch(/^Văn bản tổng hợp số \d+$/);
      expect(words(d.text)).toBeGreaterThanOrEqual(100);
      expect(words(d.text)).toBeLessThanOrEqual(UNIT_MAX_WORDS);
    }
    const sentence = "Ủy ban nhân dân cấp tỉnh báo cáo kết quả";
    expect(docs.some((d) => d.text.includes(sentence))).toBe(true);

    const clash = [...DOCS, { id: `${DISTRACTOR_ID_PREFIX}01`, title: "x", text: DOCS[0]?.text ?? "" }];
    const other = generateDistractors(clash, { passages: 12, seed: 3, unitsPerDoc: 1 });
    expect(other.length).toBeGreaterThan(0);
    for (const d of other) expect(clash.some((c) => c.id === d.id)).toBe(false);
  });
});
