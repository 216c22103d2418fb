import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ConfigError, configSecrets, loadConfig } from "../src/config.ts";
import { entryArgs } from "./helpers/entry.ts";

describe("configuration", () => {
  it("defaults to the embedded store, lexical search and the corpus folder", () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config).toMatchObject({
      DATA_DIR: ".data",
      CORPUS_DIR: "corpus",
      EMBEDDINGS: "local",
      LOG_LEVEL: "info",
    });
  });

  it("reads scans by OCR at 300 dpi, and leaves voice off until a transcription endpoint is set", () => {
    expect(loadConfig({})).toMatchObject({ OCR: true, OCR_DPI: 300, TRANSCRIPTION_MODEL: "whisper-1" });
    expect(loadConfig({}).TRANSCRIPTION_BASE_URL).toBeUndefined();
    expect(loadConfig({ OCR: "false", OCR_DPI: "150" })).toMatchObject({ OCR: false, OCR_DPI: 150 });
  });

  it("treats empty variables as unset", () => {
    const config = loadConfig({ DATABASE_URL: "", EMBEDDING_DIMENSIONS: " " });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.EMBEDDING_DIMENSIONS).toBeUndefined();
  });

  it.each([
    [{ EMBEDDINGS: "bert" }, "EMBEDDINGS"],
    [{ DATABASE_URL: "mysql://localhost/db" }, "DATABASE_URL"],
    [{ EMBEDDING_DIMENSIONS: "many" }, "EMBEDDING_DIMENSIONS"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ OPENAI_BASE_URL: "not a url" }, "OPENAI_BASE_URL"],
    [{ EMBEDDINGS: "openai" }, "OPENAI_API_KEY"],
    [{ OCR: "maybe" }, "OCR"],
    [{ OCR_DPI: "1200" }, "OCR_DPI"],
    [{ TRANSCRIPTION_BASE_URL: "whisper.local:8080" }, "TRANSCRIPTION_BASE_URL"],
    [{ TRANSCRIPTION_MAX_SECONDS: "0" }, "TRANSCRIPTION_MAX_SECONDS"],
    [{ ADMIN_TOKEN: "short" }, "ADMIN_TOKEN"],
    [{ RETENTION_DAYS: "-1" }, "RETENTION_DAYS"],
  ])("rejects %o naming %s", (env, variable) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).toContain(variable);
    }
  });

  it("keeps questions 180 days by default, and counts the admin token among the secrets to scrub", () => {
    expect(loadConfig({}).RETENTION_DAYS).toBe(180);
    expect(loadConfig({}).ADMIN_TOKEN).toBeUndefined();
    const token = "0123456789abcdef-admin";
    expect(configSecrets(loadConfig({ ADMIN_TOKEN: token }))).toContain(token);
  });

  it("never echoes a secret value in its message", () => {
    try {
      loadConfig({ DATABASE_URL: "mysql://admin:hunter2-secret@db/x" });
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter2-secret");
    }
  });

  it("stops a command with exit code 2 and one line naming the variable, without a stack trace", () => {
    const result = spawnSync(process.execPath, [...entryArgs("ingest/cli.ts"), "--dry-run"], {
      env: { ...process.env, EMBEDDINGS: "bert" },
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("EMBEDDINGS");
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
