import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { z } from "zod";
import { runIngest } from "../ingest/run-ingest.ts";
import { errorMessage } from "../src/error-message.ts";
import { createLogger } from "../src/logger.ts";
import { openStore } from "../src/store/open-store.ts";
import { readAlqacLaws, writeAlqacCorpus } from "./alqac.ts";
import { alqacDocs } from "./bench-alqac.ts";
import { writeDocsCorpus } from "./bench-set.ts";
import { parseCli } from "./cli.ts";
import { countPassages, generateDistractors } from "./distractors.ts";

/**
 * Ingestion benchmark: PGlite and PostgreSQL side by side, on the seed corpus and on ALQAC 2023.
 * Each engine × corpus runs in a worker process of its own (this file, forked), so that its peak
 * RSS is its own and not what an earlier run left behind (PGlite's WebAssembly heap is never
 * given back). The parent creates each fresh store (a temporary DATA_DIR or a throw-away database)
 * and removes it afterwards, also when the worker fails or the run is interrupted.
 */

const SCRIPT = fileURLToPath(import.meta.url);
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_ALQAC = resolve(REPO_ROOT, "../shared/bench/alqac2023/law.json");
const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const SAMPLE_MS = 50;
const WORKER_ENV = "SOTAY_BENCH_WORKER";

const USAGE = `Usage: npm run bench:ingest -- [--engines pglite,postgres] [--corpus seed,alqac]
                             [--alqac PATH] [--distractors N] [--database-url URL] [--json]

Measures ingestion throughput (chunks/s, documents/s), the re-run of an unchanged corpus, and peak
memory (RSS sampled every ${SAMPLE_MS} ms), each engine on a fresh empty store, lexical vectors only.
  --engines LIST      pglite, postgres, or both (default: both)
  --corpus LIST       seed (the corpus/ folder), alqac (ALQAC 2023 laws), or both (default: both)
  --alqac PATH        ALQAC law.json (default: ../shared/bench/alqac2023/law.json from the repo root)
  --distractors N     grow the ALQAC corpus to about N passages first: one document per article plus
                      synthetic documents of real sentences recombined (as bench:retrieval does)
  --database-url URL  PostgreSQL admin connection, used to create and drop a throw-away database
                      (default: $BENCH_DATABASE_URL, $TEST_DATABASE_URL, or ${DEFAULT_ADMIN_URL})
  --json              print exactly one JSON object: { "runs": [...], "skipped": [...] }`;

const ENGINES = ["pglite", "postgres"] as const;
const CORPORA = ["seed", "alqac"] as const;
type Engine = (typeof ENGINES)[number];
type CorpusName = (typeof CORPORA)[number];

const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).min(1, `expected one or more of ${values.join(", ")}`))
    .transform((picked) => values.filter((v) => picked.includes(v)) as T[number][]);

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://");

