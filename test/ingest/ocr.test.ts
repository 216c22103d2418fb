import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDocument } from "../../ingest/loaders/index.ts";
import { createOcrEngine, type OcrEngine } from "../../ingest/ocr/ocr-engine.ts";
import { runIngest } from "../../ingest/run-ingest.ts";
import { createApp } from "../../src/app.ts";
import { formatSourceLine } from "../../src/channels/telegram/format.ts";
import { formatAnswerText as formatZaloAnswer } from "../../src/channels/zalo/format.ts";
import { formatSource } from "../../src/cli/format-answer.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createCorpusStore } from "../../src/store/corpus-store.ts";
import { openPglite } from "../../src/store/database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { answerAsText } from "../../src/web/client/format.ts";
import { seeded } from "../helpers/pglite-folder.ts";
import { drawPage, type PageContent, scannedPdf } from "../helpers/scanned-page.ts";

/**
 * OCR of page images, on one short page drawn by the test (test/helpers/scanned-page.ts) so the
 * file stays fast: a few seconds a page on one core. One Tesseract worker serves the file's
 * loader tests; the two ingest tests read the scan in a worker thread of the ingest pool, as any
 * ingest does, and that thread starts its own.
 */

const logger = createLogger("silent");

const GROWTH =
  "Thành phố phấn đấu đạt tốc độ tăng trưởng kinh tế bình quân từ 11% trở lên mỗi năm trong giai đoạn 2026-2031.";
const TRAINS = "Đầu tư xây dựng 12 tuyến đường sắt đô thị với tổng chiều dài khoảng 410 km.";

/** One short page, numbered at its foot as a printed programme is. */
const PAGE: PageContent = { paragraphs: [GROWTH, TRAINS], footer: "Trang 1" };

let ocr: OcrEngine;
let dir: string;
let scan: Uint8Array;

beforeAll(async () => {
  ocr = createOcrEngine({ dpi: 300 });
  dir = await mkdtemp(join(tmpdir(), "ocr-test-"));
  scan = await scannedPdf([PAGE], 300);
});

afterAll(async () => {
  await ocr.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a scanned PDF", () => {
  it("is read by OCR with every diacritic, marked scanned, each paragraph on its page", async () => {
    const counted: [number, number][] = [];
    const doc = await loadDocument("quet.pdf", Buffer.from(scan), {
      ocr,
      onOcrPage: (done, total) => counted.push([done, total]),
    });
    expect(doc.scanned).toBe(true);
    // The page number is not text of the programme.
    expect(doc.blocks).toEqual([
      { kind: "paragraph", text: GROWTH, page: 1 },
      { kind: "paragraph", text: TRAINS, page: 1 },
    ]);
    expect(counted).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });

  it("is not what a text PDF with a title page of two words is: that page keeps its text layer", async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage().drawText("PHU LUC", { x: 250, y: 420, size: 24, font });
    pdf.addPage().drawText("Danh muc 43 chi tieu chu yeu cua Thanh pho den nam 2030.", {
      x: 50,
      y: 750,
      size: 12,
      font,
    });
    const doc = await loadDocument("phu-luc.pdf", Buffer.from(await pdf.save()), { ocr });
    expect(doc.scanned).toBeUndefined();
    expect(doc.blocks).toEqual([
      { kind: "paragraph", text: "PHU LUC", page: 1 },
      { kind: "paragraph", text: "Danh muc 43 chi tieu chu yeu cua Thanh pho den nam 2030.", page: 2 },
    ]);
  });

  it("without OCR is refused with a message that says OCR reads it", async () => {
    await expect(loadDocument("quet.pdf", Buffer.from(scan))).rejects.toThrow(
      /no extractable text; it may be a scanned image, which needs OCR \(OCR=true\)/,
    );
  });
});

