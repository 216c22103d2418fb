import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Entry, entryArgs } from "../helpers/entry.ts";
import { preparedDataDir } from "../helpers/pglite-folder.ts";

function run(script: string, args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [...entryArgs(`src/cli/${script}.ts` as Entry), ...args], {
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    encoding: "utf8",
  });
}

// Each run is a fresh process on one PGlite folder; the first one also ingests the corpus.
describe("npm run targets / quiz / studypack", { timeout: 180_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sotay-study-cli-"));
    env = { DATA_DIR: preparedDataDir(join(dir, "data")) };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("targets --json prints one array in the documented shape, filtered without diacritics", () => {
    const result = run("targets", ["--json", "tang", "truong"], env);
    expect(result.status).toBe(0);
    const targets = JSON.parse(result.stdout);
    expect(targets).toEqual([
      {
        value: "11%",
        kind: "percentage",
        counts: "tăng trưởng kinh tế",
        qualifier: "từ ... trở lên",
        period: "2026-2031",
        citation: expect.objectContaining({
          n: 1,
          document: "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống",
          quote: expect.stringContaining("tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031"),
          chunkId: expect.any(String),
        }),
      },
    ]);
  });

  it("quiz --json prints the questions with options, answer, explanation, difficulty and citation", () => {
    const result = run("quiz", ["--topic", "đột phá", "--count", "3", "--json"], env);
    expect(result.status).toBe(0);
    const questions = JSON.parse(result.stdout);
    expect(questions).toHaveLength(3);
    for (const q of questions) {
      expect(Object.keys(q)).toEqual(
        expect.arrayContaining(["question", "options", "correct", "explanation", "difficulty", "citation"]),
      );
      expect(q.options).toHaveLength(4);
      expect(q.citation.quote).toContain(q.options[q.correct]);
    }
    const bad = run("quiz", ["--count", "0"], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^Invalid --count: /);
  });

  it("studypack writes the Markdown pack to --out, and exits 1 for a topic the documents do not cover", async () => {
    const out = join(dir, "bai-hoc.md");
    const result = run("studypack", ["nhóm nhiệm vụ", "--out", out], env);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(
      /^Đã ghi .*bai-hoc\.md: \d+ điểm chính, \d+ chỉ tiêu, 10 câu trắc nghiệm, \d+ nguồn\.\n$/,
    );
    const markdown = await readFile(out, "utf8");
    expect(markdown.startsWith("# Bài học: Nhóm nhiệm vụ\n")).toBe(true);
    expect(markdown).toContain("## 5. Nguồn");
    const none = run("studypack", ["bóng đá"], env);
    expect(none.status).toBe(1);
    expect(none.stdout).toContain("Tài liệu hiện có không đề cập đến chủ đề “bóng đá”");
  });
});
