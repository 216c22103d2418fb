import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Document, FootnoteReferenceRun, HeadingLevel, Packer, Paragraph, TextRun } from "docx";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  LoadError,
  loadDocument,
  SUPPORTED_EXTENSIONS,
  UnsupportedTypeError,
} from "../../ingest/loaders/index.ts";

const TWELVE_GROUPS =
  "Chương trình hành động xác định 12 nhóm nhiệm vụ chủ yếu, thay cho 10 nhóm nhiệm vụ trước đây.";
const GROWTH = "Hà Nội phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031.";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "loaders-test-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** The error a promise rejects with, so a test can check its class and message together. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error("expected the promise to reject");
}

function expectPlainLoadError(error: Error, message: RegExp): void {
  expect(error).toBeInstanceOf(LoadError);
  expect(error.message).toMatch(message);
  // A user reads this message: no stack frames, no multi-line code frames.
  expect(error.message).not.toMatch(/\n|\bat .+:\d+:\d+/);
}

describe("loadDocument dispatch", () => {
  it("lists exactly the extensions it reads", () => {
    expect(SUPPORTED_EXTENSIONS).toEqual([
      ".md",
      ".markdown",
      ".txt",
      ".html",
      ".htm",
      ".pdf",
      ".docx",
      ".png",
      ".jpg",
      ".jpeg",
    ]);
  });

  it("rejects an .xlsx file with UnsupportedTypeError, before trying to read it", async () => {
    const error = await rejection(loadDocument(join(dir, "does-not-exist.xlsx")));
    expect(error).toBeInstanceOf(UnsupportedTypeError);
    expect(error.message).toContain(".xlsx");
  });

  it("reads the extension case-insensitively", async () => {
    const path = await fixture("GHI-CHU.TXT", `Ghi chú\n\n${GROWTH}\n`);
    await expect(loadDocument(path)).resolves.toEqual({
      title: "Ghi chú",
      blocks: [{ kind: "paragraph", text: GROWTH }],
    });
  });

  it("turns a missing file into a LoadError", async () => {
    const error = await rejection(loadDocument(join(dir, "khong-co.md")));
    expectPlainLoadError(error, /cannot read the file.*no such file/);
  });
});

describe("Markdown", () => {
  it("reads front matter, headings, paragraphs and list items, with inline markup removed", async () => {
    const source = [
      "---",
      "title: Chương trình hành động của Thành ủy Hà Nội",
      "url: https://hanoi.example.vn/chuong-trinh-hanh-dong",
      "publisher: Thành ủy Hà Nội",
      "author: Ban Tuyên giáo",
      "published: 2026-01-20",
      "tags: [nghị quyết]",
      "---",
      "",
      "# Phần I. Mục tiêu #",
      "",
      "Chương trình hành động xác định **12 nhóm nhiệm vụ** chủ yếu,",
      "thay cho 10 nhóm nhiệm vụ trước đây.",
      "",
      "## Chỉ tiêu chủ yếu",
      "",
      "- Hà Nội phấn đấu đạt *tăng trưởng kinh tế* từ 11% trở lên",
      "  trong nhiệm kỳ 2026-2031.",
      "* Xem [toàn văn](https://hanoi.example.vn/toan-van) và `phụ lục`.",
      "1. Hoàn thành chuyển đổi số",
    ].join("\n");
    const path = await fixture("chuong-trinh.md", source);

    await expect(loadDocument(path)).resolves.toEqual({
      title: "Chương trình hành động của Thành ủy Hà Nội",
      url: "https://hanoi.example.vn/chuong-trinh-hanh-dong",
      publisher: "Thành ủy Hà Nội",
      author: "Ban Tuyên giáo",
      published: "2026-01-20",
      blocks: [
        { kind: "heading", level: 1, text: "Phần I. Mục tiêu" },
        { kind: "paragraph", text: TWELVE_GROUPS },
        { kind: "heading", level: 2, text: "Chỉ tiêu chủ yếu" },
        { kind: "paragraph", text: GROWTH },
        { kind: "paragraph", text: "Xem toàn văn và phụ lục." },
        { kind: "paragraph", text: "Hoàn thành chuyển đổi số" },
      ],
    });
  });

  it("takes the first level-1 heading as the title when there is no front matter", async () => {
    const source = `# Chương trình hành động\n\n${GROWTH}\n\n## Nhiệm vụ\n\n${TWELVE_GROUPS}\n`;
    const doc = await loadDocument("nghi-quyet.markdown", Buffer.from(source));
    expect(doc).toEqual({
      title: "Chương trình hành động",
      blocks: [
        { kind: "paragraph", text: GROWTH },
        { kind: "heading", level: 2, text: "Nhiệm vụ" },
        { kind: "paragraph", text: TWELVE_GROUPS },
      ],
    });
  });

  it("normalises decomposed (NFD) input to NFC", async () => {
    const source = `---\ntitle: ${"Nghị quyết Đại hội".normalize("NFD")}\n---\n\n${GROWTH.normalize("NFD")}\n`;
    expect(source).not.toContain(GROWTH);
    const doc = await loadDocument("nfd.md", Buffer.from(source));
    expect(doc.title).toBe("Nghị quyết Đại hội");
    expect(doc.blocks).toEqual([{ kind: "paragraph", text: GROWTH }]);
  });

  it("reads setext headings, table rows, task items and code fences as plain blocks", async () => {
    const source = [
      "Nhiệm vụ trọng tâm",
      "------------------",
      "",
      "| Chỉ tiêu | Mục tiêu |",
      "|---|:---:|",
      "| Tăng trưởng GRDP | từ 11% |",
      "",
      "- [x] Ban hành chương trình",
      "  - [ ] Sơ kết \\*hằng năm\\*",
      "",
      "```",
      "# không phải tiêu đề",
      "```",
    ].join("\n");
    const doc = await loadDocument("bang.md", Buffer.from(source));
    expect(doc.blocks).toEqual([
      { kind: "heading", level: 2, text: "Nhiệm vụ trọng tâm" },
      { kind: "paragraph", text: "Chỉ tiêu | Mục tiêu" },
      { kind: "paragraph", text: "Tăng trưởng GRDP | từ 11%" },
      { kind: "paragraph", text: "Ban hành chương trình" },
      { kind: "paragraph", text: "Sơ kết *hằng năm*" },
      { kind: "paragraph", text: "# không phải tiêu đề" },
    ]);
  });

  it("rejects front matter whose published value is not a date", async () => {
    const source = `---\ntitle: Nghị quyết\npublished: đầu năm 2026\n---\n\n${GROWTH}\n`;
    const error = await rejection(loadDocument("bad-date.md", Buffer.from(source)));
    expectPlainLoadError(error, /invalid front matter: published: must be a date/);
  });

  it("rejects front matter that is not valid YAML", async () => {
    const source = `---\ntitle: [Nghị quyết\n---\n\n${GROWTH}\n`;
    const error = await rejection(loadDocument("bad-yaml.md", Buffer.from(source)));
    expectPlainLoadError(error, /invalid front matter: the YAML does not parse/);
  });
});

