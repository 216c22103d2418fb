import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { stringify as yaml } from "yaml";
import { z } from "zod";
import type { Answer } from "../contract/answer.ts";
import { errorMessage } from "../error-message.ts";
import { foldDiacritics } from "../text/fold-diacritics.ts";

/**
 * UIT-ViQuAD 2.0 style CSV files (../shared/bench/viquad2-dev/SOURCE.md): columns
 * `paragraphs,question,answer`, the paragraph a Python-literal list with one dict, the answer a
 * Python-literal string ('' when the question cannot be answered from the paragraph).
 */
export interface ViquadItem {
  /** 1-based row number in the file */
  row: number;
  question: string;
  /** the gold span; "" when unanswerable */
  answer: string;
  answerable: boolean;
  title: string;
  paragraph: string;
  /** the paragraph's document path in the corpus built from the file */
  path: string;
}

/** A reader of the Python literals the file holds: lists, dicts, quoted strings, numbers, booleans. */
export function parsePythonLiteral(source: string): unknown {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${at} of a Python literal`);
  };
  const space = () => {
    while (at < source.length && /\s/.test(source[at] as string)) at++;
  };
  const ESCAPES: Record<string, string> = {
    n: "\n",
    t: "\t",
    r: "\r",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "0": "\0",
  };
  function str(): string {
    const quote = source[at++] as string;
    let out = "";
    while (at < source.length && source[at] !== quote) {
      const c = source[at++] as string;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = source[at++] as string;
      if (e === "x" || e === "u") {
        const n = e === "x" ? 2 : 4;
        out += String.fromCharCode(Number.parseInt(source.slice(at, at + n), 16));
        at += n;
      } else if (e === "U") {
        out += String.fromCodePoint(Number.parseInt(source.slice(at, at + 8), 16));
        at += 8;
      } else if (e === "\n") {
        // a line continuation
      } else out += ESCAPES[e] ?? `\\${e}`;
    }
    if (source[at] !== quote) fail("unterminated string");
    at++;
    return out;
  }
  function value(): unknown {
    space();
    const c = source[at];
    if (c === "'" || c === '"') return str();
    if (c === "[" || c === "(") {
      const close = c === "[" ? "]" : ")";
      at++;
      const items: unknown[] = [];
      for (;;) {
        space();
        if (source[at] === close) {
          at++;
          return items;
        }
        items.push(value());
        space();
        if (source[at] === ",") at++;
        else if (source[at] !== close) fail(`expected , or ${close}`);
      }
    }
    if (c === "{") {
      at++;
      const out: Record<string, unknown> = {};
      for (;;) {
        space();
        if (source[at] === "}") {
          at++;
          return out;
        }
        const key = String(value());
        space();
        if (source[at] !== ":") fail("expected :");
        at++;
        out[key] = value();
        space();
        if (source[at] === ",") at++;
        else if (source[at] !== "}") fail("expected , or }");
      }
    }
    const word = /^(True|False|None|-?\d+(?:\.\d+)?)/.exec(source.slice(at));
    if (!word) return fail("unexpected input");
    at += (word[0] as string).length;
    const w = word[0] as string;
    return w === "True" ? true : w === "False" ? false : w === "None" ? null : Number(w);
  }
  const result = value();
  space();
  if (at < source.length) fail("trailing input");
  return result;
}

const rowSchema = z.object({ paragraphs: z.string(), question: z.string(), answer: z.string() });
const paragraphSchema = z.array(z.object({ title: z.string(), paragraph_text: z.string() }).loose()).min(1);

/** A stable, readable document path for a paragraph: the article's slug and a content hash. */
function paragraphPath(title: string, paragraph: string): string {
  const slug =
    foldDiacritics(title.toLowerCase())
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 60) || "bai";
  const hash = createHash("sha1").update(`${title}\n${paragraph}`).digest("hex").slice(0, 10);
  return `${slug}-${hash}.md`;
}

/** Reads a ViQuAD-style CSV; a malformed row is reported with its number. */
export function readViquad(file: string): ViquadItem[] {
  const records = parseCsv(readFileSync(file, "utf8"), { columns: true, skip_empty_lines: true, bom: true });
  return (records as unknown[]).map((record, i) => {
    const row = i + 2;
    try {
      const r = rowSchema.parse(record);
      const [p] = paragraphSchema.parse(parsePythonLiteral(r.paragraphs));
      const answerValue = r.answer.trim() === "" ? "" : parsePythonLiteral(r.answer);
      const answer = typeof answerValue === "string" ? answerValue.trim() : "";
      const title = p?.title.normalize("NFC").trim() ?? "";
      const paragraph = p?.paragraph_text.normalize("NFC").trim() ?? "";
      return {
        row,
        question: r.question.normalize("NFC").trim(),
        answer: answer.normalize("NFC"),
        answerable: answer !== "",
        title,
        paragraph,
        path: paragraphPath(title, paragraph),
      };
    } catch (error) {
      throw new Error(`${file}: row ${row}: ${errorMessage(error)}`);
    }
  });
}

/** One document per distinct paragraph, titled by its article, written as Markdown with front matter. */
export async function writeViquadCorpus(items: readonly ViquadItem[], dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const written = new Set<string>();
  for (const item of items) {
    if (written.has(item.path)) continue;
    written.add(item.path);
    // The paragraph is plain text: escape what Markdown would read as markup at a line's start.
    const body = item.paragraph.replace(/^([#>*+-]|\d+[.)])/gm, "\\$1");
    await writeFile(join(dir, item.path), `---\n${yaml({ title: item.title })}---\n\n${body}\n`);
  }
  return written.size;
}

/** SOURCE.md's fold: lower case, no diacritics, đ→d, punctuation to spaces, spaces squeezed. */
export function foldForScoring(text: string): string {
  return foldDiacritics(text.normalize("NFC").toLowerCase())
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export interface ViquadScore {
  hit: boolean;
  top1: boolean;
  refused: boolean;
}

/** How SOURCE.md scores one answer. */
export function scoreViquad(
  item: ViquadItem,
  answer: Pick<Answer, "found" | "answer" | "citations">,
): ViquadScore {
  const refused = !answer.found;
  if (!item.answerable || refused) return { hit: false, top1: false, refused };
  const gold = foldForScoring(item.answer);
  const inText = (t: string) => foldForScoring(t).includes(gold);
  const hit = inText(answer.answer) && answer.citations.some((c) => inText(c.quote));
  const first = answer.citations[0];
  return { hit, top1: hit && first !== undefined && inText(first.quote), refused };
}
