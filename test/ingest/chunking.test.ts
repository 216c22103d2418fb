import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { type ChunkedDocument, chunkDocument, DEFAULT_CHUNK_OPTIONS } from "../../ingest/chunk-document.ts";
import {
  type CleanBlock,
  type CleanDocument,
  cleanDocument,
  isCaption,
} from "../../ingest/clean-document.ts";
import { type LoadedDocument, loadDocument } from "../../ingest/loaders/index.ts";
import type { Chunk } from "../../src/contract/chunk.ts";
import { splitSentences } from "../../src/text/split-sentences.ts";

const ARTICLE_PATH = fileURLToPath(
  new URL("../../corpus/ha-noi-tien-phong-dua-nghi-quyet-xiv-vao-cuoc-song.md", import.meta.url),
);
const ARTICLE_URL =
  "https://kinhtedothi.vn/ha-noi-tien-phong-dua-nghi-quyet-xiv-cua-dang-vao-cuoc-song.984469.html";
const CAPTION_1 =
  "Quang cảnh Hội nghị quán triệt, triển khai Chương trình hành động của Đảng bộ TP Hà Nội thực hiện Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng. Ảnh: Viết Thành";
const CAPTION_2 =
  "Chương trình hành động của Ban Chấp hành Đảng bộ TP Hà Nội đã xác định 12 nhóm nhiệm vụ chủ yếu, thay cho 10 nhóm nhiệm vụ trước đây. Ảnh: Phạm Hùng";
const HEADING_1 = "Triển khai đồng bộ, quyết liệt ngay từ đầu nhiệm kỳ";
const HEADING_2 = "Xác lập định hướng chiến lược, nâng tầm phát triển Thủ đô";

const { maxWords, minWords } = DEFAULT_CHUNK_OPTIONS;
const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

let loaded: LoadedDocument;
let article: CleanDocument;
let paragraphs: string[];

beforeAll(async () => {
  loaded = await loadDocument(ARTICLE_PATH);
  article = cleanDocument(loaded, "fallback");
  paragraphs = article.blocks.flatMap((b) => (b.kind === "paragraph" && !b.caption ? [b.text] : []));
});

/** A paragraph of the cleaned real article, by its first words. */
function articleParagraph(prefix: string): string {
  const found = paragraphs.find((p) => p.startsWith(prefix));
  if (!found) throw new Error(`no paragraph starts with ${prefix}`);
  return found;
}

const para = (text: string, caption = false): CleanBlock => ({ kind: "paragraph", text, caption });
const heading = (level: number, text: string): CleanBlock => ({ kind: "heading", level, text });
const doc = (blocks: CleanBlock[]): CleanDocument => ({ title: "Tài liệu thử", blocks });

interface ExpectedSentence {
  start: number;
  end: number;
  words: number;
  caption: boolean;
  section: number;
  headingPath: string[];
}

/** Sentences of the document as splitSentences sees them, with their offsets in the chunked body. */
function expectedSentences(document: CleanDocument, body: string): ExpectedSentence[] {
  const out: ExpectedSentence[] = [];
  const stack: { level: number; text: string }[] = [];
  let cursor = 0;
  let section = 0;
  for (const block of document.blocks) {
    const at = body.indexOf(block.text, cursor);
    expect(at, `block "${block.text.slice(0, 40)}" is in the body`).toBeGreaterThanOrEqual(0);
    cursor = at + block.text.length;
    if (block.kind === "heading") {
      while ((stack.at(-1)?.level ?? 0) >= block.level) stack.pop();
      stack.push(block);
      section++;
      continue;
    }
    for (const span of splitSentences(block.text)) {
      out.push({
        start: at + span.start,
        end: at + span.end,
        words: countWords(block.text.slice(span.start, span.end)),
        caption: block.caption,
        section,
        headingPath: stack.map((h) => h.text),
      });
    }
  }
  return out;
}

