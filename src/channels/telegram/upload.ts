import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { extname, join, relative, resolve, sep } from "node:path";

/** What an admin may upload: the formats the ingest loaders read (images and scans through OCR). */
export const UPLOAD_EXTENSIONS = [".pdf", ".docx", ".md", ".txt", ".html", ".png", ".jpg", ".jpeg"] as const;

/** The Bot API serves files up to 20 MB to bots (getFile); nothing larger can arrive anyway. */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** Uploads go to this folder inside the corpus folder, so they are easy to tell apart. */
export const UPLOAD_FOLDER = "uploads";

export class UploadError extends Error {}

/**
 * A file name safe to write under the corpus folder: the last path segment only (no "../", no
 * absolute path, no backslash tricks), letters (Vietnamese included), digits, ".", "_" and "-";
 * no leading dot (hidden files are not ingested); at most 100 characters before the extension.
 * Undefined when the extension is not one the ingest reads.
 */
export function sanitizeFileName(name: string): string | undefined {
  const last = name.normalize("NFC").split(/[/\\]/).pop() ?? "";
  const ext = extname(last).toLowerCase();
  if (!(UPLOAD_EXTENSIONS as readonly string[]).includes(ext)) return undefined;
  const base = last
    .slice(0, last.length - ext.length)
    .replace(/[^\p{L}\p{N}._-]+/gu, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[.\-_]+|[.\-_]+$/g, "")
    .slice(0, 100);
  return `${base || `tai-lieu-${Date.now()}`}${ext}`;
}

/**
 * Downloads a file from the Bot API file endpoint, refusing more than `maxBytes`. The URL holds
 * the bot token: it never goes into an error message or a log.
 */
export async function downloadTelegramFile(
  apiRoot: string,
  token: string,
  filePath: string,
  maxBytes: number,
): Promise<Buffer> {
  const path = filePath.split("/").map(encodeURIComponent).join("/");
  let response: Response;
  try {
    response = await fetch(`${apiRoot}/file/bot${token}/${path}`, { signal: AbortSignal.timeout(60_000) });
  } catch {
    throw new UploadError("không tải được tệp từ Telegram (lỗi mạng)");
  }
  if (!response.ok || !response.body) {
    throw new UploadError(`không tải được tệp từ Telegram (HTTP ${response.status})`);
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new UploadError(`tệp lớn hơn giới hạn ${maxBytes} byte`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new UploadError(`tệp lớn hơn giới hạn ${maxBytes} byte`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

export interface SavedUpload {
  /** relative to the corpus folder, with forward slashes: the document's path in the store */
  path: string;
  /** puts back what was there before (the previous version, or nothing) */
  undo(): Promise<void>;
}

/**
 * Writes the upload under `<corpus>/uploads/` (through a temporary file and a rename, so the
 * ingest never reads half a file). A file of the same name is replaced: it is the new version.
 */
export async function saveUpload(corpusDir: string, fileName: string, bytes: Buffer): Promise<SavedUpload> {
  const safe = sanitizeFileName(fileName);
  if (!safe || safe !== fileName) throw new UploadError("tên tệp không hợp lệ");
  const folder = resolve(corpusDir, UPLOAD_FOLDER);
  const target = resolve(folder, safe);
  // Defence in depth: whatever the name, the file lands inside the uploads folder.
  if (!target.startsWith(folder + sep)) throw new UploadError("tên tệp không hợp lệ");
  await mkdir(folder, { recursive: true });
  const previous = await readFile(target).catch(() => undefined);
  const temporary = join(folder, `.${safe}.${randomBytes(4).toString("hex")}.part`);
  await writeFile(temporary, bytes);
  await rename(temporary, target);
  return {
    path: relative(resolve(corpusDir), target).split(sep).join("/"),
    async undo() {
      if (previous) await writeFile(target, previous);
      else await rm(target, { force: true });
    },
  };
}
