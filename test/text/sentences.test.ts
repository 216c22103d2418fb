import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { splitSentences } from "../../src/text/split-sentences.ts";

const ARTICLE = readFileSync(
  new URL("../../corpus/ha-noi-tien-phong-dua-nghi-quyet-xiv-vao-cuoc-song.md", import.meta.url),
  "utf8",
);
// Body paragraphs of the real article (front matter and headings left out).
const PARAGRAPHS = ARTICLE.replace(/^---\n[\s\S]*?\n---\n/, "")
  .split(/\n\s*\n/)
  .map((p) => p.trim())
  .filter((p) => p && !p.startsWith("#"));

function articleParagraph(prefix: string): string {
  const found = PARAGRAPHS.find((p) => p.startsWith(prefix));
  if (!found) throw new Error(`no paragraph starts with ${prefix}`);
  return found;
}

/** The sentences as a user would see them quoted. */
function sentences(text: string): string[] {
  return splitSentences(text).map(({ start, end }) => text.slice(start, end));
}

describe("splitSentences on the real article", () => {
  it("keeps 1.605 and 1.662.336 inside their sentence", () => {
    const text = articleParagraph("Ngay sau Hội nghị toàn quốc");
    const parts = sentences(text);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(
      /^Ngay sau Hội nghị toàn quốc.*tới 1\.605 điểm cầu, .* 1\.662\.336 cán bộ, .*Đảng bộ\.$/,
    );
    expect(parts[1]).toMatch(/^Đây là quy mô triển khai rất lớn, .*hệ thống chính trị\.$/);
  });

  it("ends a sentence at “Đảng bộ TP.” when a new sentence follows (“Đồng thời bám sát…”)", () => {
    const parts = sentences(articleParagraph("Trên tinh thần triển khai sớm"));
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/thực hiện Nghị quyết Đại hội XVIII Đảng bộ TP\.$/);
    expect(parts[1]).toMatch(/^Đồng thời bám sát các văn kiện Đại hội XIV của Đảng,/);
  });

  it("keeps 11% and 2026-2031 inside one long sentence", () => {
    const text = articleParagraph("Để Nghị quyết đi vào cuộc sống");
    expect(sentences(text)).toEqual([text]);
    expect(text).toContain("từ 11% trở lên trong nhiệm kỳ 2026-2031.");
  });

  it("keeps 2026-2030 and the hyphenated “kinh tế - xã hội” intact", () => {
    const parts = sentences(articleParagraph("Chương trình hành động bổ sung ba phụ lục"));
    expect(parts).toHaveLength(2);
    expect(parts[0]).toContain("kinh tế - xã hội và xây dựng Đảng bộ Thủ đô giai đoạn 2026-2030;");
    expect(parts[0]).toMatch(/công trình trọng điểm\.$/);
    expect(parts[1]).toMatch(/^Việc xác định chỉ tiêu cao hơn/);
  });

  it("keeps a quotation with inner commas and semicolons in its sentence", () => {
    const parts = sentences(articleParagraph("Điểm cốt lõi được chỉ ra"));
    expect(parts).toHaveLength(2);
    expect(parts[1]).toBe(
      "Tinh thần chỉ đạo xuyên suốt là “nói ít, làm nhiều; rõ người, rõ việc, rõ trách nhiệm, rõ sản phẩm; một việc – một đầu mối xuyên suốt”, bảo đảm nghị quyết đi vào cuộc sống ngay từ đầu nhiệm kỳ.",
    );
  });

  it("ends a sentence after a closing quote followed by a period", () => {
    const text = articleParagraph("Mục tiêu xuyên suốt");
    expect(sentences(text)).toEqual([text]);
    expect(sentences(`${text} Đây là câu tiếp theo.`)).toEqual([text, "Đây là câu tiếp theo."]);
  });

  it("splits every paragraph into trimmed spans that cover all of its text", () => {
    for (const text of PARAGRAPHS) {
      const spans = splitSentences(text);
      expect(spans.length).toBeGreaterThan(0);
      expect(spans[0]?.start).toBe(0);
      expect(spans.at(-1)?.end).toBe(text.length);
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i] as { start: number; end: number };
        const part = text.slice(span.start, span.end);
        expect(part).toBe(part.trim());
        expect(part.length).toBeGreaterThan(0);
        if (i > 0) expect(text.slice((spans[i - 1] as { end: number }).end, span.start)).toMatch(/^\s+$/);
      }
    }
  });

  it("splits the intro paragraph at its real sentence end", () => {
    expect(sentences(articleParagraph("Với việc khẩn trương"))).toEqual([
      "Với việc khẩn trương ban hành và đưa Chương trình hành động thực hiện Nghị quyết Đại hội XIV của Đảng vào triển khai.",
      "Đảng bộ TP Hà Nội đã và đang thể hiện quyết tâm chính trị cao, tinh thần tiên phong, gương mẫu, đưa nghị quyết nhanh chóng đi vào cuộc sống bằng những kết quả cụ thể, đo đếm được.",
    ]);
  });
});

