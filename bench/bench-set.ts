import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { z } from "zod";
import { errorMessage } from "../src/error-message.ts";
import type { BenchDoc } from "./types.ts";

/** Benchmark sets on disk: JSON lines read and checked, questions folded, documents written as a corpus. */

/** One object per non-blank line; a bad line throws with its file and line number. */
export function parseJsonl<T>(content: string, schema: z.ZodType<T>, source: string): T[] {
  const out: T[] = [];
  const lines = content.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new Error(`${source}:${i + 1}: not valid JSON (${errorMessage(error)})`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      throw new Error(`${source}:${i + 1}: ${where}${issue?.message ?? "invalid"}`);
    }
    out.push(parsed.data);
  }
  return out;
}

export async function readJsonl<T>(path: string, schema: z.ZodType<T>): Promise<T[]> {
  return parseJsonl(await readFile(path, "utf8"), schema, path);
}

/** Doc ids must be unique (the JSONL line of the second one is named). */
export function checkDocs(docs: BenchDoc[], source = "docs"): void {
  const seen = new Map<string, number>();
  docs.forEach((d, i) => {
    const first = seen.get(d.id);
    if (first !== undefined)
      throw new Error(`${source}: document id "${d.id}" appears twice (#${first + 1}, #${i + 1})`);
    seen.set(d.id, i);
  });
}

/** A question as typed without diacritics: NFD, combining marks removed, đ→d; case kept. */
export function foldQuery(text: string): string {
  return text
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .normalize("NFC");
}

/** A file name stem from a document id: ASCII letters/digits and hyphens, never empty. */
export function slugify(id: string): string {
  const slug = foldQuery(id)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug === "") return `doc-${hash(id)}`;
  return slug.length > 100 ? `${slug.slice(0, 90)}-${hash(id)}` : slug;
}

const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8);

/** Writes one `<slug>.txt` per document (title line, blank line, text); returns file path → doc id. */
export async function writeDocsCorpus(docs: BenchDoc[], dir: string): Promise<Map<string, string>> {
  const pathToId = new Map<string, string>();
  for (const doc of docs) {
    const stem = slugify(doc.id);
    let path = `${stem}.txt`;
    for (let n = 2; pathToId.has(path); n++) path = `${stem}-${n}.txt`;
    pathToId.set(path, doc.id);
    const title = doc.title.replace(/\s+/g, " ").trim();
    await writeFile(join(dir, path), `${title ? `${title}\n\n` : ""}${doc.text}\n`, "utf8");
  }
  return pathToId;
}
