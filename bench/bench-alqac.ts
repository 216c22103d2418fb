import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { errorMessage } from "../src/error-message.ts";
import { type AlqacLaw, readAlqacLaws } from "./alqac.ts";
import {
  closeOnSignal,
  commonArgs,
  commonOptions,
  denseEmbedderFrom,
  formatTable,
  parseCli,
  prepareRetrievalBench,
  SCALE_USAGE,
  storeOptionsFrom,
  summarize,
  warnAbout,
} from "./bench-retrieval.ts";
import { readJsonl } from "./bench-set.ts";
import {
  type BenchDoc,
  type BenchQuery,
  type BenchResult,
  benchDocSchema,
  benchQuerySchema,
  type QueryPart,
} from "./types.ts";

/**
 * The retrieval benchmark on ALQAC 2023 (../shared/bench/alqac2023, read at run time, never copied
 * into the repository): one document per law article, the 100 training questions, run twice on
 * one ingested store: as typed, and typed without diacritics.
 */
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DEFAULT_ALQAC_DIR = resolve(REPO_ROOT, "../shared/bench/alqac2023");

const trainSchema = z.array(
  z.object({
    question_id: z.string().min(1),
    text: z.string().min(1),
    relevant_articles: z.array(z.object({ law_id: z.string().min(1), article_id: z.string().min(1) })).min(1),
  }),
);

export const alqacDocId = (lawId: string, articleId: string) => `${lawId}#${articleId}`;

/**
 * How the articles are laid out as documents (one document per non-empty article either way, id
 * `<law_id>#<article_id>`). An article's text starts with its title line ("Phạm vi điều chỉnh").
 * - `heading-in-title` (default, the layout the ranking was tuned on): the document is titled as a
 *   citation would name it, `<law_id>, Điều <article_id>. <title line>`, and the text is the rest:
 *   the title line is then indexed with every passage of a long article, not only the first, and
 *   is part of the field the rerank's coverage reads.
 * - `article-doc`: titled `<law_id>, Điều <article_id>`, the text is the whole article, its title
 *   line as the first line: only the first passage holds it, and the field is law and number only.
 */
export const ALQAC_LAYOUTS = ["heading-in-title", "article-doc"] as const;
export type AlqacLayout = (typeof ALQAC_LAYOUTS)[number];

export function alqacDocs(laws: AlqacLaw[], layout: AlqacLayout = "heading-in-title"): BenchDoc[] {
  return laws.flatMap((law) =>
    law.articles
      .filter((a) => a.text.trim() !== "")
      .map((a) => {
        const id = alqacDocId(law.id, a.id);
        const text = a.text.trim();
        if (layout === "article-doc") return { id, title: `${law.id}, Điều ${a.id}`, text };
        const [first = "", ...rest] = text.split("\n");
        const body = rest.join("\n").trim();
        return { id, title: `${law.id}, Điều ${a.id}. ${first.trim()}`, text: body || first };
      }),
  );
}

export async function readAlqacQueries(path: string): Promise<BenchQuery[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: ${errorMessage(error)}`);
  }
  const parsed = trainSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path} is not ALQAC training data: at ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data.map((q) => ({
    id: q.question_id,
    q: q.text,
    relevant: q.relevant_articles.map((r) => alqacDocId(r.law_id, r.article_id)),
  }));
}

/**
 * The two halves of the questions, reported apart: ranking is tuned on the first (questions 1-50
 * of train.json, the DS-* true/false statements) and checked on the second (51-100, questions).
 */
export function halves(n: number): QueryPart[] {
  const half = Math.ceil(n / 2);
  return [
    { name: `1-${half}`, from: 0, to: half },
    { name: `${half + 1}-${n}`, from: half, to: n },
  ];
}

const toJsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;

/** Writes docs.jsonl and queries.jsonl into `dir`; returns their paths. */
export async function writeAlqacJsonl(
  alqacDir: string,
  dir: string,
  layout: AlqacLayout = "heading-in-title",
): Promise<{ docs: string; queries: string }> {
  const laws = await readAlqacLaws(join(alqacDir, "law.json"));
  const queries = await readAlqacQueries(join(alqacDir, "train.json"));
  const paths = { docs: join(dir, "docs.jsonl"), queries: join(dir, "queries.jsonl") };
  await writeFile(paths.docs, toJsonl(alqacDocs(laws, layout)), "utf8");
  await writeFile(paths.queries, toJsonl(queries), "utf8");
  return paths;
}

const USAGE = `Usage: npm run bench:alqac -- [--engine pglite|postgres] [--baselines] [--json] [--k 10]
                            [--alqac DIR] [--layout heading-in-title|article-doc] [--database-url URL]
                            [--distractors N] [--seed S] [--passages-per-distractor P] [--answer]
                            [--skip-vacuum] [--dense]

The retrieval benchmark on ALQAC 2023 (law.json + train.json), as typed and without diacritics;
plain BM25 on the same passages (no rerank, question words ×1, no expansion) is reported beside it.
  --alqac DIR         folder of law.json and train.json (default: ../shared/bench/alqac2023 from the repo root)
  --layout L          heading-in-title (default): each article titled "<law>, Điều <n>. <its title line>",
                      the text the rest; article-doc: titled "<law>, Điều <n>", the whole article as
                      text (its title line first)
${SCALE_USAGE}
  other options as for bench:retrieval; --json prints {"typed": {...}, "folded": {...}}, each with
  "parts": the metrics of questions 1-50 (where ranking was tuned) and 51-100 apart`;

async function main(): Promise<void> {
  const args = parseCli(
    process.argv.slice(2),
    { ...commonOptions, alqac: { type: "string" }, layout: { type: "string" } },
    z.object({
      ...commonArgs,
      alqac: z.string().min(1).optional(),
      layout: z.enum(ALQAC_LAYOUTS).default("heading-in-title"),
    }),
    USAGE,
  );
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const alqacDir = resolve(args.alqac ?? DEFAULT_ALQAC_DIR);
  const tmp = await mkdtemp(join(tmpdir(), "sotay-bench-alqac-jsonl-"));
  let docs: BenchDoc[];
  let queries: BenchQuery[];
  try {
    const paths = await writeAlqacJsonl(alqacDir, tmp, args.layout);
    docs = await readJsonl(paths.docs, benchDocSchema);
    queries = await readJsonl(paths.queries, benchQuerySchema);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    process.stderr.write(`${errorMessage(error)} (use --alqac DIR)\n`);
    process.exit(2);
  }
  await rm(tmp, { recursive: true, force: true });

  const release = closeOnSignal();
  const prepared = await prepareRetrievalBench({
    ...storeOptionsFrom(args, docs, queries),
    embedder: await denseEmbedderFrom(args.dense),
  });
  let typed: BenchResult;
  let folded: BenchResult;
  try {
    const options = {
      k: args.k,
      baselines: args.baselines,
      answer: args.answer,
      parts: halves(queries.length),
    };
    typed = await prepared.run(queries, options);
    folded = await prepared.run(queries, { ...options, foldQueries: true });
  } finally {
    await prepared.close();
    release();
  }
  warnAbout(typed);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ layout: args.layout, typed: summarize(typed), folded: summarize(folded) })}\n`,
    );
    return;
  }
  process.stdout.write(`ALQAC 2023 (layout ${args.layout}), as typed\n${formatTable(typed)}\n\n`);
  process.stdout.write(
    `ALQAC 2023 (layout ${args.layout}), typed without diacritics\n${formatTable(folded)}\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exit(1);
  });
}