describe("plain text", () => {
  it("strips the BOM, takes a short first line as the title and joins wrapped lines", async () => {
    const source = `\uFEFFChương trình hành động\r\n\r\nChương trình hành động xác định 12 nhóm nhiệm vụ chủ yếu,\r\nthay cho 10 nhóm nhiệm vụ trước đây.\r\n\r\n\r\n${GROWTH}\r\n`;
    const doc = await loadDocument(await fixture("chuong-trinh.txt", source));
    expect(doc).toEqual({
      title: "Chương trình hành động",
      blocks: [
        { kind: "paragraph", text: TWELVE_GROUPS },
        { kind: "paragraph", text: GROWTH },
      ],
    });
  });

  it("has no title when the first paragraph is a sentence", async () => {
    const doc = await loadDocument("cau.txt", Buffer.from(`${GROWTH}\n\n${TWELVE_GROUPS}\n`));
    expect(doc).toEqual({
      blocks: [
        { kind: "paragraph", text: GROWTH },
        { kind: "paragraph", text: TWELVE_GROUPS },
      ],
    });
  });

  it("rejects bytes that are not UTF-8", async () => {
    const path = await fixture("hong.txt", Buffer.from([0xff, 0xfe, 0xc3, 0x28]));
    const error = await rejection(loadDocument(path));
    expectPlainLoadError(error, /invalid UTF-8/);
  });
});

