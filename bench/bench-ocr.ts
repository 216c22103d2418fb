/**
 * `npm run bench:ocr [-- --dpi 300 --rounds 2 --json]`: how well and how fast the offline OCR reads
 * scanned pages. The pages are drawn from text written for them (test/helpers/scanned-page.ts:
 * DejaVu Serif 12 pt on A4, a running header and a page number on each page) and wrapped in a PDF
 * without a text layer, which goes through the PDF loader as any scan would: rendered at --dpi,
 * read by Tesseract with @tesseract.js-data/vie, cleaned (ingest/loaders/page-blocks.ts).
 *
 * Character accuracy: 1 − (edit distance ÷ characters expected), over the paragraphs drawn (NFC,
 * runs of white space as one space), diacritics included: "tiểu" for "tiêu" is one error. The
 * headers and page numbers are expected to be gone, so one left in counts against the figure.
 * Speed: pages a second for one OCR engine, which uses one core (Tesseract's WebAssembly runs on
 * one thread); the worker's start is reported apart.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadDocument } from "../ingest/loaders/index.ts";
import { createOcrEngine } from "../ingest/ocr/ocr-engine.ts";
import { drawPage, expectedText, SCANNED_PAGES, scannedPdf } from "../test/helpers/scanned-page.ts";

const argsSchema = z.object({
  dpi: z.coerce.number().int().min(72).max(600).default(300),
  rounds: z.coerce.number().int().min(1).max(20).default(2),
  json: z.boolean().default(false),
});

const { values } = parseArgs({
  options: { dpi: { type: "string" }, rounds: { type: "string" }, json: { type: "boolean" } },
});
const args = argsSchema.parse(values);

const flat = (text: string) => text.normalize("NFC").replace(/\s+/g, " ").trim();

/** Levenshtein distance over code points. */
function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[y.length] as number;
}

const pdf = await scannedPdf(SCANNED_PAGES, args.dpi);
const expected = flat(expectedText(SCANNED_PAGES));
const ocr = createOcrEngine({ dpi: args.dpi });
try {
  // The first document starts the worker (loads the WebAssembly and the Vietnamese model).
  let started = performance.now();
  await ocr.recognize(drawPage({ paragraphs: ["Khởi động"] }, 72).png);
  const startMs = performance.now() - started;

  const rounds: { ms: number; accuracy: number; text: string }[] = [];
  for (let round = 0; round < args.rounds; round++) {
    started = performance.now();
    const doc = await loadDocument("bench.pdf", Buffer.from(pdf), { ocr });
    const ms = performance.now() - started;
    const text = flat(doc.blocks.map((b) => b.text).join("\n"));
    rounds.push({ ms, accuracy: 1 - editDistance(expected, text) / [...expected].length, text });
  }
  const pages = SCANNED_PAGES.length;
  const best = Math.min(...rounds.map((r) => r.ms));
  const result = {
    dpi: args.dpi,
    pages,
    characters: [...expected].length,
    accuracy: rounds[0]?.accuracy ?? 0,
    workerStartMs: Math.round(startMs),
    msPerPage: Math.round(best / pages),
    pagesPerSecondPerCore: Number(((pages * 1000) / best).toFixed(2)),
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `${[
        `OCR of ${pages} scanned A4 pages at ${args.dpi} dpi (${result.characters} characters expected)`,
        `character accuracy ${(100 * result.accuracy).toFixed(2)} % (diacritics included; headers and page numbers must be gone)`,
        `${result.msPerPage} ms a page (render + OCR + cleaning, best of ${args.rounds}): ${result.pagesPerSecondPerCore} pages/s on one core; worker start ${result.workerStartMs} ms`,
      ].join("\n")}\n`,
    );
    if (result.accuracy < 1) process.stdout.write(`read:     ${rounds[0]?.text}\nexpected: ${expected}\n`);
  }
} finally {
  await ocr.close();
}