describe("splitSentences: numbers, abbreviations and titles", () => {
  it("does not split inside numbers with thousands dots or percentages", () => {
    expect(sentences("Tới 1.605 điểm cầu, với 1.662.336 cán bộ. Đây là quy mô lớn.")).toEqual([
      "Tới 1.605 điểm cầu, với 1.662.336 cán bộ.",
      "Đây là quy mô lớn.",
    ]);
    expect(sentences("Tăng trưởng từ 11% trở lên. Giai đoạn 2026-2030 có 43 chỉ tiêu.")).toEqual([
      "Tăng trưởng từ 11% trở lên.",
      "Giai đoạn 2026-2030 có 43 chỉ tiêu.",
    ]);
  });

  it("splits before a sentence that starts with a number", () => {
    expect(sentences("Đạt 43 chỉ tiêu. 212 nhiệm vụ trọng điểm đã được xác định.")).toEqual([
      "Đạt 43 chỉ tiêu.",
      "212 nhiệm vụ trọng điểm đã được xác định.",
    ]);
  });

  it("keeps “TP. Hà Nội” and other city names together", () => {
    expect(sentences("Lãnh đạo TP. Hà Nội đã chỉ đạo. Đồng thời triển khai.")).toEqual([
      "Lãnh đạo TP. Hà Nội đã chỉ đạo.",
      "Đồng thời triển khai.",
    ]);
    expect(sentences("TP. Hồ Chí Minh và TP. Huế cùng tham gia. TP. Hải Phòng triển khai.")).toEqual([
      "TP. Hồ Chí Minh và TP. Huế cùng tham gia.",
      "TP. Hải Phòng triển khai.",
    ]);
  });

  it("ends the sentence at “TP.” when the next word starts a sentence", () => {
    expect(
      sentences("Rà soát Chương trình số 01 của Đảng bộ TP. Đồng thời bám sát các văn kiện Đại hội XIV."),
    ).toEqual(["Rà soát Chương trình số 01 của Đảng bộ TP.", "Đồng thời bám sát các văn kiện Đại hội XIV."]);
  });

  it("keeps a title before a name: “TS. Nguyễn Văn A”", () => {
    expect(sentences("TS. Nguyễn Văn A phát biểu tại hội nghị. Ông đánh giá cao kết quả.")).toEqual([
      "TS. Nguyễn Văn A phát biểu tại hội nghị.",
      "Ông đánh giá cao kết quả.",
    ]);
    expect(sentences("ThS. Lê Thị B và BS. Trần Văn C tham dự. Câu hai.")).toEqual([
      "ThS. Lê Thị B và BS. Trần Văn C tham dự.",
      "Câu hai.",
    ]);
  });

  it("keeps a compound title before a name: “PGS.TS. Nguyễn Văn A”", () => {
    expect(sentences("Hội nghị do PGS.TS. Nguyễn Văn A chủ trì. Đây là câu hai.")).toEqual([
      "Hội nghị do PGS.TS. Nguyễn Văn A chủ trì.",
      "Đây là câu hai.",
    ]);
  });

  it("ends a sentence after the words “ông” and “bà” (they are not abbreviations)", () => {
    expect(sentences("Hội nghị đã trao Huy hiệu 55 năm tuổi Đảng cho ông. Ông xúc động phát biểu.")).toEqual([
      "Hội nghị đã trao Huy hiệu 55 năm tuổi Đảng cho ông.",
      "Ông xúc động phát biểu.",
    ]);
    expect(sentences("Đây là món quà dành cho bà. Bà rất vui.")).toEqual([
      "Đây là món quà dành cho bà.",
      "Bà rất vui.",
    ]);
  });

  it("keeps initials inside a name", () => {
    expect(sentences("Ông Nguyễn V. A. phát biểu. Đây là câu hai.")).toEqual([
      "Ông Nguyễn V. A. phát biểu.",
      "Đây là câu hai.",
    ]);
  });

  it("keeps “v.v.” inside a sentence, and ends the sentence when it is last", () => {
    expect(
      sentences("Các lĩnh vực kinh tế, văn hóa, xã hội v.v. đều được quan tâm. Đây là điểm mới."),
    ).toEqual(["Các lĩnh vực kinh tế, văn hóa, xã hội v.v. đều được quan tâm.", "Đây là điểm mới."]);
    expect(sentences("Các lĩnh vực kinh tế, văn hóa, xã hội, v.v. Đây là điểm mới.")).toEqual([
      "Các lĩnh vực kinh tế, văn hóa, xã hội, v.v.",
      "Đây là điểm mới.",
    ]);
  });

  it("does not split where the next word is lower case", () => {
    expect(sentences("Câu một. câu hai viết thường.")).toEqual(["Câu một. câu hai viết thường."]);
  });
});

