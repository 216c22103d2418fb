import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { errorMessage } from "../src/error-message.ts";
import { loadAbbreviations } from "../src/retrieval/expand-query.ts";
import { DEFAULT_RERANK, rerank } from "../src/retrieval/rerank.ts";
import { createRetriever } from "../src/retrieval/retriever.ts";
import type { Queryable } from "../src/store/database.ts";
import { openStore } from "../src/store/open-store.ts";
import { readAlqacLaws } from "./alqac.ts";
import { alqacDocs, DEFAULT_ALQAC_DIR, halves, readAlqacQueries } from "./bench-alqac.ts";
import {
  closeOnSignal,
  commonArgs,
  commonOptions,
  parseCli,
  prepareRetrievalBench,
  SCALE_USAGE,
  storeOptionsFrom,
} from "./bench-retrieval.ts";
import { foldQuery, slugify } from "./bench-set.ts";
import { computeMetrics, firstRelevantRank, percentile } from "./metrics.ts";
import type { Metrics } from "./types.ts";

/**
 * The rerank (src/retrieval/rerank.ts) on and off on one store: ALQAC (optionally with
 * distractors, or an existing PostgreSQL store holding it), every question as typed and folded
 * through the app's retriever and the same retriever with the rerank off, alternating question by
 * question so that both see the same cache state.
 *
 * Quality: MRR@10 / R@5 on questions 1-50, 51-100 and all (first round). Cost: retrieve() p50/p95
 * of each, the paired per-question difference, and the rerank's own parts apart (its SQL
 * statement; rerank() in JavaScript).
 */
const USAGE = `Usage: npx tsx bench/rerank-ab.ts [--engine pglite|postgres] [--database-url URL]
                              [--distractors N] [--seed S] [--passages-per-distractor P]
                              [--rounds R] [--k 10] [--alqac DIR] [--json] [--store URL]
${SCALE_USAGE}
  --rounds R          times each question is asked per retriever (default 3)
  --title-weight W, --field-weight F, --repeat-penalty P
                      the rerank measured (default: the app's, DEFAULT_RERANK)
  --store URL         measure on an existing PostgreSQL store holding ALQAC (ingested as bench:alqac
                      ingests it); nothing is ingested or removed`;

/** Each ALQAC article's file, as writeDocsCorpus names them (real documents come first). */
function pathsOf(ids: readonly string[]): Map<string, string> {
  const byPath = new Map<string, string>();
  for (const id of ids) {
    const stem = slugify(id);
    let path = `${stem}.txt`;
    for (let n = 2; byPath.has(path); n++) path = `${stem}-${n}.txt`;
    byPath.set(path, id);
  }
  return byPath;
}

/** An existing store, opened as the app opens it (migrations applied); closed, not removed. */
async function existing(url: string) {
  const store = await openStore({ DATABASE_URL: url, DATA_DIR: "" });
  const { chunks } = await store.stats();
  return { engine: "postgres" as const, chunks, store, close: () => store.db.close() };
}