/** Every promise the chunker makes, checked for one document. */
function expectWellFormedChunks(document: CleanDocument, { body, chunks }: ChunkedDocument): void {
  const expected = expectedSentences(document, body);
  const indexOfStart = new Map(expected.map((s, i) => [s.start, i]));
  const paragraphText = document.blocks.filter((b) => b.kind === "paragraph").map((b) => b.text);
  const headings = document.blocks.filter((b) => b.kind === "heading").map((b) => b.text);
  const covered = new Set<number>();
  const spans: { first: number; last: number }[] = [];

  chunks.forEach((chunk, ordinal) => {
    expect(chunk.ordinal).toBe(ordinal);
    // offsets are right
    expect(body.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunk.sentences.length).toBeGreaterThan(0);
    // starts at a sentence start, and its sentences are the document's next sentences, in order
    const first = indexOfStart.get(chunk.start);
    expect(first, `chunk ${ordinal} starts at a sentence start`).toBeDefined();
    chunk.sentences.forEach((sentence, k) => {
      const want = expected[(first as number) + k] as ExpectedSentence;
      expect(want, `chunk ${ordinal} sentence ${k} exists`).toBeDefined();
      expect(chunk.start + sentence.start).toBe(want.start);
      expect(chunk.start + sentence.end).toBe(want.end);
      expect(chunk.text.slice(sentence.start, sentence.end)).toBe(body.slice(want.start, want.end));
      expect(sentence.caption).toBe(want.caption);
      // never crosses a heading
      expect(want.section).toBe(expected[first as number]?.section);
      expect(chunk.headingPath).toEqual(want.headingPath);
      covered.add((first as number) + k);
    });
    // ends at a sentence end
    const last = (first as number) + chunk.sentences.length - 1;
    expect(chunk.end).toBe(expected[last]?.end);
    spans.push({ first: first as number, last });
    // size
    expect(chunk.words).toBe(countWords(chunk.text));
    if (chunk.words > maxWords) expect(chunk.sentences).toHaveLength(1);
    // no heading text inside a chunk (unless the body says it too)
    for (const h of headings) {
      if (!paragraphText.some((p) => p.includes(h))) expect(chunk.text).not.toContain(h);
    }
  });

  // every sentence is in some chunk
  expect(covered.size).toBe(expected.length);
  // consecutive chunks of one section overlap by exactly one sentence, whenever that fits
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1] as { first: number; last: number };
    const next = spans[i] as { first: number; last: number };
    const lastOfPrev = expected[prev.last] as ExpectedSentence;
    const after = expected[prev.last + 1];
    if (after === undefined || after.section !== lastOfPrev.section) {
      expect(next.first, `chunk ${i} starts a new section`).toBe(prev.last + 1);
      continue;
    }
    if (lastOfPrev.words + after.words <= maxWords) {
      expect(next.first, `chunk ${i} starts with the last sentence of chunk ${i - 1}`).toBe(prev.last);
      const a = chunks[i - 1] as Chunk;
      const b = chunks[i] as Chunk;
      const lastSentence = a.sentences.at(-1) as { start: number; end: number };
      const firstSentence = b.sentences[0] as { start: number; end: number };
      expect(b.text.slice(firstSentence.start, firstSentence.end)).toBe(
        a.text.slice(lastSentence.start, lastSentence.end),
      );
      expect(next.last).toBeGreaterThan(prev.last);
    } else {
      // the pair is longer than a chunk may be: no overlap is possible, and nothing is skipped
      expect(next.first).toBe(prev.last + 1);
    }
  }
}

describe("isCaption", () => {
  it("marks photo captions", () => {
    expect(isCaption(CAPTION_1)).toBe(true);
    expect(isCaption(CAPTION_2)).toBe(true);
    expect(isCaption("Ảnh: Viết Thành")).toBe(true);
    expect(isCaption("Bí thư Thành ủy phát biểu tại hội nghị. (Ảnh: TTXVN)")).toBe(true);
    expect(isCaption("Người dân tham gia bầu cử. Ảnh minh họa: Internet")).toBe(true);
    expect(isCaption("Quang cảnh hội nghị. Nguồn ảnh: Thành ủy Hà Nội")).toBe(true);
  });

  it("does not mark normal paragraphs", () => {
    expect(
      isCaption("Ảnh hưởng của chính sách: rất lớn đối với người dân và doanh nghiệp trên địa bàn"),
    ).toBe(false);
    expect(isCaption("Nguyên Bảo")).toBe(false);
  });
});