describe("HTML", () => {
  const page = `<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <title>Chương trình hành động của Thành ủy Hà Nội</title>
  <link rel="canonical" href="https://hanoimoi.example.vn/chuong-trinh-hanh-dong">
  <meta property="og:site_name" content="Báo Hà Nội Mới">
  <meta name="author" content="Nguyễn Văn An">
  <meta property="article:published_time" content="2026-01-20T08:30:00+07:00">
  <style>.menu { color: red; }</style>
  <script>window.tracking = "Chuyên mục thời sự";</script>
</head>
<body>
  <nav class="menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/thoi-su">Thời sự</a></li></ul></nav>
  <article>
    <h1>Chương trình hành động của Thành ủy Hà Nội</h1>
    <p>Chương trình hành động   xác định <strong>12 nhóm nhiệm vụ</strong> chủ yếu,
       thay cho 10 nhóm nhiệm vụ trước đây.</p>
    <h2>Mục tiêu tăng trưởng</h2>
    <p>${GROWTH}</p>
    <ul><li>Phát triển hạ tầng giao thông</li><li>Đẩy mạnh chuyển đổi số</li></ul>
    <blockquote>Phát huy truyền thống Thủ đô ngàn năm văn hiến.</blockquote>
  </article>
  <footer><p>Bản quyền thuộc về Báo Hà Nội Mới</p></footer>
  <script>console.log("Quảng cáo");</script>
</body>
</html>`;

  it("keeps only the article text, with the page metadata", async () => {
    const doc = await loadDocument(await fixture("bai-viet.html", page));
    expect(doc).toEqual({
      title: "Chương trình hành động của Thành ủy Hà Nội",
      url: "https://hanoimoi.example.vn/chuong-trinh-hanh-dong",
      author: "Nguyễn Văn An",
      published: "2026-01-20",
      publisher: "Báo Hà Nội Mới",
      blocks: [
        { kind: "paragraph", text: TWELVE_GROUPS },
        { kind: "heading", level: 2, text: "Mục tiêu tăng trưởng" },
        { kind: "paragraph", text: GROWTH },
        { kind: "paragraph", text: "Phát triển hạ tầng giao thông" },
        { kind: "paragraph", text: "Đẩy mạnh chuyển đổi số" },
        { kind: "paragraph", text: "Phát huy truyền thống Thủ đô ngàn năm văn hiến." },
      ],
    });
    const allText = doc.blocks.map((block) => block.text).join("\n");
    for (const chrome of ["Trang chủ", "Thời sự", "Bản quyền", "Quảng cáo", "tracking", "color"]) {
      expect(allText).not.toContain(chrome);
    }
  });

  it("takes og:url when there is no canonical link", async () => {
    const html = `<html><head><meta property="og:url" content="https://example.vn/bai-1"></head><body><p>${GROWTH}</p></body></html>`;
    const doc = await loadDocument("og.htm", Buffer.from(html));
    expect(doc.url).toBe("https://example.vn/bai-1");
    expect(doc.blocks).toEqual([{ kind: "paragraph", text: GROWTH }]);
  });

  it("rejects a page that is not UTF-8 and declares no other charset", async () => {
    const bytes = Buffer.concat([Buffer.from("<html><body><p>"), Buffer.from([0xff, 0xfe, 0xc3, 0x28])]);
    const error = await rejection(loadDocument("hong.html", bytes));
    expectPlainLoadError(error, /invalid UTF-8/);
  });

  it("decodes a page that declares windows-1258 and composes its combining marks to NFC", async () => {
    // "Hà Nội" in windows-1258: "ộ" is "ô" (0xF4) followed by a combining dot below (0xF2).
    const hanoi = [0x48, 0xe0, 0x20, 0x4e, 0xf4, 0xf2, 0x69];
    const bytes = Buffer.concat([
      Buffer.from('<html><head><meta charset="windows-1258"></head><body><p>'),
      Buffer.from(hanoi),
      Buffer.from("</p></body></html>"),
    ]);
    const doc = await loadDocument("cu.html", bytes);
    expect(doc.blocks).toEqual([{ kind: "paragraph", text: "Hà Nội" }]);
  });
});

describe("versions in front matter", () => {
  it("reads `effective` as a date and `supersedes` as one document or a list", async () => {
    const one = await loadDocument(
      "ke-hoach-2026.md",
      Buffer.from(
        "---\ntitle: Kế hoạch 2026\neffective: 01/07/2026\nsupersedes: ke-hoach-2025.md\n---\n\nNội dung.",
      ),
    );
    expect(one).toMatchObject({ effective: "2026-07-01", supersedes: ["ke-hoach-2025.md"] });
    const list = await loadDocument(
      "ke-hoach.md",
      Buffer.from("---\nsupersedes:\n  - ke-hoach-2024.md\n  - Kế hoạch 2025\n---\n\nNội dung."),
    );
    expect(list.supersedes).toEqual(["ke-hoach-2024.md", "Kế hoạch 2025"]);
  });

  it("refuses an `effective` that is not a date, naming the field", async () => {
    const error = await rejection(
      loadDocument("sai.md", Buffer.from("---\neffective: sắp tới\n---\n\nNội dung.")),
    );
    expectPlainLoadError(error, /invalid front matter: effective: must be a date/);
  });
});

