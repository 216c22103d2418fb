import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  EXAMPLE_DATA,
  encodeButton,
  FEEDBACK_DATA,
  SOURCE_DATA,
} from "../../../src/channels/telegram/callback-data.ts";
import { clauseFor } from "../../../src/channels/telegram/features/inline.ts";
import {
  escapeHtml,
  formatAnswerHtml,
  formatPassageHtml,
  splitHtml,
  TELEGRAM_MAX_CHARS,
} from "../../../src/channels/telegram/format.ts";
import { sanitizeFileName, saveUpload } from "../../../src/channels/telegram/upload.ts";
import type { Answer, Citation } from "../../../src/contract/answer.ts";
import { telegramHtmlProblems } from "../../helpers/telegram.ts";

const citation: Citation = {
  n: 1,
  document: "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống",
  section: "Xác lập định hướng chiến lược, nâng tầm phát triển Thủ đô",
  url: "https://kinhtedothi.vn/ha-noi-tien-phong-dua-nghi-quyet-xiv-cua-dang-vao-cuoc-song.984469.html",
  publisher: "Kinh tế & Đô thị",
  quote: "phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031.",
  chunkId: "0123456789abcdef0123",
};

const visibleText = (html: string) =>
  html
    .replace(/<[^>]*>/g, "")
    .replace(/\s+/g, " ")
    .trim();

describe("Telegram HTML", () => {
  it("escapes every character Telegram's HTML parser treats specially", () => {
    expect(escapeHtml(`<b>"Kinh tế & Đô thị"</b>`)).toBe(
      "&lt;b&gt;&quot;Kinh tế &amp; Đô thị&quot;&lt;/b&gt;",
    );
  });

  it("formats an answer with its markers, a compact source list and a link", () => {
    const answer: Answer = {
      question: "muc tieu tang truong",
      answer: "Hà Nội phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên [1].",
      found: true,
      mode: "extractive",
      citations: [citation],
      ms: 3,
    };
    expect(formatAnswerHtml(answer)).toBe(
      "Hà Nội phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên [1].\n\n<b>Nguồn</b>\n" +
        `[1] <a href="${citation.url}">Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống</a> › ` +
        "Xác lập định hướng chiến lược, nâng tầm phát triển Thủ đô",
    );
  });

  it("never turns a non-web link or corpus markup into HTML", () => {
    const html = formatAnswerHtml({
      question: "q",
      answer: "Theo <i>tài liệu</i> [1].",
      found: true,
      mode: "extractive",
      citations: [{ ...citation, url: "javascript:alert(1)", document: "Báo cáo <số 1> & phụ lục" }],
      ms: 1,
    });
    expect(telegramHtmlProblems(html)).toEqual([]);
    expect(html).not.toContain("javascript:");
    expect(html).toContain("Báo cáo &lt;số 1&gt; &amp; phụ lục");
    expect(html).toContain("Theo &lt;i&gt;tài liệu&lt;/i&gt; [1].");
  });

  it("shows the passage with the quoted sentence in bold, or the quote alone when the passage is gone", () => {
    const text = `Để Nghị quyết đi vào cuộc sống, Thành phố ${citation.quote} Đây là mục tiêu cao.`;
    const view = {
      passage: { chunkId: citation.chunkId, ordinal: 3, headingPath: [], text, sentences: [] },
      document: {
        id: 1,
        path: "a.md",
        title: citation.document,
        url: citation.url,
        publisher: "Kinh tế & Đô thị",
      },
    };
    const html = formatPassageHtml(citation, view);
    expect(html).toContain(`Thành phố <b>${citation.quote}</b> Đây là mục tiêu cao.`);
    expect(html).toContain("Kinh tế &amp; Đô thị");
    expect(telegramHtmlProblems(html)).toEqual([]);
    expect(formatPassageHtml(citation, undefined)).toContain(`“<b>${citation.quote}</b>”`);
  });

  it("keeps a short message whole and never returns an empty piece", () => {
    expect(splitHtml("Xin chào <b>bạn</b>.")).toEqual(["Xin chào <b>bạn</b>."]);
    expect(splitHtml("\n\n \n\n")).toEqual([]);
  });

  it("splits at paragraph boundaries, packing paragraphs up to the limit", () => {
    const paragraphs = Array.from(
      { length: 9 },
      (_, i) => `Đoạn ${i + 1}. ${"Hà Nội phát triển. ".repeat(30).trim()}`,
    );
    const pieces = splitHtml(paragraphs.join("\n\n"), 1_500);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(1_500);
      // each piece is made of whole paragraphs
      for (const p of piece.split("\n\n")) expect(paragraphs).toContain(p);
    }
    expect(pieces.join("\n\n")).toBe(paragraphs.join("\n\n"));
  });

  it("cuts a paragraph longer than a message between words, closing and reopening its tags", () => {
    const sentence = "Thành phố tiếp tục hoàn thiện thể chế & quy hoạch. ";
    const html =
      `Mở đầu ${sentence.repeat(60)}<b>${sentence.repeat(150)}</b> <a href="https://kinhtedothi.vn/a?x=1&amp;y=2">${sentence.repeat(40)}</a> kết thúc.`.replace(
        /&(?!amp;)/g,
        "&amp;",
      );
    expect(html.length).toBeGreaterThan(2 * TELEGRAM_MAX_CHARS);
    const pieces = splitHtml(html);
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(TELEGRAM_MAX_CHARS);
      expect(telegramHtmlProblems(piece)).toEqual([]);
      expect(piece).not.toMatch(/&[a-z]*$/);
    }
    expect(visibleText(pieces.join(" "))).toBe(visibleText(html));
  });
});