describe("cleanDocument on the real article", () => {
  it("keeps the metadata from the front matter", () => {
    expect(article.title).toBe("Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống");
    expect(article.url).toBe(ARTICLE_URL);
    expect(article.publisher).toBe("Kinh tế & Đô thị");
    expect(article.author).toBe("Nguyên Bảo");
  });

  it("keeps each photo caption once (the article prints each twice)", () => {
    const texts = loaded.blocks.map((b) => b.text);
    expect(texts.filter((t) => t === CAPTION_1)).toHaveLength(2);
    expect(texts.filter((t) => t === CAPTION_2)).toHaveLength(2);
    const cleaned = article.blocks.map((b) => b.text);
    expect(cleaned.filter((t) => t === CAPTION_1)).toHaveLength(1);
    expect(cleaned.filter((t) => t === CAPTION_2)).toHaveLength(1);
  });

  it("marks the captions, and only the captions, as captions", () => {
    const captions = article.blocks.filter((b) => b.kind === "paragraph" && b.caption).map((b) => b.text);
    expect(captions).toEqual([CAPTION_1, CAPTION_2]);
    const normal = article.blocks.filter((b) => b.kind === "paragraph" && !b.caption);
    expect(normal).toHaveLength(17);
  });

  it("removes the trailing author and source lines", () => {
    const texts = article.blocks.map((b) => b.text);
    expect(texts).not.toContain("Nguyên Bảo");
    expect(texts.some((t) => t.startsWith("Nguồn KTĐT"))).toBe(false);
    expect(texts.at(-1)).toMatch(/^Có thể thấy, việc khẩn trương xây dựng/);
  });

  it("keeps the headings in order", () => {
    expect(article.blocks.filter((b) => b.kind === "heading")).toEqual([
      { kind: "heading", level: 2, text: HEADING_1 },
      { kind: "heading", level: 2, text: HEADING_2 },
    ]);
    expect(article.blocks).toHaveLength(21);
  });
});

describe("cleanDocument", () => {
  const source = `Nguồn KTĐT: ${ARTICLE_URL}`;

  it("turns a trailing “Nguồn …: URL” line into the document url", () => {
    const result = cleanDocument(
      {
        blocks: [
          { kind: "paragraph", text: CAPTION_2 },
          { kind: "paragraph", text: source },
        ],
      },
      "Dự phòng",
    );
    expect(result.url).toBe(ARTICLE_URL);
    expect(result.blocks).toEqual([para(CAPTION_2, true)]);
  });

  it("removes the author and source lines in either order", () => {
    const body = articleParagraph("Có thể thấy");
    for (const tail of [
      ["Nguyên Bảo", source],
      [source, "Nguyên Bảo"],
    ]) {
      const result = cleanDocument(
        {
          author: "Nguyên Bảo",
          blocks: [body, ...tail].map((text) => ({ kind: "paragraph" as const, text })),
        },
        "Dự phòng",
      );
      expect(result.blocks).toEqual([para(body)]);
      expect(result.url).toBe(ARTICLE_URL);
    }
  });

  it("keeps a trailing line that is not the author, and an author line that is not last", () => {
    const body = articleParagraph("Có thể thấy");
    const result = cleanDocument(
      {
        author: "Nguyên Bảo",
        blocks: [
          { kind: "paragraph", text: "Nguyên Bảo" },
          { kind: "paragraph", text: body },
          { kind: "paragraph", text: "Phạm Hùng" },
        ],
      },
      "Dự phòng",
    );
    expect(result.blocks.map((b) => b.text)).toEqual(["Nguyên Bảo", body, "Phạm Hùng"]);
    expect(result.url).toBeUndefined();
  });

  it("drops only consecutive duplicates, comparing normalised text", () => {
    const a = "Thành uỷ đã chỉ đạo rà soát toàn diện Chương trình số 01.";
    const b = articleParagraph("Thực tiễn từ sau");
    const result = cleanDocument(
      {
        blocks: [
          { kind: "paragraph", text: a },
          { kind: "paragraph", text: "  Thành ủy đã chỉ đạo   rà soát toàn diện\nChương trình số 01." },
          { kind: "paragraph", text: b },
          { kind: "paragraph", text: a },
        ],
      },
      "Dự phòng",
    );
    const normalised = "Thành ủy đã chỉ đạo rà soát toàn diện Chương trình số 01.";
    expect(result.blocks.map((x) => x.text)).toEqual([normalised, b, normalised]);
  });

  it("normalises text, drops empty blocks and falls back to the given title", () => {
    const result = cleanDocument(
      {
        blocks: [
          { kind: "heading", level: 2, text: " Triển khai đồng bộ,\n quyết liệt " },
          { kind: "paragraph", text: " \u200b " },
          { kind: "paragraph", text: "Tạo sức lan toả.".normalize("NFD") },
        ],
      },
      "Tên tệp",
    );
    expect(result.title).toBe("Tên tệp");
    expect(result.blocks).toEqual([heading(2, "Triển khai đồng bộ, quyết liệt"), para("Tạo sức lan tỏa.")]);
  });
});

