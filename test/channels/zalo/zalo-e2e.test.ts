/**
 * End to end over real HTTP: the service is started the way `npm start` starts it, with
 * ZALO_API_ROOT pointing at the fake Zalo Bot API server of test/helpers/zalo.ts; a member's
 * message arrives through getUpdates (long polling) and the answer leaves through sendMessage.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { entryArgs } from "../../helpers/entry.ts";
import { preparedDataDir } from "../../helpers/pglite-folder.ts";
import { type FakeZalo, LAN, startFakeZalo, textEvent, ZALO_TOKEN } from "../../helpers/zalo.ts";

describe("Zalo end to end with the fake Bot API server", { timeout: 180_000 }, () => {
  let dir: string;
  let fake: FakeZalo;
  let child: ChildProcess | undefined;
  let output = "";

  beforeAll(async () => {
    dir = preparedDataDir(await mkdtemp(join(tmpdir(), "sotay-zalo-e2e-")));
    fake = await startFakeZalo();
    child = spawn(process.execPath, entryArgs("src/main.ts"), {
      env: {
        ...process.env,
        DATABASE_URL: "",
        CHAT_MODEL: "",
        DATA_DIR: dir,
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        TELEGRAM_BOT_TOKEN: "",
        TELEGRAM_WEBHOOK_URL: "",
        ZALO_BOT_TOKEN: ZALO_TOKEN,
        ZALO_API_ROOT: fake.apiRoot,
        ZALO_WEBHOOK_URL: "",
        ZALO_WEBHOOK_SECRET: "",
      },
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the service did not start:\n${output}`)), 150_000);
      child?.stderr?.on("data", () => {
        if (output.includes("channels on")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child?.on("exit", () => reject(new Error(`the service exited:\n${output}`)));
    });
  });

  afterAll(async () => {
    child?.kill("SIGKILL");
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("starts the Zalo bot in long polling and says so", () => {
    expect(output).toContain("Zalo bot bot.SoTayNghiQuyet is on (long polling)");
    expect(output).toContain("channels on: web (chat page and JSON API), zalo (long polling).");
    expect(fake.of("getMe")).toHaveLength(1);
  });

  it("answers a member's question with 11% and a source", async () => {
    fake.push(textEvent("muc tieu tang truong kinh te", { from: LAN }));
    await vi.waitFor(() => expect(fake.texts(LAN.id)).toHaveLength(1), { timeout: 30_000, interval: 100 });
    const [answer = ""] = fake.texts(LAN.id);
    expect(answer).toContain("11%");
    expect(answer).toContain(
      "\n\nNguồn:\n[1] Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống › ",
    );
    expect(answer).toContain("\nhttps://kinhtedothi.vn/");
    expect(fake.of("sendChatAction")[0]?.body).toEqual({ chat_id: LAN.id, action: "typing" });

    fake.push(textEvent("/nguon 1", { from: LAN }));
    await vi.waitFor(() => expect(fake.texts(LAN.id)).toHaveLength(2), { timeout: 30_000, interval: 100 });
    expect(fake.texts(LAN.id)[1]).toMatch(/^\[1\] Hà Nội tiên phong .*\n[\s\S]*Câu được trích: “/);
  });

  it("stops polling and exits cleanly on SIGTERM, the token never in its output", async () => {
    const exited = new Promise<number | null>((resolve) => child?.on("exit", (code) => resolve(code)));
    child?.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("stopped");
    expect(output).not.toContain(ZALO_TOKEN);
    child = undefined;
  });
});