describe("splitSentences: list items", () => {
  it("keeps a numbered list item whole", () => {
    expect(sentences("1. Phát triển kinh tế nhanh và bền vững.")).toEqual([
      "1. Phát triển kinh tế nhanh và bền vững.",
    ]);
    expect(sentences("II. Nhiệm vụ trọng tâm.")).toEqual(["II. Nhiệm vụ trọng tâm."]);
  });

  it("keeps a lettered list item whole", () => {
    expect(sentences("a. Xây dựng Đảng bộ trong sạch, vững mạnh.")).toEqual([
      "a. Xây dựng Đảng bộ trong sạch, vững mạnh.",
    ]);
    expect(sentences("đ. Phát huy dân chủ xã hội chủ nghĩa.")).toEqual([
      "đ. Phát huy dân chủ xã hội chủ nghĩa.",
    ]);
  });

  it("splits consecutive list items in one paragraph, each whole", () => {
    expect(sentences("1. Phát triển kinh tế. 2. Xây dựng Đảng.")).toEqual([
      "1. Phát triển kinh tế.",
      "2. Xây dựng Đảng.",
    ]);
  });
});

describe("splitSentences: quotations", () => {
  it("keeps a quotation of several sentences inside its sentence", () => {
    expect(
      sentences(
        "Phương châm “Hà Nội đã nói là làm. Làm nhanh, làm đúng. Làm đến nơi đến chốn” được quán triệt. Đây là yêu cầu.",
      ),
    ).toEqual([
      "Phương châm “Hà Nội đã nói là làm. Làm nhanh, làm đúng. Làm đến nơi đến chốn” được quán triệt.",
      "Đây là yêu cầu.",
    ]);
  });

  it("ends the sentence at a terminator inside the closing quote", () => {
    expect(sentences("Theo ông, “Đây là nhiệm vụ quan trọng.” Câu tiếp theo.")).toEqual([
      "Theo ông, “Đây là nhiệm vụ quan trọng.”",
      "Câu tiếp theo.",
    ]);
    expect(sentences("Ông hỏi: “Làm thế nào?” Câu hai.")).toEqual(["Ông hỏi: “Làm thế nào?”", "Câu hai."]);
  });

  it("keeps a sentence made of a quotation whole", () => {
    expect(sentences("Câu một. “Trích dẫn hai.” Câu ba.")).toEqual([
      "Câu một.",
      "“Trích dẫn hai.”",
      "Câu ba.",
    ]);
  });

  it("handles balanced straight quotes", () => {
    expect(sentences('Phương châm "nói ít. Làm nhiều" được quán triệt. Câu hai.')).toEqual([
      'Phương châm "nói ít. Làm nhiều" được quán triệt.',
      "Câu hai.",
    ]);
  });

  it("does not let a stray opening quote swallow the rest of the paragraph", () => {
    expect(
      sentences("Ông nói: “làm ngay. Không chậm trễ. Sau đó là đoạn văn dài. Câu thứ tư ở đây."),
    ).toEqual(["Ông nói: “làm ngay.", "Không chậm trễ.", "Sau đó là đoạn văn dài.", "Câu thứ tư ở đây."]);
    expect(sentences('Ông nói: "làm ngay. Không chậm trễ. Câu thứ ba.')).toEqual([
      'Ông nói: "làm ngay.',
      "Không chậm trễ.",
      "Câu thứ ba.",
    ]);
  });

  it("does not let a stray closing quote change the split", () => {
    expect(sentences("Câu một” ngoặc đóng lẻ. Câu hai. Câu ba.")).toEqual([
      "Câu một” ngoặc đóng lẻ.",
      "Câu hai.",
      "Câu ba.",
    ]);
  });
});

describe("splitSentences: terminators and edges", () => {
  it("ends sentences at ? and !", () => {
    expect(sentences("Hà Nội làm gì? Hà Nội làm ngay! Và làm đến cùng.")).toEqual([
      "Hà Nội làm gì?",
      "Hà Nội làm ngay!",
      "Và làm đến cùng.",
    ]);
    expect(sentences("Câu một?! Câu hai.")).toEqual(["Câu một?!", "Câu hai."]);
  });

  it("ends sentences at an ellipsis", () => {
    expect(sentences("Tổng Bí thư Tô Lâm phát biểu… Sau đó hội nghị bế mạc.")).toEqual([
      "Tổng Bí thư Tô Lâm phát biểu…",
      "Sau đó hội nghị bế mạc.",
    ]);
    expect(sentences("Câu một... Câu hai.")).toEqual(["Câu một...", "Câu hai."]);
  });

  it("keeps a closing parenthesis with its sentence", () => {
    expect(sentences("Hỏi đáp (trích dẫn). Câu sau.")).toEqual(["Hỏi đáp (trích dẫn).", "Câu sau."]);
  });

  it("returns the whole text when there is no terminator", () => {
    expect(sentences("Ảnh: Viết Thành")).toEqual(["Ảnh: Viết Thành"]);
  });

  it("trims whitespace, including line breaks, around sentences", () => {
    const text = "  Câu một.  \n Câu hai.  ";
    expect(splitSentences(text)).toEqual([
      { start: 2, end: 10 },
      { start: 14, end: 22 },
    ]);
    expect(sentences(text)).toEqual(["Câu một.", "Câu hai."]);
  });

  it("gives no sentences for empty or blank text", () => {
    expect(splitSentences("")).toEqual([]);
    expect(splitSentences("  \n ")).toEqual([]);
  });
});