describe("chunkDocument on the real article", () => {
  let chunked: ChunkedDocument;
  beforeAll(() => {
    chunked = chunkDocument(article, ARTICLE_PATH);
  });

  it("keeps every chunking promise", () => {
    expect(chunked.chunks.length).toBeGreaterThan(5);
    expectWellFormedChunks(article, chunked);
  });

  it("makes the short intro before the first heading one chunk with no heading path", () => {
    const intro = articleParagraph("Với việc khẩn trương");
    expect(countWords(intro)).toBeLessThan(minWords);
    const first = chunked.chunks[0] as Chunk;
    expect(first.headingPath).toEqual([]);
    expect(first.text).toBe(intro);
    expect(first.sentences).toHaveLength(2);
    expect((chunked.chunks[1] as Chunk).headingPath).toEqual([HEADING_1]);
  });

  it("labels chunks with their section heading", () => {
    const paths = [...new Set(chunked.chunks.map((c) => c.headingPath.join(" > ")))];
    expect(paths).toEqual(["", HEADING_1, HEADING_2]);
    const growth = chunked.chunks.find((c) => c.text.includes("từ 11% trở lên trong nhiệm kỳ 2026-2031"));
    expect(growth?.headingPath).toEqual([HEADING_2]);
    const points = chunked.chunks.find((c) => c.text.includes("1.662.336 cán bộ"));
    expect(points?.headingPath).toEqual([HEADING_1]);
  });

  it("targets 80-250 words: no chunk over 250 words, and chunks of the long sections reach 80", () => {
    for (const chunk of chunked.chunks) {
      expect(chunk.words).toBeLessThanOrEqual(maxWords);
      if (chunk.headingPath.length > 0) expect(chunk.words).toBeGreaterThanOrEqual(minWords);
    }
  });

  it("marks caption sentences as captions and the rest not", () => {
    const sentences = chunked.chunks.flatMap((c) =>
      c.sentences.map((s) => ({ text: c.text.slice(s.start, s.end), caption: s.caption })),
    );
    expect(sentences).toContainEqual({ text: "Ảnh: Viết Thành", caption: true });
    expect(sentences).toContainEqual({ text: "Ảnh: Phạm Hùng", caption: true });
    expect(sentences).toContainEqual({
      text: "Quang cảnh Hội nghị quán triệt, triển khai Chương trình hành động của Đảng bộ TP Hà Nội thực hiện Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng.",
      caption: true,
    });
    const growth = sentences.find((s) => s.text.includes("từ 11% trở lên"));
    expect(growth?.caption).toBe(false);
    const captionCount = new Set(sentences.filter((s) => s.caption).map((s) => s.text)).size;
    expect(captionCount).toBe(4);
  });

  it("splits “Đảng bộ TP. Đồng thời …” into two sentences inside a chunk", () => {
    const chunk = chunked.chunks.find((c) => c.text.includes("Đảng bộ TP. Đồng thời")) as Chunk;
    const texts = chunk.sentences.map((s) => chunk.text.slice(s.start, s.end));
    expect(texts.some((t) => t.endsWith("Đại hội XVIII Đảng bộ TP."))).toBe(true);
    expect(texts.some((t) => t.startsWith("Đồng thời bám sát các văn kiện"))).toBe(true);
  });

  it("gives deterministic, distinct ids", () => {
    const again = chunkDocument(cleanDocument(loaded, "fallback"), ARTICLE_PATH);
    expect(again.chunks.map((c) => c.id)).toEqual(chunked.chunks.map((c) => c.id));
    expect(again.body).toBe(chunked.body);
    for (const chunk of chunked.chunks) expect(chunk.id).toMatch(/^[0-9a-f]{20}$/);
    expect(new Set(chunked.chunks.map((c) => c.id)).size).toBe(chunked.chunks.length);
    const other = chunkDocument(article, "another-document.md");
    expect(other.chunks[0]?.id).not.toBe(chunked.chunks[0]?.id);
  });
});

