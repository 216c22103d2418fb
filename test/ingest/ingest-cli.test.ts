import { spawnSync } from "node:child_process";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryArgs } from "../helpers/entry.ts";
import { preparedDataDir } from "../helpers/pglite-folder.ts";

function ingest(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [...entryArgs("ingest/cli.ts"), ...args], {
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    encoding: "utf8",
  });
}

// Each run is a fresh process that starts PGlite (seconds, more on a busy machine).
describe("npm run ingest", { timeout: 180_000 }, () => {
  let dir: string;
  let corpus: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sotay-cli-"));
    corpus = join(dir, "corpus");
    await import("node:fs/promises").then((fs) => fs.mkdir(corpus));
    await copyFile("corpus/ha-noi-tien-phong-dua-nghi-quyet-xiv-vao-cuoc-song.md", join(corpus, "seed.md"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("prints exactly one JSON object with --json, persists the store, and a re-run changes nothing", () => {
    const env = { DATA_DIR: preparedDataDir(join(dir, "data")), CORPUS_DIR: corpus };
    const first = ingest(["--json"], env);
    expect(first.status).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(Object.keys(summary)).toEqual(["documents", "chunks", "embedded", "ms"]);
    expect(summary.documents).toEqual({ added: 1, updated: 0, unchanged: 0, removed: 0, failed: [] });
    expect(summary.chunks).toBeGreaterThan(0);

    const second = ingest(["--json"], env);
    expect(JSON.parse(second.stdout)).toMatchObject({
      documents: { added: 0, updated: 0, unchanged: 1, removed: 0, failed: [] },
      chunks: 0,
      embedded: 0,
    });

    const human = ingest([], env);
    expect(human.stdout).toContain("0 added, 0 updated, 1 unchanged, 0 removed");
    expect(human.stdout).toMatch(/1 documents, \d+ passages/);
  });

  it("exits non-zero naming the broken file, after ingesting the others", async () => {
    await writeFile(join(corpus, "hong.docx"), "PK not really a docx");
    const result = ingest(["--json", "--corpus", corpus], { DATA_DIR: preparedDataDir(join(dir, "data2")) });
    expect(result.status).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary.documents.added).toBe(1);
    expect(summary.documents.failed).toEqual([{ path: "hong.docx", error: expect.any(String) }]);
  });

  it("rejects an unknown option with the usage text", () => {
    const result = ingest(["--frobnicate"], { DATA_DIR: join(dir, "data3") });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Usage: npm run ingest");
  });
});
