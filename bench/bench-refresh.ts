/**
 * `npm run bench:refresh`: what a replica pays to bring its in-process lexical index up to date
 * after an ingest that changed one document, at scale. Builds a store of ~N passages (the ALQAC
 * laws, one document per article, plus synthetic distractor passages), reads the index whole
 * (the baseline, as every replica did after each ingest before migration 017), then replaces one
 * document, removes another and adds a third, and refreshes the index from the change log. Reports
 * the time of each and the memory they hold, as ratios of the refresh to the whole read in the
 * same process, and checks that the refreshed index ranks exactly as a whole read.
 *
 *   npm run bench:refresh -- [--passages 100000] [--engine postgres|pglite] [--database-url URL] [--json]
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { readDocument } from "../ingest/read-document.ts";
import { buildLexicalIndex, type LexicalIndex, refreshLexicalIndex } from "../src/retrieval/lexical-index.ts";
import { readAlqacLaws } from "./alqac.ts";
import { alqacDocs } from "./bench-alqac.ts";
import { prepareRetrievalBench } from "./bench-retrieval.ts";

const argsSchema = z.object({
  passages: z.coerce.number().int().min(1000).max(2_000_000).default(100_000),
  engine: z.enum(["postgres", "pglite"]).default("postgres"),
  "database-url": z.string().optional(),
  laws: z.string().default("../shared/bench/alqac2023/law.json"),
  json: z.boolean().default(false),
});

const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

/** The same top 10 for a handful of term-weight queries: the refresh is exact, not approximate. */
function sameRankings(a: LexicalIndex, b: LexicalIndex, terms: number[]): boolean {
  for (let i = 0; i + 3 <= terms.length; i += 3) {
    const query = new Map(terms.slice(i, i + 3).map((t, j) => [t, 1 + j]));
    const x = a.search(query, 10).map((h) => `${h.passage.id}:${h.score}`);
    const y = b.search(query, 10).map((h) => `${h.passage.id}:${h.score}`);
    if (x.join() !== y.join()) return false;
  }
  return true;
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      passages: { type: "string" },
      engine: { type: "string" },
      "database-url": { type: "string" },
      laws: { type: "string" },
      json: { type: "boolean" },
    },
  });
  const args = argsSchema.parse(values);
  const progress = (m: string) => process.stderr.write(`${m}\n`);
  const docs = alqacDocs(await readAlqacLaws(args.laws));
  progress(
    `preparing a ${args.engine} store of ~${args.passages} passages (${docs.length} ALQAC articles + distractors)…`,
  );
  const bench = await prepareRetrievalBench({
    engine: args.engine,
    docs,
    distractors: args.passages,
    ...(args["database-url"] ? { databaseUrl: args["database-url"] } : {}),
  });
  try {
    const db = bench.store.db;
    const rssBefore = rssMb();
    let t = performance.now();
    const whole = await buildLexicalIndex(db);
    const wholeMs = performance.now() - t;
    const rssWhole = rssMb();
    progress(
      `whole read: ${whole.passages} passages in ${Math.round(wholeMs)} ms, ${Math.round(whole.bytes / 2 ** 20)} MB`,
    );

    // One ingest's worth of change: one document replaced, one removed, one added.
    const documents = await bench.store.listDocuments();
    const [edited, removed] = documents.slice(0, 2);
    if (!edited || !removed) throw new Error("the store has fewer than two documents");
    const view = await db.query<{ text: string; heading_path: string[] }>(
      "SELECT text, heading_path FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path = $1 ORDER BY ordinal",
      [edited.path],
    );
    await bench.store.removeDocument(removed.path);
    // Replaced: the same path with one sentence more; added: a new path.
    for (const [path, text] of [
      [
        edited.path,
        `# ${edited.title}\n\n${view.map((r) => r.text).join("\n\n")}\n\nĐiều này được sửa đổi để thử làm mới chỉ mục.\n`,
      ],
      [
        "bench-refresh/moi.md",
        "# Văn bản mới\n\nĐề án cáp treo Sóc Sơn khởi công năm 2027, hoàn thành năm 2029.\n",
      ],
    ] as const) {
      const { document } = await readDocument(path, "bench-refresh.md", new TextEncoder().encode(text));
      await bench.store.replaceDocument({ ...document, contentHash: `bench-refresh-${path}` });
    }
    const rssChanged = rssMb();
    t = performance.now();
    const refreshed = await refreshLexicalIndex(db, whole);
    const refreshMs = performance.now() - t;
    const rssRefreshed = rssMb();
    if (!refreshed)
      throw new Error("the change log did not allow a refresh: see refreshLexicalIndex's conditions");
    t = performance.now();
    const again = await buildLexicalIndex(db);
    const againMs = performance.now() - t;
    const terms = (
      await db.query<{ term: number }>("SELECT term FROM term_stats ORDER BY df DESC LIMIT 60")
    ).map((r) => Number(r.term));
    const exact = refreshed.passages === again.passages && sameRankings(refreshed, again, terms);
    const result = {
      engine: args.engine,
      passages: again.passages,
      changed: refreshed.changed,
      wholeReadMs: Math.round(wholeMs),
      wholeReadAfterChangeMs: Math.round(againMs),
      refreshMs: Math.round(refreshMs * 10) / 10,
      ratio: Math.round((refreshMs / againMs) * 10_000) / 10_000,
      indexMb: Math.round(whole.bytes / 2 ** 20),
      rssMb: {
        before: rssBefore,
        afterWholeRead: rssWhole,
        afterChange: rssChanged,
        afterRefresh: rssRefreshed,
      },
      refreshAddedMb: rssRefreshed - rssChanged,
      exact,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else
      process.stdout.write(
        `${result.engine}, ${result.passages} passages; one ingest changed ${result.changed} passages ` +
          `(one document replaced, one removed, one added).\n` +
          `| | ms | memory |\n|---|--:|--:|\n` +
          `| whole read (before the change) | ${result.wholeReadMs} | index ${result.indexMb} MB |\n` +
          `| whole read (after the change) | ${result.wholeReadAfterChangeMs} | |\n` +
          `| incremental refresh | ${result.refreshMs} | +${result.refreshAddedMb} MB RSS (overlay; the base index is shared) |\n` +
          `Refresh / whole read: ${result.ratio}. Ranks exactly as a whole read: ${exact ? "yes" : "NO"}.\n`,
      );
    if (!exact) process.exitCode = 1;
  } finally {
    await bench.close();
  }
}

await main();
