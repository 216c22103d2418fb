/**
 * What the fault tests share: a child process of the project with its output collected, throw-away
 * PostgreSQL databases, the store's invariants, and a corpus that takes seconds to ingest.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { expect } from "vitest";
import type { Database } from "../../src/store/database.ts";
import { type Entry, entryArgs } from "./entry.ts";

export const SEED = "corpus/ha-noi-tien-phong-dua-nghi-quyet-xiv-vao-cuoc-song.md";
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A child process of the project, its output collected; killed if it outlives `timeoutMs`. */
export function start(script: Entry, args: string[], env: Record<string, string>, timeoutMs = 90_000) {
  const started = Date.now();
  const child = spawn(process.execPath, [...entryArgs(script), ...args], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<Run>((resolve) => {
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

/** A throw-away PostgreSQL database, dropped by `drop`. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sotay_t_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL as string);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The store's invariants: BM25 statistics equal what the stored passages imply, no orphan rows. */
export async function expectConsistentStore(db: Database) {
  const [df] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (
       SELECT term, count(*)::int AS df FROM chunks, unnest(terms) AS term GROUP BY term
     ) live FULL JOIN term_stats t USING (term) WHERE live.df IS DISTINCT FROM t.df`,
  );
  expect(df?.n).toBe(0);
  const [stats] = await db.query<{ ok: boolean }>(
    `SELECT s.chunk_count = (SELECT count(*) FROM chunks)
        AND s.length_total = (SELECT coalesce(sum(length), 0) FROM chunks) AS ok FROM corpus_stats s`,
  );
  expect(stats?.ok).toBe(true);
  const [orphans] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM chunks c LEFT JOIN documents d ON d.id = c.document_id WHERE d.id IS NULL",
  );
  expect(orphans?.n).toBe(0);
  const [empty] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)",
  );
  expect(empty?.n).toBe(0);
}

/** `count` documents made of the seed article's real paragraphs, recombined: a corpus that takes seconds to ingest. */
export async function writeCorpus(dir: string, count: number) {
  const body = readFileSync(SEED, "utf8").replace(/^---\n[\s\S]*?\n---\n/, "");
  const paragraphs = body.split(/\n\s*\n/).filter((p) => p.trim() && !p.startsWith("#"));
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const picked = paragraphs.map((_, j) => paragraphs[(j * 7 + i) % paragraphs.length]);
    await writeFile(
      join(dir, `van-ban-${String(i).padStart(3, "0")}.md`),
      `---\ntitle: Văn bản số ${i}\npublisher: Thành ủy Hà Nội\n---\n\n## Phần ${i}\n\n${picked.join("\n\n")}\n`,
    );
  }
}

export function dirSize(dir: string): number {
  let size = 0;
  try {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile())
        size += statSync(join(entry.parentPath, entry.name), { throwIfNoEntry: false })?.size ?? 0;
    }
  } catch {
    // not created yet, or a file vanished while we looked: the next look counts it
  }
  return size;
}
