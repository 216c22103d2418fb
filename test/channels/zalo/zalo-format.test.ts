import { describe, expect, it } from "vitest";
import {
  formatAnswerText,
  formatDocumentsText,
  formatPassageText,
  formatSourcesText,
  splitMessage,
} from "../../../src/channels/zalo/format.ts";
import type { Answer, Citation } from "../../../src/contract/answer.ts";
import { createRateLimiter } from "../../../src/reliability/rate-limit.ts";
import type { PassageView } from "../../../src/store/corpus-store.ts";

const TITLE = "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống";
const URL = "https://kinhtedothi.vn/ha-noi-tien-phong-dua-nghi-quyet-xiv-cua-dang-vao-cuoc-song.984469.html";
const SECTION = "Xác lập định hướng chiến lược, nâng tầm phát triển Thủ đô";
const QUOTE =
  "Để Nghị quyết đi vào cuộc sống, Bí thư Thành ủy Hà Nội yêu cầu quán triệt sâu sắc phương châm; " +
  "phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031.";

const citation = (n: number, overrides: Partial<Citation> = {}): Citation => ({
  n,
  document: TITLE,
  section: SECTION,
  url: URL,
  publisher: "Kinh tế & Đô thị",
  published: "2026-03-02",
  quote: QUOTE,
  chunkId: `44c17b519ee950fb0fb${n}`,
  ...overrides,
});

const answer = (text: string, citations: Citation[], extra: Partial<Answer> = {}): Answer => ({
  question: "muc tieu tang truong kinh te",
  answer: text,
  found: citations.length > 0,
  mode: "extractive",
  citations,
  ms: 12,
  ...extra,
});

describe("Zalo plain-text formatting", () => {
  it("puts the answer first, then 'Nguồn:' with numbered sources (document › section, link on its own line)", () => {
    const text = formatAnswerText(
      answer("… phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031. [1]", [
        citation(1),
        citation(2, { section: "", url: "javascript:alert(1)" }),
      ]),
    );
    expect(text).toBe(
      "… phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031. [1]\n\n" +
        `Nguồn:\n[1] ${TITLE} › ${SECTION}\n${URL}\n[2] ${TITLE}`,
    );
    expect(text).not.toMatch(/<\/?[a-z]+>/);
  });

  it("says how a follow-up was understood, and has no source list when nothing was found", () => {
    const followUp = formatAnswerText(
      answer("… trong nhiệm kỳ 2026-2031. [1]", [citation(1)], {
        question: "trong nhiệm kỳ nào?",
        resolvedQuestion: "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu? trong nhiệm kỳ nào?",
      }),
    );
    expect(followUp.split("\n")[0]).toBe(
      "(Câu hỏi được hiểu là: Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu? trong nhiệm kỳ nào?)",
    );
    const refusal = formatAnswerText(answer("Tài liệu hiện có không đề cập đến nội dung này.", []));
    expect(refusal).toBe("Tài liệu hiện có không đề cập đến nội dung này.");
    expect(formatAnswerText(answer("   ", []))).toBe("Xin lỗi, mình chưa có câu trả lời cho câu hỏi này.");
  });

  it("/nguon lists each source with its quote; /nguon N shows the passage, the quote and where it is from", () => {
    const sources = formatSourcesText("muc tieu tang truong kinh te", answer("…", [citation(1)]));
    expect(sources).toContain("Câu hỏi: muc tieu tang truong kinh te");
    expect(sources).toContain(`[1] ${TITLE} › ${SECTION} (Kinh tế & Đô thị, 02/03/2026)\n“${QUOTE}”\n${URL}`);

    const passage = `Hà Nội đã sẵn sàng. ${QUOTE} Thành phố sẽ tổ chức thực hiện ngay.`;
    const view = {
      passage: {
        chunkId: "44c17b519ee950fb0fb1",
        ordinal: 3,
        headingPath: [SECTION],
        text: passage,
        sentences: [],
      },
      document: {
        id: 1,
        path: "a.md",
        title: TITLE,
        url: URL,
        publisher: "Kinh tế & Đô thị",
        published: "2026-03-02",
      },
    } as PassageView;
    const shown = formatPassageText(citation(1), view);
    expect(shown).toBe(
      `[1] ${TITLE}\n${SECTION}\n\nCâu được trích: “${QUOTE}”\n\nĐoạn gốc:\n${passage}\n\n` +
        `Kinh tế & Đô thị, 02/03/2026\nĐọc bài gốc: ${URL}`,
    );
    // The document was re-ingested since: the quote kept with the answer is still shown.
    expect(formatPassageText(citation(1), undefined)).toContain(`Câu được trích: “${QUOTE}”`);
  });

  it("/tailieu lists the documents with publisher, date, size and link, and says which were scanned", () => {
    const text = formatDocumentsText([
      {
        id: 1,
        path: "a.md",
        title: TITLE,
        url: URL,
        publisher: "Kinh tế & Đô thị",
        published: "2026-03-02",
        scanned: false,
        contentHash: "x",
        chunkCount: 12,
        ingestedAt: "2026-03-03T00:00:00Z",
      },
      {
        id: 2,
        path: "quet.pdf",
        title: "Chương trình hành động (bản quét)",
        scanned: true,
        contentHash: "y",
        chunkCount: 3,
        ingestedAt: "2026-03-04T00:00:00Z",
      },
    ]);
    expect(text).toBe(
      `Tài liệu trong kho (2):\n\n1. ${TITLE}\nKinh tế & Đô thị, 02/03/2026, 12 đoạn\n${URL}\n\n` +
        "2. Chương trình hành động (bản quét)\n3 đoạn, văn bản quét",
    );
    expect(formatDocumentsText([])).toBe("Kho tài liệu đang trống.");
  });
});