describe("Telegram buttons", () => {
  it("fit in 64 bytes and are recognised by the handler they are meant for, and only by it", () => {
    const patterns = [SOURCE_DATA, FEEDBACK_DATA, EXAMPLE_DATA];
    const cases = [
      [
        encodeButton({ kind: "source", answerId: "QSZn96kasPZm", n: 12 }),
        SOURCE_DATA,
        ["QSZn96kasPZm", "12"],
      ],
      [
        encodeButton({ kind: "feedback", answerId: "QSZn96kasPZm", up: false }),
        FEEDBACK_DATA,
        ["QSZn96kasPZm", "d"],
      ],
      [encodeButton({ kind: "example", index: 2 }), EXAMPLE_DATA, ["2"]],
    ] as const;
    for (const [data, pattern, groups] of cases) {
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(pattern.exec(data)?.slice(1)).toEqual(groups);
      expect(patterns.filter((p) => p.test(data))).toEqual([pattern]);
    }
    for (const forged of ["s:../../etc:1", "f:abc:x", "q:", "s:abc:1:extra"]) {
      expect(patterns.some((p) => p.test(forged))).toBe(false);
    }
  });

  it("picks the clause each marker closes, for inline results", () => {
    const answer = "Hà Nội xác định 12 nhóm nhiệm vụ [1] … và 43 chỉ tiêu chủ yếu. [2]";
    expect(clauseFor(answer, 1)).toBe("Hà Nội xác định 12 nhóm nhiệm vụ");
    expect(clauseFor(answer, 2)).toBe("… và 43 chỉ tiêu chủ yếu.");
    expect(clauseFor(answer, 3)).toBe("");
  });
});

describe("Telegram uploads", () => {
  it.each([
    ["../../../etc/passwd.md", "passwd.md"],
    ["..\\..\\Windows\\win.ini.txt", "win.ini.txt"],
    ["/etc/cron.d/job.html", "job.html"],
    [".hidden.md", "hidden.md"],
    ["Nghị quyết 01 (bản cuối).DOCX", "Nghị-quyết-01-bản-cuối.docx"],
    ["báo cáo.PDF", "báo-cáo.pdf"],
    ["virus.exe", undefined],
    ["no-extension", undefined],
    ["tai-lieu.md.exe", undefined],
  ])("sanitises %j to %j", (name, expected) => {
    expect(sanitizeFileName(name)).toBe(expected);
  });

  it("names a file that has nothing left of its name", () => {
    expect(sanitizeFileName("..md")).toMatch(/^tai-lieu-\d+\.md$/);
    expect(sanitizeFileName("???.txt")).toMatch(/^tai-lieu-\d+\.txt$/);
  });

  it("writes only inside <corpus>/uploads, and undo puts back the previous version", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sotay-upload-"));
    try {
      await expect(saveUpload(dir, "../escape.md", Buffer.from("x"))).rejects.toThrow("không hợp lệ");
      const first = await saveUpload(dir, "de-an.md", Buffer.from("bản 1"));
      expect(first.path).toBe("uploads/de-an.md");
      const second = await saveUpload(dir, "de-an.md", Buffer.from("bản 2"));
      expect(await readFile(join(dir, "uploads", "de-an.md"), "utf8")).toBe("bản 2");
      await second.undo();
      expect(await readFile(join(dir, "uploads", "de-an.md"), "utf8")).toBe("bản 1");
      await first.undo();
      expect(await readdir(join(dir, "uploads"))).toEqual([]);
      expect(await readdir(dir)).toEqual(["uploads"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