const argsSchema = z.object({
  engines: list(ENGINES).default([...ENGINES]),
  corpus: list(CORPORA).default([...CORPORA]),
  alqac: z.string().min(1).optional(),
  distractors: z.coerce.number().int().min(0).max(2_000_000).optional(),
  "database-url": postgresUrl.optional(),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const envSchema = z.object({
  BENCH_DATABASE_URL: z.preprocess(emptyToUndefined, postgresUrl.optional()),
  TEST_DATABASE_URL: z.preprocess(emptyToUndefined, postgresUrl.optional()),
});

type BenchArgs = z.infer<typeof argsSchema>;

const CLI_OPTIONS = {
  engines: { type: "string" },
  corpus: { type: "string" },
  alqac: { type: "string" },
  distractors: { type: "string" },
  "database-url": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function parseCliArgs(argv: string[]): BenchArgs {
  return parseCli(argv, CLI_OPTIONS, argsSchema, USAGE);
}

export interface BenchRun {
  engine: Engine;
  corpus: CorpusName;
  documents: number;
  chunks: number;
  /** the first ingest into the empty store, wall clock of runIngest */
  ms: number;
  chunksPerSec: number;
  docsPerSec: number;
  /** highest RSS of the worker sampled from before opening the store to after closing it */
  peakRssMB: number;
  /** RSS of the worker process just before it opened the store */
  rssBeforeMB: number;
  /** the second, unchanged run: hashes every file, writes nothing */
  rerunMs: number;
}

interface Skipped {
  engine?: Engine;
  corpus?: CorpusName;
  reason: string;
}

/** What the parent asks a worker to do: the store is already there, empty. */
const workerTaskSchema = z.object({
  engine: z.enum(ENGINES),
  corpus: z.enum(CORPORA),
  corpusDir: z.string(),
  store: z.object({ DATABASE_URL: z.string().optional(), DATA_DIR: z.string() }),
});
type WorkerTask = z.infer<typeof workerTaskSchema>;

type WorkerReply = { ok: true; run: BenchRun; warnings: string[] } | { ok: false; error: string };

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const perSec = (n: number, ms: number) => (ms > 0 ? Math.round((n / ms) * 1000 * 10) / 10 : 0);

/** Max RSS, sampled every SAMPLE_MS while the run awaits I/O, and once more when it ends. */
function startRssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** One engine × corpus, in the worker: open the store as the app does, ingest twice, close. */
async function benchOne(task: WorkerTask): Promise<{ run: BenchRun; warnings: string[] }> {
  const { engine, corpus, corpusDir } = task;
  const warnings: string[] = [];
  const logger = createLogger("silent");
  const rssBefore = process.memoryUsage.rss();
  const sampler = startRssSampler();
  let peak: number;
  let first: Awaited<ReturnType<typeof runIngest>>;
  let rerun: Awaited<ReturnType<typeof runIngest>>;
  let ms: number;
  let rerunMs: number;
  const store = await openStore(task.store);
  try {
    let t = performance.now();
    first = await runIngest({ store, corpusDir, logger });
    ms = performance.now() - t;
    t = performance.now();
    rerun = await runIngest({ store, corpusDir, logger });
    rerunMs = performance.now() - t;
    const stats = await store.stats();
    if (stats.chunks !== first.chunks || stats.documents !== first.documents.added) {
      warnings.push(
        `${engine} × ${corpus}: the store holds ${stats.documents} documents / ${stats.chunks} passages, ` +
          `the ingest reported ${first.documents.added} / ${first.chunks}`,
      );
    }
  } finally {
    await store.db.close();
    peak = sampler.stop();
  }

  const failed = first.documents.failed;
  if (failed.length > 0) {
    const some = failed.slice(0, 5).map((f) => `${f.path} (${f.error})`);
    warnings.push(
      `${engine} × ${corpus}: ${failed.length} file(s) failed: ${some.join(", ")}${failed.length > 5 ? ", …" : ""}`,
    );
  }
  const r = rerun.documents;
  if (r.added + r.updated + r.removed + r.failed.length > 0 || rerun.chunks > 0) {
    warnings.push(
      `${engine} × ${corpus}: the unchanged re-run was not a no-op: ${r.added} added, ${r.updated} updated, ` +
        `${r.removed} removed, ${r.failed.length} failed, ${rerun.chunks} passages written`,
    );
  }
  const documents = first.documents.added;
  return {
    run: {
      engine,
      corpus,
      documents,
      chunks: first.chunks,
      ms: Math.round(ms),
      chunksPerSec: perSec(first.chunks, ms),
      docsPerSec: perSec(documents, ms),
      peakRssMB: mb(peak),
      rssBeforeMB: mb(rssBefore),
      rerunMs: Math.round(rerunMs),
    },
    warnings,
  };
}

/** Worker side: says it is ready, takes one task from the parent, replies, exits. */
function runWorker(): void {
  process.once("message", (message) => {
    const reply = async (): Promise<WorkerReply> => {
      try {
        const { run, warnings } = await benchOne(workerTaskSchema.parse(message));
        return { ok: true, run, warnings };
      } catch (error) {
        return { ok: false, error: errorMessage(error) };
      }
    };
    void reply().then((r) => process.send?.(r, () => process.disconnect()));
  });
  process.send?.("ready");
}

/** Parent side: runs one task in a fresh worker process and waits for its reply. */
function inWorker(task: WorkerTask, children: Set<ChildProcess>): Promise<WorkerReply> {
  return new Promise((resolvePromise) => {
    const child = fork(SCRIPT, [], {
      env: { ...process.env, [WORKER_ENV]: "1" },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    children.add(child);
    let reply: WorkerReply | undefined;
    // The task goes out once the worker listens (a message sent before that would be lost).
    child.on("message", (message) => {
      if (message === "ready") child.send(task);
      else {
        reply = message as WorkerReply;
        // It has nothing left to do: should a handle keep it alive, do not wait for it forever.
        setTimeout(() => child.kill(), 10_000).unref();
      }
    });
    child.once("error", (error) => {
      reply ??= { ok: false, error: `worker: ${errorMessage(error)}` };
    });
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolvePromise(
        reply ?? { ok: false, error: `worker exited (${signal ?? `code ${code}`}) without a result` },
      );
    });
  });
}

/** Host, port and database of a URL, for messages: never the URL itself, which may carry a password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Things to remove even when a run fails or the benchmark is interrupted, newest first. */
const cleanups = new Set<() => Promise<void>>();

async function runCleanups(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    await cleanup().catch((error) => process.stderr.write(`cleanup failed: ${errorMessage(error)}\n`));
  }
}

/** A fresh, empty store for one run: where it is, and how to remove it. */
async function freshStore(
  engine: Engine,
  adminUrl: string,
): Promise<{
  config: WorkerTask["store"];
  remove: () => Promise<void>;
}> {
  if (engine === "pglite") {
    const dir = await mkdtemp(join(tmpdir(), "sotay-bench-pglite-"));
    const remove = () => rm(dir, { recursive: true, force: true });
    cleanups.add(remove);
    return { config: { DATA_DIR: dir }, remove };
  }
  const name = `sotay_bench_${randomBytes(6).toString("hex")}`;
  // CREATE DATABASE can take seconds: the cleanup is registered first and waits for it, so an
  // interruption in the middle still drops the database.
  const creating = withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const created = creating.then(
    () => true,
    () => false,
  );
  const remove = async () => {
    if (!(await created)) return;
    try {
      await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    } catch (error) {
      throw new Error(`could not drop database ${name}, drop it by hand: ${errorMessage(error)}`);
    }
  };
  cleanups.add(remove);
  await creating;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { config: { DATABASE_URL: url.toString(), DATA_DIR: tmpdir() }, remove };
}

async function release(remove: () => Promise<void>): Promise<void> {
  cleanups.delete(remove);
  await remove();
}

export function formatTable(runs: BenchRun[]): string {
  const header = [
    "corpus",
    "engine",
    "docs",
    "chunks",
    "ingest ms",
    "chunks/s",
    "docs/s",
    "re-run ms",
    "RSS before MB",
    "peak RSS MB",
  ];
  const rows = runs.map((r) => [
    r.corpus,
    r.engine,
    String(r.documents),
    String(r.chunks),
    String(r.ms),
    r.chunksPerSec.toFixed(1),
    r.docsPerSec.toFixed(1),
    String(r.rerunMs),
    r.rssBeforeMB.toFixed(1),
    r.peakRssMB.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => `${"-".repeat(w + 1)}${i < 2 ? "-" : ":"}`).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const envParsed = envSchema.safeParse(process.env);
  if (!envParsed.success) {
    const issue = envParsed.error.issues[0];
    process.stderr.write(`Invalid configuration: ${String(issue?.path[0])} ${issue?.message}\n`);
    process.exit(2);
  }
  const env = envParsed.data;
  const adminUrl =
    args["database-url"] ?? env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const alqacPath = resolve(args.alqac ?? DEFAULT_ALQAC);

  const notes: string[] = [];
  const note = (message: string) => {
    notes.push(message);
    process.stderr.write(`${message}\n`);
  };
  const progress = (message: string) => process.stderr.write(`${message}\n`);
  const skipped: Skipped[] = [];
  const runs: BenchRun[] = [];
  const children = new Set<ChildProcess>();

  // Ctrl-C stops the worker and the loop below, whose `finally` removes the stores. The signal often
  // comes twice (the terminal's, then tsx relaying it): repeats within two seconds are ignored, a
  // later one exits at once.
  let stopping: number | undefined;
  const interrupted = () => {
    if (stopping !== undefined) {
      if (performance.now() - stopping > 2_000) process.exit(130);
      return;
    }
    stopping = performance.now();
    process.stderr.write("\ninterrupted: removing the benchmark stores…\n");
    for (const child of children) child.kill();
  };
  process.on("SIGINT", interrupted);
  process.on("SIGTERM", interrupted);

  try {
    // The corpora, as folders runIngest reads.
    const corpusDirs = new Map<CorpusName, string>();
    if (args.corpus.includes("seed")) {
      const seed = join(REPO_ROOT, "corpus");
      if (existsSync(seed)) corpusDirs.set("seed", seed);
      else {
        skipped.push({ corpus: "seed", reason: `no corpus folder at ${seed}` });
        note(`seed corpus skipped: no corpus folder at ${seed}`);
      }
    }
    if (args.corpus.includes("alqac")) {
      if (!existsSync(alqacPath)) {
        skipped.push({ corpus: "alqac", reason: `ALQAC law.json not found at ${alqacPath}` });
        note(`ALQAC corpus skipped: law.json not found at ${alqacPath} (use --alqac PATH)`);
      } else {
        const dir = await mkdtemp(join(tmpdir(), "sotay-bench-alqac-"));
        cleanups.add(() => rm(dir, { recursive: true, force: true }));
        const t = performance.now();
        const laws = await readAlqacLaws(alqacPath);
        if (args.distractors) {
          // The scale corpus of bench:retrieval --distractors: articles + recombined sentences.
          const docs = alqacDocs(laws);
          const real = docs.reduce((n, d) => n + countPassages(d), 0);
          const extra = generateDistractors(docs, { passages: args.distractors - real });
          await writeDocsCorpus([...docs, ...extra], dir);
          progress(
            `ALQAC + distractors: ${docs.length} articles (${real} passages) + ${extra.length} distractor documents ` +
              `(about ${Math.max(0, args.distractors - real)} passages) written in ${Math.round(performance.now() - t)} ms`,
          );
        } else {
          const files = await writeAlqacCorpus(laws, dir);
          progress(
            `ALQAC: ${laws.length} laws, ${files.length} articles written as .txt in ${Math.round(performance.now() - t)} ms`,
          );
        }
        corpusDirs.set("alqac", dir);
      }
    }

    // The engines: PostgreSQL only when its server answers.
    const engines: Engine[] = [];
    for (const engine of args.engines) {
      if (engine === "postgres") {
        try {
          const version = await withAdmin(adminUrl, async (c) => {
            const { rows } = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
            return rows[0]?.v ?? "?";
          });
          progress(`PostgreSQL ${version} at ${describeUrl(adminUrl)}`);
        } catch (error) {
          const reason = `PostgreSQL at ${describeUrl(adminUrl)} unreachable: ${errorMessage(error)}`;
          skipped.push({ engine, reason });
          note(`PostgreSQL skipped: ${reason}`);
          continue;
        }
      }
      engines.push(engine);
    }

    for (const [corpus, corpusDir] of corpusDirs) {
      for (const engine of engines) {
        if (stopping !== undefined) break;
        progress(`${engine} × ${corpus}: ingesting…`);
        let reply: WorkerReply;
        try {
          const store = await freshStore(engine, adminUrl);
          try {
            if (stopping !== undefined) break;
            reply = await inWorker({ engine, corpus, corpusDir, store: store.config }, children);
          } finally {
            await release(store.remove);
          }
        } catch (error) {
          reply = { ok: false, error: errorMessage(error) };
        }
        if (reply.ok) {
          const { run } = reply;
          runs.push(run);
          for (const warning of reply.warnings) note(warning);
          progress(
            `${engine} × ${corpus}: ${run.documents} documents, ${run.chunks} chunks in ${run.ms} ms ` +
              `(${run.chunksPerSec} chunks/s), re-run ${run.rerunMs} ms, peak RSS ${run.peakRssMB} MB`,
          );
        } else {
          skipped.push({ engine, corpus, reason: `failed: ${reply.error}` });
          note(`${engine} × ${corpus} failed: ${reply.error}`);
          process.exitCode = 1;
        }
      }
    }
  } finally {
    await runCleanups();
  }
  if (stopping !== undefined) process.exit(130);

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ runs, skipped })}\n`);
    return;
  }
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  process.stdout.write(
    `Ingestion benchmark, lexical vectors only, one worker process per run. Node ${process.version}, ` +
      `${availableParallelism()} × ${cpu}\n\n`,
  );
  process.stdout.write(`${runs.length > 0 ? formatTable(runs) : "No run completed."}\n`);
  if (notes.length > 0) process.stdout.write(`\n${notes.map((n) => `Note: ${n}`).join("\n")}\n`);
}

if (process.env[WORKER_ENV] === "1" && process.send) runWorker();
else await main();
