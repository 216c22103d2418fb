import { PDFDocument, StandardFonts } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { chunkDocument } from "../../ingest/chunk-document.ts";
import { cleanDocument } from "../../ingest/clean-document.ts";
import { loadDocument } from "../../ingest/loaders/index.ts";
import { pageBlocks } from "../../ingest/loaders/page-blocks.ts";
import { pageAndScanLabel, toCitation } from "../../src/contract/citation.ts";

/** What OCR or a PDF's text layer gives for the pages of a printed programme. */
const PAGE_1 = `THÀNH ỦY HÀ NỘI
Chương trình hành động số 01-CTr/TU

Phấn đấu tốc độ tăng trưởng GRDP bình quân
giai đoạn 2026-
2031 đạt từ 11% trở lên.

Thành phố tập trung phát triển kinh tế-
xã hội, hoàn thiện thể chế và đẩy mạnh
|
- 1 -`;

const PAGE_2 = `THÀNH ỦY HÀ NỘI
Chương trình hành động số 01-CTr/TU
chuyển đổi số trong toàn bộ hệ thống chính trị.

Cuối nhiệm kỳ, 100% thủ tục hành chính được giải quyết trực tuyến.
~ —
- 2 -`;

describe("page text cleaned of layout and OCR debris", () => {
  const blocks = pageBlocks([
    { number: 1, text: PAGE_1 },
    { number: 2, text: PAGE_2 },
  ]);

  it("drops the running header, page numbers and debris lines; joins broken lines and ranges", () => {
    expect(blocks.map((b) => b.text)).toEqual([
      "Phấn đấu tốc độ tăng trưởng GRDP bình quân giai đoạn 2026-2031 đạt từ 11% trở lên.",
      "Thành phố tập trung phát triển kinh tế-xã hội, hoàn thiện thể chế và đẩy mạnh chuyển đổi số trong toàn bộ hệ thống chính trị.",
      "Cuối nhiệm kỳ, 100% thủ tục hành chính được giải quyết trực tuyến.",
    ]);
  });

  it("keeps a paragraph cut by a page break whole, on both pages", () => {
    expect(blocks.map((b) => (b.kind === "paragraph" ? [b.page, b.lastPage] : []))).toEqual([
      [1, undefined],
      [1, 2],
      [2, undefined],
    ]);
  });

  it("joins a word hyphenated at a line's end, and normalises to NFC", () => {
    const [block] = pageBlocks([{ number: 1, text: "the infor-\nmation age\nHa\u0300 Nội" }]);
    expect(block?.text).toBe("the information age Hà Nội");
  });

  it("keeps a line that repeats at the top of only one page of three", () => {
    const pages = ["Mục tiêu", "Nhiệm vụ", "Giải pháp"].map((title, i) => ({
      number: i + 1,
      text: `${i === 0 ? "Chương trình hành động\n\n" : ""}${title}\n\nNội dung của phần ${title.toLowerCase()}.`,
    }));
    expect(pageBlocks(pages)[0]?.text).toBe("Chương trình hành động");
  });
});

describe("page numbers of passages", () => {
  it("are 'trang 12' for one page, 'trang 12-13' across a page break, and say when text was scanned", () => {
    expect(pageAndScanLabel({ pages: { first: 12, last: 12 } })).toBe("trang 12");
    expect(pageAndScanLabel({ pages: { first: 12, last: 13 }, scanned: true })).toBe(
      "trang 12-13 (văn bản quét)",
    );
    expect(pageAndScanLabel({})).toBe("");
  });

  it("of a text PDF: a passage running onto the next page is cited with both", async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    const pages = [
      [
        "Ha Noi dat muc tieu tang truong kinh te tu 11% tro len",
        "trong nhiem ky 2026-2031 va thu nhap binh quan",
      ],
      ["dau nguoi dat tren 12.000 USD vao cuoi nhiem ky."],
    ];
    for (const lines of pages) {
      const page = pdf.addPage();
      lines.forEach((line, i) => {
        page.drawText(line, { x: 50, y: 750 - i * 16, size: 12, font });
      });
    }
    const loaded = await loadDocument("ke-hoach.pdf", Buffer.from(await pdf.save()));
    const { chunks } = chunkDocument(cleanDocument(loaded, "Ke hoach"), "ke-hoach.pdf");
    expect(chunks).toHaveLength(1);
    const passage = chunks[0] as (typeof chunks)[number];
    expect(passage.pages).toEqual({ first: 1, last: 2 });
    const citation = toCitation(
      1,
      { ...passage, chunkId: passage.id, document: { id: 1, path: "ke-hoach.pdf", title: "Ke hoach" } },
      "12.000 USD",
    );
    expect(pageAndScanLabel(citation)).toBe("trang 1-2");
  });
});