describe("an image", () => {
  it("(.png) is read by OCR as page 1 of a scanned document", async () => {
    const { png } = drawPage({ paragraphs: [TRAINS] }, 200);
    const doc = await loadDocument("anh-chup.png", Buffer.from(png), { ocr });
    expect(doc).toEqual({ scanned: true, blocks: [{ kind: "paragraph", text: TRAINS, page: 1 }] });
  });

  it("cut short (a PNG header, then nothing) is refused, and the engine goes on reading", async () => {
    const { png } = drawPage({ paragraphs: [TRAINS] }, 100);
    await expect(loadDocument("cat-ngan.png", Buffer.from(png.subarray(0, 64)), { ocr })).rejects.toThrow(
      /the image could not be read by OCR/,
    );
    const doc = await loadDocument("anh-chup.png", Buffer.from(drawPage({ paragraphs: [TRAINS] }, 200).png), {
      ocr,
    });
    expect(doc.blocks[0]?.text).toBe(TRAINS);
  });

  it("that is not a PNG or JPEG is refused by name of the problem", async () => {
    await expect(loadDocument("hong.jpg", Buffer.from("không phải ảnh"), { ocr })).rejects.toThrow(
      "not a PNG or JPEG image",
    );
  });

  it("is refused when OCR is off, saying so", async () => {
    await expect(loadDocument("anh.png", Buffer.from(drawPage(PAGE, 72).png))).rejects.toThrow(
      "an image is read by OCR, which is off (OCR=false)",
    );
  });
});

describe("ingesting a scan", () => {
  it("reads a scan in a worker thread and stores it as scanned; a broken image is reported by name", async () => {
    const corpus = await mkdtemp(join(dir, "corpus-"));
    await writeFile(join(corpus, "chuong-trinh-quet.pdf"), scan);
    await writeFile(join(corpus, "hong.png"), "not an image");
    await writeFile(join(corpus, "ghi-chu.txt"), "Ghi chú: kế hoạch được ban hành kèm theo chương trình.");
    const db = await openPglite("memory://", seeded().pgliteSeed);
    try {
      await migrate(db);
      const store = createCorpusStore(db);
      const progress: string[] = [];
      const summary = await runIngest({
        store,
        corpusDir: corpus,
        logger,
        ocr: { dpi: 300 },
        // Not given: files that may need OCR go to a worker thread of the ingest pool, which
        // counts their pages back here.
        onProgress: (_done, _total, path) => progress.push(path),
      });
      expect(summary.documents.added).toBe(2);
      expect(summary.documents.failed).toEqual([{ path: "hong.png", error: "not a PNG or JPEG image" }]);
      expect(progress).toContain("chuong-trinh-quet.pdf (OCR 1/1)");
      const rows = await db.query<{ path: string; scanned: boolean; page_start: number | null }>(
        `SELECT d.path, d.scanned, min(c.page_start) AS page_start
           FROM documents d JOIN chunks c ON c.document_id = d.id GROUP BY d.path, d.scanned ORDER BY d.path`,
      );
      expect(rows).toEqual([
        { path: "chuong-trinh-quet.pdf", scanned: true, page_start: 1 },
        { path: "ghi-chu.txt", scanned: false, page_start: null },
      ]);
    } finally {
      await db.close();
    }
  });

  it("answers from it with a citation that gives the page and says the text was scanned", async () => {
    // The service's first start ingests the corpus: the scan is read in a worker thread of the
    // ingest pool, with that thread's own OCR engine.
    const corpus = await mkdtemp(join(dir, "app-"));
    await writeFile(join(corpus, "chuong-trinh-quet.pdf"), scan);
    const app = await createApp(
      loadConfig({ DATA_DIR: "memory://", CORPUS_DIR: corpus, LOG_LEVEL: "silent" }),
      logger,
      seeded(),
    );
    try {
      const answer = await app.answerer.answer({
        question: "Hà Nội xây dựng bao nhiêu tuyến đường sắt đô thị?",
      });
      expect(answer.found).toBe(true);
      const [citation] = answer.citations;
      expect(citation?.quote).toContain("12 tuyến đường sắt đô thị");
      expect(citation).toMatchObject({ pages: { first: 1, last: 1 }, scanned: true });
      expect(formatSource(citation as NonNullable<typeof citation>)).toBe(
        "[1] chuong trinh quet, trang 1 (văn bản quét)",
      );
      expect(formatSourceLine(citation as NonNullable<typeof citation>)).toBe(
        "[1] chuong trinh quet, trang 1 (văn bản quét)",
      );
      expect(formatZaloAnswer(answer)).toContain("Nguồn:\n[1] chuong trinh quet, trang 1 (văn bản quét)");
      expect(answerAsText(answer)).toContain("[1] chuong trinh quet, trang 1 (văn bản quét)");
      // The study pack lists its sources with the same page.
      const pack = await app.studyPacks.build("đường sắt đô thị");
      expect(pack.markdown).toMatch(/\*\*\[\d+\]\*\* chuong trinh quet, trang 1 \(văn bản quét\)\./);
    } finally {
      await app.close();
    }
  });
});
