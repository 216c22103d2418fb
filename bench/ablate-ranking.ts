import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { errorMessage } from "../src/error-message.ts";
import { readViquad, type ViquadItem, writeViquadCorpus } from "../src/eval/viquad.ts";
import { DEFAULT_RERANK, type RerankOptions } from "../src/retrieval/rerank.ts";
import { DEFAULT_RANKING } from "../src/retrieval/retriever.ts";
import { readAlqacLaws } from "./alqac.ts";
import {
  ALQAC_LAYOUTS,
  type AlqacLayout,
  alqacDocs,
  DEFAULT_ALQAC_DIR,
  readAlqacQueries,
} from "./bench-alqac.ts";
import {
  closeOnSignal,
  PLAIN_BM25,
  PLAIN_RANKING,
  parseCli,
  prepareRetrievalBench,
} from "./bench-retrieval.ts";
import type { BenchDoc, BenchQuery, MethodResult, RankingVariant } from "./types.ts";

/**
 * Each tuned part of the ranking on and off, on the same stores: ALQAC 2023 in both layouts
 * (bench-alqac.ts) and the ViQuAD dev paragraphs (question → its paragraph, answerable questions
 * only, the corpus eval:viquad builds). One ingest per corpus (PGlite, in-process index, as the
 * app runs); every variant is a retriever over the same store. Quality only: MRR@10 and R@1.
 *
 *   npx tsx bench/ablate-ranking.ts [--alqac DIR] [--viquad CSV] [--json]
 */

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_VIQUAD_CSV = resolve(REPO_ROOT, "../shared/bench/viquad2-dev/dev.csv");

const withRerank = (r: Partial<RerankOptions>) => ({ rerank: { ...DEFAULT_RERANK, ...r } });
/** plain BM25 with one part of the app's ranking added (no expansion, as plain) */
const plainWith = (name: string, ranking: RankingVariant["ranking"]): RankingVariant => ({
  name: `plain + ${name}`,
  ranking: { ...PLAIN_RANKING, ...ranking },
  expand: false,
});
const PLAIN_RERANK: RerankOptions = { titleWeight: 1, fieldWeight: 0, repeatPenalty: 0 };

/** The variants, plain BM25 and the app's defaults first. */
export function rankingVariants(): RankingVariant[] {
  const qw = DEFAULT_RANKING.questionWordWeight;
  const { fieldWeight, repeatPenalty = 0 } = DEFAULT_RERANK;
  return [
    { name: PLAIN_BM25, ranking: PLAIN_RANKING, expand: false },
    { name: "defaults (DEFAULT_RANKING)" },
    plainWith("abbreviation expansion", {}),
    plainWith(`question words ×${qw}`, { questionWordWeight: qw }),
    plainWith(`coverage ${fieldWeight}`, { rerank: { ...PLAIN_RERANK, fieldWeight } }),
    plainWith(`repeat penalty ${repeatPenalty}`, { rerank: { ...PLAIN_RERANK, repeatPenalty } }),
    plainWith("BM25F title ×10", { rerank: { ...PLAIN_RERANK, titleWeight: 10 } }),
    { name: "defaults − expansion", expand: false },
    { name: "defaults − question words (×1)", ranking: { questionWordWeight: 1 } },
    { name: "defaults − coverage (fieldWeight 0)", ranking: withRerank({ fieldWeight: 0 }) },
    { name: "defaults − repeat penalty", ranking: withRerank({ repeatPenalty: 0 }) },
    { name: "defaults − rerank (BM25 stage only)", ranking: { rerank: null } },
    { name: "defaults + BM25F title ×10", ranking: withRerank({ titleWeight: 10 }) },
    {
      name: "defaults + BM25F title ×10, coverage 0.3",
      ranking: withRerank({ titleWeight: 10, fieldWeight: 0.3 }),
    },
    ...[0, 0.1, 0.3, 0.5, 1].map((w) => ({
      name: `defaults, question words ×${w}`,
      ranking: { questionWordWeight: w },
    })),
    ...[0.1, 0.2, 0.3, 0.4, 0.8, 1.2].map((w) => ({
      name: `defaults, coverage ${w}`,
      ranking: withRerank({ fieldWeight: w }),
    })),
    ...[0.05, 0.2, 0.3].map((w) => ({
      name: `defaults, repeat penalty ${w}`,
      ranking: withRerank({ repeatPenalty: w }),
    })),
  ];
}