describe("splitting replies into Zalo messages (≤ 2,000 characters)", () => {
  const sentence = (i: number) =>
    `Câu ${i}: Thành phố tiếp tục hoàn thiện thể chế, quy hoạch và mô hình phát triển mới, phấn đấu tăng trưởng 11% [1].`;

  it("splits a 3,000-character answer between sentences into two messages, sources in the last", () => {
    const sentences = Array.from({ length: 28 }, (_, i) => sentence(i + 1));
    const text = `${sentences.join(" ")}\n\nNguồn:\n[1] ${TITLE} › ${SECTION}\n${URL}`;
    expect(text.length).toBeGreaterThan(3_000);
    const pieces = splitMessage(text);
    expect(pieces).toHaveLength(2);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(2_000);
      expect(piece.trim()).toBe(piece);
      expect(piece.length).toBeGreaterThan(0);
    }
    // Cut between two sentences, nothing lost or reordered.
    expect(pieces[0]).toMatch(/\[1\]\.$/);
    expect(pieces[1]).toMatch(/^Câu \d+:/);
    expect(pieces.join(" ").replace(/\s+/g, " ")).toBe(text.replace(/\s+/g, " "));
    expect(pieces[1]).toContain(`Nguồn:\n[1] ${TITLE}`);
  });

  it("keeps paragraphs whole when they fit, and a short reply in one message", () => {
    expect(splitMessage("Xin chào!\n\n\nGõ /help để xem các lệnh.")).toEqual([
      "Xin chào!\n\nGõ /help để xem các lệnh.",
    ]);
    const paragraphs = Array.from({ length: 6 }, (_, i) => `${sentence(i)} ${sentence(i + 100)}`.repeat(3));
    const pieces = splitMessage(paragraphs.join("\n\n"));
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(2_000);
      for (const part of piece.split("\n\n")) expect(paragraphs).toContain(part);
    }
    expect(pieces.join("\n\n")).toBe(paragraphs.join("\n\n"));
  });

  it("cuts a sentence longer than a message between words, and a giant word between characters", () => {
    const words = Array.from({ length: 500 }, (_, i) => `từ${i}`).join(" ");
    const giant = "x".repeat(4_500);
    const pieces = splitMessage(`${words}\n\n${giant}`);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(2_000);
      expect(piece.length).toBeGreaterThan(0);
    }
    const wordPieces = pieces.filter((p) => p.startsWith("từ"));
    expect(wordPieces.join(" ") === words).toBe(true);
    expect(pieces.filter((p) => p.startsWith("x")).join("") === giant).toBe(true);
    expect(wordPieces.length + 3).toBe(pieces.length);
  });

  it("never returns an empty message", () => {
    expect(splitMessage("")).toEqual([]);
    expect(splitMessage(" \n\n \n")).toEqual([]);
  });
});

describe("per-user rate limit", () => {
  it("allows the budget, warns once, then drops until the window passes; users are counted apart", async () => {
    let now = 0;
    const limiter = createRateLimiter({ limit: 2, timeFrameMs: 10_000, now: () => now });
    const verdicts = [];
    for (const u of ["lan", "lan", "lan", "lan", "minh"]) verdicts.push(await limiter.hit(u));
    expect(verdicts).toEqual(["allow", "allow", "warn", "drop", "allow"]);
    now = 10_000;
    expect(await limiter.hit("lan")).toBe("allow");
  });
});