async function main(): Promise<void> {
  const args = parseCli(
    process.argv.slice(2),
    {
      ...commonOptions,
      alqac: { type: "string" },
      rounds: { type: "string" },
      store: { type: "string" },
      "title-weight": { type: "string" },
      "field-weight": { type: "string" },
      "repeat-penalty": { type: "string" },
    },
    z.object({
      ...commonArgs,
      alqac: z.string().min(1).optional(),
      rounds: z.coerce.number().int().min(1).max(100).default(3),
      "title-weight": z.coerce.number().min(1).max(100).default(DEFAULT_RERANK.titleWeight),
      "field-weight": z.coerce.number().min(0).max(100).default(DEFAULT_RERANK.fieldWeight),
      "repeat-penalty": z.coerce
        .number()
        .min(0)
        .max(100)
        .default(DEFAULT_RERANK.repeatPenalty ?? 0),
      store: z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
        .optional(),
    }),
    USAGE,
  );
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dir = resolve(args.alqac ?? DEFAULT_ALQAC_DIR);
  const docs = alqacDocs(await readAlqacLaws(join(dir, "law.json")));
  const queries = await readAlqacQueries(join(dir, "train.json"));
  const idOf = pathsOf(docs.map((d) => d.id));
  const release = closeOnSignal();
  const prepared = args.store
    ? await existing(args.store)
    : await prepareRetrievalBench(storeOptionsFrom(args, docs, queries));
  try {
    // The rerank's own statement is the one that reads corpus_stats.avgdl_used.
    const statementMs: number[] = [];
    const timed: Queryable = {
      async query<T>(sql: string, params?: unknown[]) {
        const t = performance.now();
        const rows = await prepared.store.db.query<T>(sql, params);
        if (sql.includes("avgdl_used FROM corpus_stats")) statementMs.push(performance.now() - t);
        return rows;
      },
      exec: (sql) => prepared.store.db.exec(sql),
    };
    const abbreviations = loadAbbreviations();
    const options = {
      titleWeight: args["title-weight"],
      fieldWeight: args["field-weight"],
      repeatPenalty: args["repeat-penalty"],
    };
    const on = createRetriever({ db: timed, abbreviations, ranking: { rerank: options } });
    const off = createRetriever({ db: prepared.store.db, abbreviations, ranking: { rerank: null } });
    const asked = [
      ...queries.map((q) => ({ ...q, folded: false })),
      ...queries.map((q) => ({ ...q, q: foldQuery(q.q), folded: true })),
    ];
    const k = args.k;
    for (const q of asked.slice(0, 20)) {
      await on.retrieve(q.q, { k });
      await off.retrieve(q.q, { k });
    }
    statementMs.length = 0;
    const ms = { on: [] as number[], off: [] as number[], diff: [] as number[] };
    const ranks = { on: [] as (number | null)[], off: [] as (number | null)[] };
    for (let round = 0; round < args.rounds; round++) {
      for (const [i, q] of asked.entries()) {
        // Alternate which goes first, so that neither always finds the other's pages in cache.
        const order = (i + round) % 2 === 0 ? (["on", "off"] as const) : (["off", "on"] as const);
        const took = { on: 0, off: 0 };
        for (const which of order) {
          const retriever = which === "on" ? on : off;
          const t = performance.now();
          const { passages } = await retriever.retrieve(q.q, { k });
          took[which] = performance.now() - t;
          if (round === 0) {
            ranks[which].push(
              firstRelevantRank(
                passages.map((p) => idOf.get(p.document.path)),
                q.relevant,
              ),
            );
          }
        }
        ms.on.push(took.on);
        ms.off.push(took.off);
        ms.diff.push(took.on - took.off);
      }
    }
    // rerank() alone: the JavaScript part, on the very candidates the store returns.
    const jsMs: number[] = [];
    const candidatesOf = createRetriever({
      db: prepared.store.db,
      abbreviations,
      ranking: { rerank: null },
    });
    for (const q of asked) {
      const { terms, passages } = await candidatesOf.retrieve(q.q, { k: 50 });
      const rows = await prepared.store.db.query<{ id: string; folded: string; length: number }>(
        "SELECT id, folded, length FROM chunks WHERE id = ANY($1::text[])",
        [passages.map((p) => p.chunkId)],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const [stats] = await prepared.store.db.query<{ avgdl: number }>(
        "SELECT avgdl_used AS avgdl FROM corpus_stats",
      );
      const candidates = passages.map((p) => ({
        id: p.chunkId,
        bm25: p.bm25,
        title: p.document.title,
        headingPath: p.headingPath,
        folded: byId.get(p.chunkId)?.folded ?? "",
        length: byId.get(p.chunkId)?.length ?? 0,
        documentId: p.document.id,
      }));
      for (let round = 0; round < args.rounds; round++) {
        const t = performance.now();
        rerank(terms, candidates, Number(stats?.avgdl), options);
        jsMs.push(performance.now() - t);
      }
    }
    const p = (v: number[]) => ({
      p50ms: Number(percentile(v, 50).toFixed(2)),
      p95ms: Number(percentile(v, 95).toFixed(2)),
    });
    const n = queries.length;
    const quality = (r: (number | null)[]) =>
      [...halves(n).map((h) => ({ ...h, name: `q${h.name}` })), { name: "all", from: 0, to: n }].map(
        (part) => ({
          name: part.name,
          typed: computeMetrics(r.slice(part.from, part.to)),
          folded: computeMetrics(r.slice(n + part.from, n + part.to)),
        }),
      );
    const result = {
      engine: prepared.engine,
      chunks: prepared.chunks,
      calls: ms.on.length,
      quality: { on: quality(ranks.on), off: quality(ranks.off) },
      latency: {
        rerankOn: p(ms.on),
        rerankOff: p(ms.off),
        pairedDifference: p(ms.diff),
        rerankStatement: p(statementMs),
        rerankJs: p(jsMs),
      },
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const f = (m: Metrics) => `${m.mrr10.toFixed(3)} / ${m.r5.toFixed(2)}`;
    const qline = (name: string, parts: ReturnType<typeof quality>) =>
      `| ${name.padEnd(12)} | ${parts.map((x) => `${f(x.typed)} | ${f(x.folded)}`).join(" | ")} |`;
    const heads = quality(ranks.on).map((x) => `${x.name} typed | ${x.name} folded`);
    const line = (name: string, v: { p50ms: number; p95ms: number }) =>
      `| ${name.padEnd(42)} | ${v.p50ms.toFixed(2).padStart(6)} | ${v.p95ms.toFixed(2).padStart(6)} |`;
    process.stdout.write(
      [
        `${prepared.engine}: ${prepared.chunks} passages, k=${k}, rerank ${JSON.stringify(options)}; MRR@10 / R@5`,
        "",
        `| rerank       | ${heads.join(" | ")} |`,
        `|---|${heads.map(() => "---:|---:").join("|")}|`,
        qline("on (the app)", result.quality.on),
        qline("off", result.quality.off),
        "",
        `${result.calls} retrieve() calls per retriever:`,
        "",
        "| retrieve()                                 | p50 ms | p95 ms |",
        "|--------------------------------------------|-------:|-------:|",
        line("rerank on (the app)", result.latency.rerankOn),
        line("rerank off (exact BM25 order)", result.latency.rerankOff),
        line("difference, same question (on - off)", result.latency.pairedDifference),
        line("the rerank's SQL statement alone", result.latency.rerankStatement),
        line("rerank() in JavaScript alone", result.latency.rerankJs),
        "",
      ].join("\n"),
    );
  } finally {
    await prepared.close();
    release();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exit(1);
  });
}
