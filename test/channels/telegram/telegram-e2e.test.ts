/**
 * End to end over real HTTP: telegram-test-api plays Telegram's Bot API server (getMe,
 * getUpdates, sendMessage, answerCallbackQuery, …; it answers 500 to what it lacks, such as
 * sendChatAction and setMyCommands, and its getUpdates does not long-poll), and the service is
 * started the way `npm start` starts it, with TELEGRAM_API_ROOT pointing at the emulator.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeHtml } from "../../../src/channels/telegram/format.ts";
import { entryArgs } from "../../helpers/entry.ts";
import { preparedDataDir } from "../../helpers/pglite-folder.ts";

const TOKEN = "6123456789:AAE-end-to-end-token-for-telegram-test-api";
const USER_ID = 5_551_234;

interface BotMessage {
  messageId: number;
  message: {
    chat_id: number;
    text: string;
    parse_mode?: string;
    reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("Telegram end to end with telegram-test-api", { timeout: 180_000 }, () => {
  let dir: string;
  let telegram: TelegramServer;
  let child: ChildProcess | undefined;
  let output = "";
  let servicePort = 0;

  beforeAll(async () => {
    dir = preparedDataDir(await mkdtemp(join(tmpdir(), "sotay-telegram-e2e-")));
    telegram = new TelegramServer({ port: await freePort(), host: "127.0.0.1", storeTimeout: 600 });
    await telegram.start();
    child = spawn(process.execPath, entryArgs("src/main.ts"), {
      env: {
        ...process.env,
        DATABASE_URL: "",
        CHAT_MODEL: "",
        DATA_DIR: dir,
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: telegram.config.apiURL,
        TELEGRAM_WEBHOOK_URL: "",
      },
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the service did not start:\n${output}`)), 150_000);
      const check = () => {
        const port = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
        if (port && output.includes("channels on")) {
          servicePort = Number(port[1]);
          clearTimeout(timer);
          resolve();
        }
      };
      child?.stderr?.on("data", check);
      child?.on("exit", () => reject(new Error(`the service exited:\n${output}`)));
    });
  });

  afterAll(async () => {
    child?.kill("SIGKILL");
    await telegram?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("starts the bot in long polling and says so", () => {
    expect(output).toContain("Telegram bot @TestNameBot is on (long polling)");
    expect(output).toContain("channels on: web (chat page and JSON API), telegram (long polling)");
    expect(output).not.toContain(TOKEN);
  });

  it("answers a user's question with 11% and a source, and 'Nguồn 1' shows the passage", async () => {
    const client = telegram.getClient(TOKEN, {
      userId: USER_ID,
      chatId: USER_ID,
      firstName: "Lan",
      userName: "lan_nguyen",
      timeout: 60_000,
      interval: 100,
    });
    await client.sendMessage(client.makeMessage("muc tieu tang truong kinh te"));
    const replies = (await client.getUpdates()).result as unknown as BotMessage[];
    expect(replies).toHaveLength(1);
    const answer = replies[0] as BotMessage;
    expect(answer.message.parse_mode).toBe("HTML");
    expect(answer.message.text).toContain("11%");
    expect(answer.message.text).toContain('<b>Nguồn</b>\n[1] <a href="https://kinhtedothi.vn/');
    expect(answer.message.text).toContain(
      escapeHtml("Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống"),
    );
    const keyboard = answer.message.reply_markup?.inline_keyboard.flat() ?? [];
    const source = keyboard.find((b) => b.text === "Nguồn 1");
    expect(source).toBeDefined();

    // The same question through the service's own API gives the passage to expect.
    const api = await fetch(`http://127.0.0.1:${servicePort}/api/ask`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: "muc tieu tang truong kinh te" }),
    });
    const expected = (await api.json()) as { citations: { n: number; quote: string; chunkId: string }[] };
    const first = expected.citations.find((c) => c.n === 1);
    const passage = (await (
      await fetch(`http://127.0.0.1:${servicePort}/api/passages/${first?.chunkId}`)
    ).json()) as {
      passage: { text: string };
    };

    await client.sendCallback(
      client.makeCallbackQuery(String(source?.callback_data), { message: { message_id: answer.messageId } }),
    );
    const shown = (await client.getUpdates()).result as unknown as BotMessage[];
    expect(shown).toHaveLength(1);
    const text = shown[0]?.message.text ?? "";
    expect(text).toContain(
      `<b>[1] ${escapeHtml("Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống")}</b>`,
    );
    expect(text).toContain(`<b>${escapeHtml(first?.quote ?? "")}</b>`);
    // the whole passage, the quote in bold
    expect(text.replace(/<\/?b>/g, "")).toContain(escapeHtml(passage.passage.text));
    expect(text).toContain("Đọc bài gốc</a>");
  });

  it("stops polling and exits cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => child?.on("exit", (code) => resolve(code)));
    child?.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("stopped");
    child = undefined;
  });
});