/** ViQuAD as eval:viquad lays it out: one document per distinct paragraph (id = its path). */
export function viquadSet(items: readonly ViquadItem[]): { docs: BenchDoc[]; queries: BenchQuery[] } {
  const docs = new Map<string, BenchDoc>();
  for (const item of items)
    if (!docs.has(item.path)) docs.set(item.path, { id: item.path, title: item.title, text: item.paragraph });
  const queries = items
    .filter((item) => item.answerable)
    .map((item) => ({ id: String(item.row), q: item.question, relevant: [item.path] }));
  return { docs: [...docs.values()], queries };
}

interface CorpusResult {
  corpus: string;
  passages: number;
  queries: number;
  rows: { name: string; typed: MethodResult; folded?: MethodResult }[];
}

async function ablate(
  corpus: string,
  docs: BenchDoc[],
  queries: BenchQuery[],
  fold: boolean,
  writeCorpus?: (dir: string) => Promise<Map<string, string>>,
): Promise<CorpusResult> {
  const prepared = await prepareRetrievalBench({ docs, engine: "pglite", writeCorpus });
  try {
    const rows: CorpusResult["rows"] = [];
    for (const variant of rankingVariants()) {
      const typed = await prepared.rank(variant, queries);
      const folded = fold ? await prepared.rank(variant, queries, { foldQueries: true }) : undefined;
      rows.push({ name: variant.name, typed, ...(folded ? { folded } : {}) });
      process.stderr.write(".");
    }
    process.stderr.write("\n");
    return { corpus, passages: prepared.chunks, queries: queries.length, rows };
  } finally {
    await prepared.close();
  }
}

function format(r: CorpusResult): string {
  const f = (m: MethodResult) => `${m.mrr10.toFixed(3)} / ${m.r1.toFixed(3)}`;
  const head = `| variant | MRR@10 / R@1${r.rows[0]?.folded ? " | without diacritics" : ""} |`;
  const rule = `|---|---|${r.rows[0]?.folded ? "---|" : ""}`;
  const lines = r.rows.map(
    (row) => `| ${row.name} | ${f(row.typed)}${row.folded ? ` | ${f(row.folded)}` : ""} |`,
  );
  return [`${r.corpus}: ${r.passages} passages, ${r.queries} questions`, "", head, rule, ...lines].join("\n");
}

const USAGE = `Usage: npx tsx bench/ablate-ranking.ts [--alqac DIR] [--viquad CSV] [--only alqac|viquad] [--json]

Each tuned part of the ranking on and off (plain BM25, the defaults, plain + one part, the
defaults − one part, a few weights around the defaults) on ALQAC 2023 in both layouts and on the
ViQuAD dev paragraphs (answerable questions → their paragraph).`;

async function main(): Promise<void> {
  const args = parseCli(
    process.argv.slice(2),
    {
      alqac: { type: "string" },
      viquad: { type: "string" },
      only: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    z.object({
      alqac: z.string().min(1).default(DEFAULT_ALQAC_DIR),
      viquad: z.string().min(1).default(DEFAULT_VIQUAD_CSV),
      only: z.enum(["alqac", "viquad"]).optional(),
      json: z.boolean().default(false),
      help: z.boolean().default(false),
    }),
    USAGE,
  );
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const release = closeOnSignal();
  const results: CorpusResult[] = [];
  try {
    if (args.only !== "viquad") {
      const laws = await readAlqacLaws(join(args.alqac, "law.json"));
      const queries = await readAlqacQueries(join(args.alqac, "train.json"));
      for (const layout of ALQAC_LAYOUTS as readonly AlqacLayout[])
        results.push(await ablate(`ALQAC 2023, layout ${layout}`, alqacDocs(laws, layout), queries, true));
    }
    if (args.only !== "alqac") {
      const items = readViquad(resolve(args.viquad));
      const { docs, queries } = viquadSet(items);
      results.push(
        await ablate(
          `ViQuAD ${args.viquad} (question → its paragraph)`,
          docs,
          queries,
          false,
          async (dir) => {
            await writeViquadCorpus(items, dir);
            return new Map(docs.map((d) => [d.id, d.id]));
          },
        ),
      );
    }
  } finally {
    release();
  }
  if (args.json) {
    const m = (x: MethodResult) => ({ mrr10: Number(x.mrr10.toFixed(4)), r1: Number(x.r1.toFixed(4)) });
    process.stdout.write(
      `${JSON.stringify(
        results.map((r) => ({
          ...r,
          rows: r.rows.map((row) => ({
            name: row.name,
            typed: m(row.typed),
            ...(row.folded ? { folded: m(row.folded) } : {}),
          })),
        })),
      )}\n`,
    );
    return;
  }
  process.stdout.write(`${results.map(format).join("\n\n")}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exit(1);
  });
}
