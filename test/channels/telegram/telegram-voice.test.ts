import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type App, createApp } from "../../../src/app.ts";
import { createTelegramBot } from "../../../src/channels/telegram/create-bot.ts";
import { TEXT } from "../../../src/channels/telegram/texts.ts";
import type { TelegramBotDeps } from "../../../src/channels/telegram/types.ts";
import { loadConfig } from "../../../src/config.ts";
import { createLogger } from "../../../src/logger.ts";
import { createAnswerStore } from "../../../src/store/answer-store.ts";
import { createTranscriber, type Transcriber } from "../../../src/transcription/transcriber.ts";
import { DEFAULT_TRANSCRIPT, type OpenAIServer, startOpenAIServer } from "../../helpers/openai-server.ts";
import { seeded } from "../../helpers/pglite-folder.ts";
import {
  BOT_INFO,
  BOT_TOKEN,
  captureApi,
  GROUP,
  LAN,
  logSink,
  voiceMessage,
} from "../../helpers/telegram.ts";

/** A few bytes standing for an OGG/Opus recording: the fake server transcribes by script, not by ear. */
const OGG = Buffer.concat([Buffer.from("OggS"), Buffer.alloc(9_596, 7)]);
const API_KEY = "sk-transcription-test-key-0123456789";

let app: App;
let transcription: OpenAIServer;
let files: HttpServer;
let apiRoot: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sotay-voice-"));
  app = await createApp(loadConfig({ DATA_DIR: "memory://" }), createLogger("silent"), seeded());
  transcription = await startOpenAIServer({ apiKey: API_KEY });
  // The Bot API's file endpoint serves every voice message with the same recording.
  files = createHttpServer((req, res) => {
    if (!req.url?.startsWith(`/file/bot${BOT_TOKEN}/voice/`)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(OGG);
  });
  await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
  apiRoot = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await transcription?.close();
  await new Promise((resolve) => files?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  transcription.requests.length = 0;
});

function transcriber(limits = { maxSeconds: 60, maxBytes: 2_000_000 }): Transcriber {
  return createTranscriber({
    baseUrl: transcription.url,
    model: "whisper-1",
    apiKey: API_KEY,
    timeoutMs: 5_000,
    limits,
  });
}

function harness(overrides: Partial<TelegramBotDeps> = {}) {
  const logs = logSink();
  const bot = createTelegramBot({
    token: BOT_TOKEN,
    answerer: app.answerer,
    store: app.store,
    conversations: app.conversations,
    answers: createAnswerStore(app.store.db),
    reindex: () => Promise.reject(new Error("not in this test")),
    logger: createLogger("debug", logs.stream),
    ...overrides,
    options: {
      corpusDir: dir,
      adminIds: [],
      botInfo: BOT_INFO,
      apiRoot,
      rateLimit: { limit: 1000, timeFrameMs: 60_000 },
    },
  });
  const api = captureApi(bot);
  api.results.getFile = (p: { file_id: string }) => ({
    file_id: p.file_id,
    file_unique_id: "AgADv",
    file_size: OGG.length,
    file_path: `voice/${p.file_id}.oga`,
  });
  return { bot, api, logs };
}

describe("Telegram voice questions", () => {
  it("transcribes a voice message, echoes what was heard, and answers it like typed text", async () => {
    const { bot, api, logs } = harness({ transcriber: transcriber() });
    await bot.handleUpdate(voiceMessage());
    const [echo, answer] = api.texts();
    expect(echo).toBe(`Bạn hỏi: “${DEFAULT_TRANSCRIPT}”`);
    expect(answer).toContain("11%");
    expect(answer).toContain("<b>Nguồn</b>");
    // The endpoint got the recording as a file with its format's extension, in Vietnamese, with the key.
    expect(transcription.requests).toHaveLength(1);
    expect(transcription.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(transcription.requests[0]?.body).toEqual({
      model: "whisper-1",
      language: "vi",
      fileName: "voice.oga",
      mimeType: "audio/ogg",
      size: OGG.length,
    });
    // Nothing of the audio or the key is kept in the log, and nothing is written to disk.
    const log = logs.lines.map((l) => JSON.stringify(l)).join("\n");
    expect(log).not.toContain(API_KEY);
    expect(log).not.toContain(BOT_TOKEN);
    expect(await readdir(dir)).toEqual([]);
  });

  it("without a transcription endpoint, says in one sentence that it reads only typed questions", async () => {
    const { bot, api } = harness();
    await bot.handleUpdate(voiceMessage());
    expect(api.texts()).toEqual([TEXT.voiceOff]);
    expect(api.of("getFile")).toEqual([]);
  });

  it("refuses a voice message over the length or size cap before downloading it", async () => {
    const { bot, api } = harness({ transcriber: transcriber({ maxSeconds: 30, maxBytes: 1_000_000 }) });
    await bot.handleUpdate(voiceMessage({ seconds: 95 }));
    await bot.handleUpdate(voiceMessage({ seconds: 10, size: 3_000_000 }));
    expect(api.texts()).toEqual([
      "Tin nhắn thoại dài hơn 30 giây nên mình không nghe được. Bạn hãy hỏi ngắn hơn hoặc gõ câu hỏi nhé.",
      "Tin nhắn thoại lớn hơn 976 KB nên mình không nghe được. Bạn hãy hỏi ngắn hơn hoặc gõ câu hỏi nhé.",
    ]);
    expect(api.of("getFile")).toEqual([]);
    expect(transcription.requests).toEqual([]);
  });

  it("apologises in one message when the endpoint fails, and logs the status without the key", async () => {
    const { bot, api, logs } = harness({ transcriber: transcriber() });
    transcription.failNext(503);
    await bot.handleUpdate(voiceMessage());
    expect(api.texts()).toEqual([TEXT.voiceFailed]);
    const line = logs.lines.find((l) => l.msg === "voice question not transcribed");
    expect(line?.err).toBe("the transcription server answered HTTP 503");
    expect(JSON.stringify(logs.lines)).not.toContain(API_KEY);
  });

  it("says it did not hear a question when the transcript is empty", async () => {
    const silent = await startOpenAIServer({ transcribe: () => "  " });
    try {
      const quiet = createTranscriber({
        baseUrl: silent.url,
        model: "whisper-1",
        timeoutMs: 5_000,
        limits: { maxSeconds: 60, maxBytes: 2_000_000 },
      });
      const { bot, api } = harness({ transcriber: quiet });
      await bot.handleUpdate(voiceMessage());
      expect(api.texts()).toEqual([TEXT.voiceEmpty]);
    } finally {
      await silent.close();
    }
  });

  it("in a group, answers only a voice reply to the bot, as a reply to the member", async () => {
    const { bot, api } = harness({ transcriber: transcriber() });
    await bot.handleUpdate(voiceMessage({ group: true }));
    expect(api.texts()).toEqual([]);
    const reply = voiceMessage({ group: true });
    const message = reply.message as NonNullable<typeof reply.message>;
    Object.assign(message, {
      reply_to_message: {
        message_id: 1,
        date: 0,
        chat: GROUP,
        from: { id: BOT_INFO.id, is_bot: true, first_name: "Bot" },
      },
    });
    await bot.handleUpdate(reply);
    const sent = api.of("sendMessage");
    expect(sent[0]?.payload).toMatchObject({
      chat_id: GROUP.id,
      text: `Bạn hỏi: “${DEFAULT_TRANSCRIPT}”`,
      reply_parameters: { message_id: message.message_id },
    });
    expect(sent[1]?.payload.text).toContain("11%");
    expect(LAN.id).toBe(message.from?.id);
  });
});