describe("PDF", () => {
  // The standard PDF fonts cannot encode Vietnamese diacritics, so this fixture is ASCII.
  async function pdfFixture(pages: string[][], title?: string): Promise<Uint8Array> {
    const pdf = await PDFDocument.create();
    if (title) pdf.setTitle(title);
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    for (const lines of pages) {
      const page = pdf.addPage();
      lines.forEach((line, index) => {
        page.drawText(line, { x: 50, y: 750 - index * 16, size: 12, font });
      });
    }
    return pdf.save();
  }

  it("reads the title from the metadata and the text as paragraphs with their pages, quietly", async () => {
    const bytes = await pdfFixture(
      [
        ["Ha Noi dat muc tieu tang truong kinh te", "tu 11% tro len trong nhiem ky 2026-2031."],
        ["Chuong trinh xac dinh 12 nhom nhiem vu chu yeu."],
      ],
      "Chuong trinh hanh dong",
    );
    const path = await fixture("chuong-trinh.pdf", bytes);
    const log = vi.spyOn(console, "log");
    const warn = vi.spyOn(console, "warn");
    try {
      await expect(loadDocument(path)).resolves.toEqual({
        title: "Chuong trinh hanh dong",
        blocks: [
          {
            kind: "paragraph",
            text: "Ha Noi dat muc tieu tang truong kinh te tu 11% tro len trong nhiem ky 2026-2031.",
            page: 1,
          },
          { kind: "paragraph", text: "Chuong trinh xac dinh 12 nhom nhiem vu chu yeu.", page: 2 },
        ],
      });
      expect(log).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });

  it("rejects corrupt bytes with a LoadError, without pdf.js warnings", async () => {
    const log = vi.spyOn(console, "log");
    try {
      const error = await rejection(loadDocument("hong.pdf", Buffer.from("%PDF-1.7\nday khong phai PDF")));
      expectPlainLoadError(error, /not a valid PDF file/);
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });

  it("rejects a PDF without a text layer, naming the likely cause", async () => {
    const bytes = await pdfFixture([[]]);
    const error = await rejection(loadDocument("scan.pdf", Buffer.from(bytes)));
    expectPlainLoadError(error, /no extractable text.*scanned/);
  });
});

describe("DOCX", () => {
  async function docxFixture(): Promise<Buffer> {
    const document = new Document({
      sections: [
        {
          children: [
            new Paragraph({ text: "Chương trình hành động của Thành ủy", heading: HeadingLevel.HEADING_1 }),
            new Paragraph({
              children: [
                new TextRun("Chương trình hành động xác định "),
                new TextRun({ text: "12 nhóm nhiệm vụ", bold: true }),
                new TextRun(" chủ yếu, thay cho 10 nhóm nhiệm vụ trước đây."),
              ],
            }),
            new Paragraph({ text: "Mục tiêu tăng trưởng", heading: HeadingLevel.HEADING_2 }),
            new Paragraph({ text: GROWTH }),
            new Paragraph({ text: "Đẩy mạnh chuyển đổi số", bullet: { level: 0 } }),
          ],
        },
      ],
    });
    return Packer.toBuffer(document);
  }

  it("maps headings, paragraphs and list items, taking the leading Heading 1 as the title", async () => {
    const path = await fixture("chuong-trinh.docx", await docxFixture());
    await expect(loadDocument(path)).resolves.toEqual({
      title: "Chương trình hành động của Thành ủy",
      blocks: [
        { kind: "paragraph", text: TWELVE_GROUPS },
        { kind: "heading", level: 2, text: "Mục tiêu tăng trưởng" },
        { kind: "paragraph", text: GROWTH },
        { kind: "paragraph", text: "Đẩy mạnh chuyển đổi số" },
      ],
    });
  });

  it("takes Word's Title style as the title and drops footnote back-links", async () => {
    const document = new Document({
      footnotes: { 1: { children: [new Paragraph("Theo Chương trình hành động số 01-CTr/TU.")] } },
      sections: [
        {
          children: [
            new Paragraph({ text: "Sổ tay Nghị quyết", heading: HeadingLevel.TITLE }),
            new Paragraph({ children: [new TextRun(GROWTH), new FootnoteReferenceRun(1)] }),
          ],
        },
      ],
    });
    const doc = await loadDocument("so-tay.docx", await Packer.toBuffer(document));
    expect(doc).toEqual({
      title: "Sổ tay Nghị quyết",
      blocks: [
        { kind: "paragraph", text: `${GROWTH}[1]` },
        { kind: "paragraph", text: "Theo Chương trình hành động số 01-CTr/TU." },
      ],
    });
  });

  it("rejects a file that is not a DOCX with a LoadError", async () => {
    const error = await rejection(loadDocument("hong.docx", Buffer.from("đây không phải tệp Word")));
    expectPlainLoadError(error, /not a valid DOCX file/);
  });
});
