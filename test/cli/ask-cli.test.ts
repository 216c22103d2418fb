import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAnswer } from "../../src/contract/answer.ts";
import { entryArgs } from "../helpers/entry.ts";
import { startOpenAIServer } from "../helpers/openai-server.ts";
import { preparedDataDir } from "../helpers/pglite-folder.ts";

function ask(args: string[], env: Record<string, string>, input?: string) {
  return spawnSync(process.execPath, [...entryArgs("src/cli/ask.ts"), ...args], {
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    input,
    encoding: "utf8",
  });
}

/** Like `ask`, but without blocking the event loop, so an in-process HTTP server can answer. */
function askAsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...entryArgs("src/cli/ask.ts"), ...args], {
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

// Each run is a fresh process that starts PGlite; the first one also ingests the corpus.
describe("npm run ask", { timeout: 180_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sotay-ask-"));
    // An empty store, as on a fresh clone, from a folder initdb has prepared (initdb is not what is tested).
    env = { DATA_DIR: preparedDataDir(join(dir, "data")) };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("ingests an empty store by itself, then prints the answer, its sources and exact quotes", () => {
    const result = ask(["Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?"], env);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("11%");
    expect(result.stdout).toMatch(/\[1\]/);
    expect(result.stdout).toContain("Nguồn:");
    expect(result.stdout).toContain(
      "[1] Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống, Xác lập định hướng chiến lược, nâng tầm phát triển Thủ đô (Kinh tế & Đô thị) https://kinhtedothi.vn/",
    );
    expect(result.stdout).toContain("“Để Nghị quyết đi vào cuộc sống");
  });

  it("prints exactly one JSON object in the answer contract with --json", () => {
    const result = ask(["--json", "Ba đột phá chiến lược là gì?"], env);
    expect(result.status).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(Object.keys(answer)).toEqual(
      expect.arrayContaining(["id", "question", "answer", "found", "mode", "citations", "ms"]),
    );
    expect(answer).toMatchObject({
      question: "Ba đột phá chiến lược là gì?",
      found: true,
      mode: "extractive",
    });
    expect(answer.answer).toContain("thể chế, quy hoạch, mô hình phát triển mới");
    expect(answer.citations[0]).toMatchObject({
      n: 1,
      document: "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống",
      section: "Xác lập định hướng chiến lược, nâng tầm phát triển Thủ đô",
      publisher: "Kinh tế & Đô thị",
      chunkId: expect.any(String),
      quote: expect.stringContaining("ba đột phá chiến lược"),
    });
    expect(parseAnswer(answer, "the --json output")).toEqual(answer);
  });

  it("answers JSON lines in order, keeping conversations, opening the store once", () => {
    const input = [
      JSON.stringify({ id: "1", q: "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?", conversation: "c" }),
      JSON.stringify({ id: "2", q: "trong nhiệm kỳ nào?", conversation: "c" }),
      JSON.stringify({ id: "3", q: "Giá vàng hôm nay?" }),
      "this is not json",
    ].join("\n");
    const result = ask(["--jsonl"], env, input);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id ?? l.line)).toEqual(["1", "2", "3", 4]);
    expect(lines[0].answer).toContain("11%");
    expect(lines[1].answer).toContain("2026-2031");
    expect(lines[2]).toMatchObject({ found: false, citations: [] });
    expect(lines[3].error).toContain("invalid line");
    for (const line of lines.slice(0, 3)) expect(parseAnswer(line, `line ${line.id}`)).toEqual(line);
    expect(result.status).toBe(1);
  });

  it("uses a configured chat model, and falls back to the extractive answer when it fails", async () => {
    const server = await startOpenAIServer({
      chat: () =>
        JSON.stringify({
          found: true,
          answer: "Hà Nội phấn đấu tăng trưởng kinh tế từ 11% trở lên [1].",
          citations: [
            { n: 1, quote: "phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031" },
          ],
        }),
    });
    try {
      const llmEnv = {
        ...env,
        CHAT_MODEL: "fake-chat",
        OPENAI_BASE_URL: server.url,
        OPENAI_API_KEY: "sk-test-SECRET-9",
      };
      const good = await askAsync(["--json", "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?"], llmEnv);
      const answer = JSON.parse(good.stdout);
      expect(answer).toMatchObject({ found: true, mode: "generative" });
      expect(answer.answer).toContain("11%");
      expect(answer.citations[0].quote).toContain("11% trở lên");
      const chat = server.requests.find((r) => r.path.endsWith("/chat/completions"));
      expect(JSON.stringify(chat?.body)).toContain("<passage");

      server.failNext(500, 10);
      const failed = await askAsync(["--json", "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?"], llmEnv);
      const fallback = JSON.parse(failed.stdout);
      expect(fallback).toMatchObject({ found: true, mode: "extractive" });
      expect(fallback.answer).toContain("11%");
      expect(failed.stderr).toContain("using the extractive answer");
      expect(failed.stderr + failed.stdout).not.toContain("sk-test-SECRET-9");
    } finally {
      await server.close();
    }
  });
});