describe("chunkDocument", () => {
  it("gives no chunks for an empty document, or one with only headings", () => {
    expect(chunkDocument(doc([]), "trống")).toEqual({ body: "", chunks: [] });
    const headingsOnly = chunkDocument(doc([heading(2, HEADING_1), heading(3, HEADING_2)]), "chỉ tiêu đề");
    expect(headingsOnly.chunks).toEqual([]);
  });

  it("makes a section shorter than 80 words one chunk", () => {
    const a = "Hà Nội phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên.";
    const b = "Chương trình có 43 chỉ tiêu chủ yếu giai đoạn 2026-2030.";
    const document = doc([heading(2, HEADING_1), para(a), para(b)]);
    const result = chunkDocument(document, "ngắn");
    expect(result.chunks).toHaveLength(1);
    expect(result.chunks[0]?.text).toBe(`${a}\n\n${b}`);
    expect(result.chunks[0]?.words).toBe(countWords(a) + countWords(b));
    expect(result.chunks[0]?.headingPath).toEqual([HEADING_1]);
    expectWellFormedChunks(document, result);
  });

  it("never crosses a heading, and tracks nested headings", () => {
    const document = doc([
      heading(2, "Phần một"),
      heading(3, "Mục 1.1"),
      para(articleParagraph("Ngay sau Hội nghị")),
      heading(3, "Mục 1.2"),
      para(articleParagraph("Chương trình hành động đã nhấn mạnh")),
      heading(2, "Phần hai"),
      para(articleParagraph("Mục tiêu xuyên suốt")),
    ]);
    const result = chunkDocument(document, "lồng");
    expect(result.chunks.map((c) => c.headingPath)).toEqual([
      ["Phần một", "Mục 1.1"],
      ["Phần một", "Mục 1.2"],
      ["Phần hai"],
    ]);
    expectWellFormedChunks(document, result);
  });

  it("chunks one long section into overlapping 80-250 word chunks", () => {
    const document = doc([heading(2, HEADING_1), ...paragraphs.map((p) => para(p))]);
    const result = chunkDocument(document, "dài");
    expectWellFormedChunks(document, result);
    expect(result.chunks.length).toBeGreaterThan(8);
    for (let i = 1; i < result.chunks.length; i++) {
      const a = result.chunks[i - 1] as Chunk;
      const b = result.chunks[i] as Chunk;
      const last = a.sentences.at(-1) as { start: number; end: number };
      const first = b.sentences[0] as { start: number; end: number };
      expect(b.text.slice(first.start, first.end)).toBe(a.text.slice(last.start, last.end));
      expect(b.start).toBe(a.start + last.start);
    }
    for (const chunk of result.chunks) expect(chunk.words).toBeLessThanOrEqual(maxWords);
    const long = result.chunks.filter((c) => c.words >= minWords);
    expect(long.length).toBeGreaterThanOrEqual(result.chunks.length - 1);
  });

  it("keeps the overlap after a long one-sentence paragraph followed by a paragraph that does not fit", () => {
    // Found by this test: the chunker stopped at the one-sentence paragraph, so the next chunk
    // started at the next paragraph and the two sentences across the boundary shared no chunk.
    const single = articleParagraph("Đáng chú ý, chương trình");
    const big = `${articleParagraph("Một điểm mới quan trọng")} ${articleParagraph("Chương trình hành động bổ sung")}`;
    expect(splitSentences(single)).toHaveLength(1);
    expect(countWords(single)).toBeGreaterThanOrEqual(minWords);
    expect(countWords(single) + countWords(big)).toBeGreaterThan(maxWords);
    const document = doc([heading(2, HEADING_2), para(single), para(big)]);
    const result = chunkDocument(document, "chồng lấn");
    expectWellFormedChunks(document, result);
    expect(result.chunks).toHaveLength(2);
    const [a, b] = result.chunks as [Chunk, Chunk];
    expect(a.text.startsWith(single)).toBe(true);
    expect(a.end).toBeGreaterThan(b.start);
    expect(b.text).toMatch(/^Các nhóm nhiệm vụ còn lại được bổ sung/);
  });

  it("keeps the overlap when the overlap sentence is a long one-sentence paragraph", () => {
    const intro = articleParagraph("Với việc khẩn trương");
    const single = articleParagraph("Ủy viên Bộ Chính trị");
    const big = `${articleParagraph("Một điểm mới quan trọng")} ${articleParagraph("Chương trình hành động bổ sung")}`;
    const document = doc([para(intro), para(single), para(big)]);
    const result = chunkDocument(document, "chồng lấn 2");
    expectWellFormedChunks(document, result);
    const [a, b] = result.chunks as [Chunk, Chunk];
    expect(a.text.endsWith(single)).toBe(true);
    expect(b.text.startsWith(single)).toBe(true);
  });

  it("puts a sentence longer than 250 words in its own chunk, and terminates", () => {
    const clauses = [
      "Đáng chú ý, chương trình",
      "Ủy viên Bộ Chính trị",
      "Để Nghị quyết đi vào cuộc sống",
    ].map((prefix) => articleParagraph(prefix).replace(/\.$/, ""));
    const long = `${clauses.join("; ")}.`;
    expect(splitSentences(long)).toHaveLength(1);
    expect(countWords(long)).toBeGreaterThan(maxWords);
    const before = articleParagraph("Thực tiễn từ sau");
    const after = articleParagraph("Bí thư Thành ủy cũng yêu cầu");
    const document = doc([heading(2, HEADING_2), para(before), para(long), para(after)]);
    const result = chunkDocument(document, "câu dài");
    expectWellFormedChunks(document, result);
    const alone = result.chunks.filter((c) => c.text === long);
    expect(alone).toHaveLength(1);
    expect(alone[0]?.sentences).toEqual([{ start: 0, end: long.length, caption: false }]);
    expect(alone[0]?.words).toBe(countWords(long));
    expect(result.chunks.every((c) => c.text === long || !c.text.includes(long))).toBe(true);

    const onlyLong = chunkDocument(doc([para(long)]), "một câu");
    expect(onlyLong.chunks.map((c) => c.text)).toEqual([long]);
  });

  it("carries the caption flag of each sentence", () => {
    const body = articleParagraph("Chương trình hành động đã nhấn mạnh");
    const document = doc([para(body), para(CAPTION_1, true)]);
    const result = chunkDocument(document, "chú thích");
    expect(result.chunks).toHaveLength(1);
    const chunk = result.chunks[0] as Chunk;
    expect(chunk.sentences.map((s) => [chunk.text.slice(s.start, s.end), s.caption])).toEqual([
      [body, false],
      [
        "Quang cảnh Hội nghị quán triệt, triển khai Chương trình hành động của Đảng bộ TP Hà Nội thực hiện Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng.",
        true,
      ],
      ["Ảnh: Viết Thành", true],
    ]);
  });

  it("gives deterministic ids that depend on the document key and text", () => {
    const document = doc([heading(2, HEADING_1), ...paragraphs.slice(0, 6).map((p) => para(p))]);
    const one = chunkDocument(document, "a.md").chunks.map((c) => c.id);
    expect(chunkDocument(document, "a.md").chunks.map((c) => c.id)).toEqual(one);
    const other = chunkDocument(document, "b.md").chunks.map((c) => c.id);
    expect(other.some((id, i) => id === one[i])).toBe(false);
  });

  it("keeps every promise for many arrangements of the article's paragraphs", () => {
    // A fixed pseudo-random sequence: paragraphs glued into larger ones, headings in between.
    let seed = 20260114;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = () => paragraphs[Math.floor(next() * paragraphs.length)] as string;
    for (let trial = 0; trial < 60; trial++) {
      const blocks: CleanBlock[] = [];
      const count = 2 + Math.floor(next() * 12);
      for (let k = 0; k < count; k++) {
        if (next() < 0.1) blocks.push(heading(2 + Math.floor(next() * 2), `Mục ${trial}.${k}`));
        else
          blocks.push(
            para(Array.from({ length: 1 + Math.floor(next() * 3) }, pick).join(" "), next() < 0.05),
          );
      }
      const document = doc(blocks);
      expectWellFormedChunks(document, chunkDocument(document, `ngẫu nhiên ${trial}`));
    }
  });
});
