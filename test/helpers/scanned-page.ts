import { existsSync } from "node:fs";
import { createCanvas, GlobalFonts } from "@napi-rs/canvas";
import { PDFDocument } from "pdf-lib";

/**
 * Scanned-page fixtures made from text written for them: each page is drawn in a Vietnamese-capable
 * font (DejaVu, Debian's fonts-dejavu-core, which .ci/run installs) on an A4 canvas at a given
 * resolution, as a scanner would produce it, and can be wrapped in a PDF with no text layer.
 * The OCR tests and `npm run bench:ocr` compare what OCR reads back with the text drawn.
 */

/** One page: an optional running header and footer (as printed documents have), then paragraphs. */
export interface PageContent {
  header?: string;
  paragraphs: string[];
  footer?: string;
}

const FONT_FILES = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
  "/usr/share/fonts/dejavu/DejaVuSerif.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
];
const FAMILY = "ScanFixtureSerif";

let fontRegistered = false;
function registerFont(): void {
  if (fontRegistered) return;
  const file = FONT_FILES.find((f) => existsSync(f));
  if (!file) {
    throw new Error(
      "no DejaVu font to draw Vietnamese with: apt-get install fonts-dejavu-core (see .ci/run)",
    );
  }
  GlobalFonts.registerFromPath(file, FAMILY);
  fontRegistered = true;
}

/** A4 in points (1/72 in). */
const PAGE_WIDTH_PT = 595;
const PAGE_HEIGHT_PT = 842;
const MARGIN_PT = 72;
const FONT_PT = 12;
const LINE_PT = 18;

/** The page drawn at `dpi`, black on white, as PNG bytes; and the lines exactly as drawn. */
export function drawPage(content: PageContent, dpi = 300): { png: Uint8Array; lines: string[] } {
  registerFont();
  const scale = dpi / 72;
  const canvas = createCanvas(Math.round(PAGE_WIDTH_PT * scale), Math.round(PAGE_HEIGHT_PT * scale));
  const context = canvas.getContext("2d");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = "#000000";
  context.font = `${FONT_PT * scale}px ${FAMILY}`;
  const width = (PAGE_WIDTH_PT - 2 * MARGIN_PT) * scale;
  const drawn: string[] = [];
  let y = MARGIN_PT;
  const line = (text: string, at: number) => {
    context.fillText(text, MARGIN_PT * scale, at * scale);
    drawn.push(text);
  };
  if (content.header) line(content.header, 48);
  for (const paragraph of content.paragraphs) {
    for (const text of wrap(paragraph, (t) => context.measureText(t).width, width)) {
      line(text, y);
      y += LINE_PT;
    }
    y += LINE_PT / 2;
  }
  if (content.footer) line(content.footer, PAGE_HEIGHT_PT - 40);
  return { png: new Uint8Array(canvas.toBuffer("image/png")), lines: drawn };
}

/** A PDF of page images only (no text layer), each image covering an A4 page: a scan. */
export async function scannedPdf(pages: PageContent[], dpi = 300): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (const content of pages) {
    const image = await pdf.embedPng(drawPage(content, dpi).png);
    pdf.addPage([PAGE_WIDTH_PT, PAGE_HEIGHT_PT]).drawImage(image, {
      x: 0,
      y: 0,
      width: PAGE_WIDTH_PT,
      height: PAGE_HEIGHT_PT,
    });
  }
  return pdf.save();
}

function wrap(paragraph: string, measure: (text: string) => number, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of paragraph.split(/\s+/)) {
    const candidate = current ? `${current} ${word}` : word;
    if (current && measure(candidate) > width) {
      lines.push(current);
      current = word;
    } else current = candidate;
  }
  if (current) lines.push(current);
  return lines;
}

/**
 * Text written for these fixtures, in the register of the programme's documents (not copied from
 * them): diacritics of every tone, figures, percentages, ranges and abbreviations.
 */
export const SCANNED_PAGES: PageContent[] = [
  {
    header: "THÀNH ỦY HÀ NỘI - CHƯƠNG TRÌNH HÀNH ĐỘNG",
    paragraphs: [
      "I. MỤC TIÊU CHUNG",
      "Xây dựng Thủ đô văn hiến, văn minh, hiện đại; phấn đấu đạt tốc độ tăng trưởng kinh tế bình quân từ 11% trở lên mỗi năm trong giai đoạn 2026-2031, thu nhập bình quân đầu người đạt khoảng 12.000 USD vào cuối nhiệm kỳ.",
      "Tỷ lệ đô thị hóa đạt trên 65%; 100% xã, phường hoàn thành chuyển đổi số trong quản lý hành chính. Thành phố tập trung giải quyết dứt điểm tình trạng ùn tắc giao thông, ngập úng và ô nhiễm không khí ở khu vực nội đô.",
    ],
    footer: "Trang 1",
  },
  {
    header: "THÀNH ỦY HÀ NỘI - CHƯƠNG TRÌNH HÀNH ĐỘNG",
    paragraphs: [
      "II. NHIỆM VỤ TRỌNG TÂM",
      "Thứ nhất, hoàn thiện thể chế đặc thù cho Thủ đô, phân cấp, phân quyền mạnh mẽ cho cấp xã; mỗi thủ tục hành chính được rút ngắn ít nhất 30% thời gian giải quyết so với năm 2025.",
      "Thứ hai, đầu tư xây dựng 12 tuyến đường sắt đô thị với tổng chiều dài khoảng 410 km; cải tạo, chỉnh trang các khu chung cư cũ, bảo đảm mỗi người dân được hưởng thụ không gian xanh, sạch, đẹp.",
    ],
    footer: "Trang 2",
  },
];

/** What OCR should read from SCANNED_PAGES: their paragraphs, without headers and footers. */
export function expectedText(pages: PageContent[]): string {
  return pages.flatMap((p) => p.paragraphs).join("\n");
}
