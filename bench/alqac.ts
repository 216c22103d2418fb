import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { errorMessage } from "../src/error-message.ts";

/**
 * The ALQAC 2023 legal corpus (../shared/bench/alqac2023/law.json, read at run time, never copied
 * into the repository) as a folder of `.txt` files that `runIngest` reads like any other corpus:
 * one file per article, `<law slug>/<article slug>.txt`, the law's name on the first line (the
 * text loader takes it as the document title), then the article's lines as paragraphs.
 */
const alqacArticleSchema = z.object({
  id: z.string().refine((s) => s.trim() !== "", "must not be blank"),
  text: z.string(),
});

const alqacLawSchema = z.object({
  // kept as written: train.json refers to laws by this exact string
  id: z.string().refine((s) => s.trim() !== "", "must not be blank"),
  articles: z.array(alqacArticleSchema),
});

export const alqacLawsSchema = z.array(alqacLawSchema);

export type AlqacArticle = z.infer<typeof alqacArticleSchema>;
export type AlqacLaw = z.infer<typeof alqacLawSchema>;

/** Where each article went: the path is relative to the corpus folder, as the store keys it. */
export interface AlqacFile {
  lawId: string;
  articleId: string;
  path: string;
}

/** Reads and validates law.json; the error names the file and the first bad field. */
export async function readAlqacLaws(path: string): Promise<AlqacLaw[]> {
  const raw = await readFile(path, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${errorMessage(error)})`);
  }
  const parsed = alqacLawsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(root)";
    throw new Error(`${path} is not ALQAC law data: at ${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/**
 * A file name from a law or article id: diacritics folded (đ → d), lower case, anything else
 * but letters and digits turned into single hyphens. Never empty, never a path.
 */
export function alqacSlug(text: string): string {
  const slug = text
    .replace(/[đĐ]/g, "d")
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "x";
}

/** The text of one article's file: the law's name, then each non-blank line as its own paragraph. */
export function alqacArticleText(lawId: string, article: AlqacArticle): string {
  const lines = article.text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  return `${[lawId.trim(), ...lines].join("\n\n")}\n`;
}

/**
 * Writes one `.txt` file per article under `dir` (created if needed) and returns where each went,
 * in the order of the input. Two laws (or two articles of a law) whose names slug alike get
 * `-2`, `-3`… so no file overwrites another. Articles with no text are skipped.
 */
export async function writeAlqacCorpus(laws: AlqacLaw[], dir: string): Promise<AlqacFile[]> {
  const files: AlqacFile[] = [];
  const lawSlugs = new Set<string>();
  for (const law of laws) {
    const lawSlug = unique(alqacSlug(law.id), lawSlugs);
    const articleSlugs = new Set<string>();
    let created = false;
    for (const article of law.articles) {
      if (article.text.trim() === "") continue;
      if (!created) {
        await mkdir(join(dir, lawSlug), { recursive: true });
        created = true;
      }
      const path = `${lawSlug}/${unique(alqacSlug(article.id), articleSlugs)}.txt`;
      await writeFile(join(dir, path), alqacArticleText(law.id, article), "utf8");
      files.push({ lawId: law.id, articleId: article.id, path });
    }
  }
  return files;
}

function unique(slug: string, taken: Set<string>): string {
  let candidate = slug;
  for (let n = 2; taken.has(candidate); n++) candidate = `${slug}-${n}`;
  taken.add(candidate);
  return candidate;
}
