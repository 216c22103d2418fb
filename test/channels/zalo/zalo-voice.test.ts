import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../../src/app.ts";
import { TEXT } from "../../../src/channels/zalo/texts.ts";
import type { ZaloChannelDeps } from "../../../src/channels/zalo/types.ts";
import { createZaloChannel, type ZaloChannel } from "../../../src/channels/zalo/zalo-channel.ts";
import { loadConfig } from "../../../src/config.ts";
import { createLogger } from "../../../src/logger.ts";
import { createAnswerStore } from "../../../src/store/answer-store.ts";
import { createDeliveryStore } from "../../../src/store/delivery-store.ts";
import { createTranscriber } from "../../../src/transcription/transcriber.ts";
import { DEFAULT_TRANSCRIPT, type OpenAIServer, startOpenAIServer } from "../../helpers/openai-server.ts";
import { seeded } from "../../helpers/pglite-folder.ts";
import { logSink } from "../../helpers/telegram.ts";
import { type FakeZalo, HUNG, LAN, MINH, startFakeZalo, voiceEvent, ZALO_TOKEN } from "../../helpers/zalo.ts";

/** A few bytes standing for an AAC recording (ADTS sync word first). */
const AAC = Buffer.concat([Buffer.from([0xff, 0xf1, 0x50, 0x80]), Buffer.alloc(6_000, 3)]);

let app: App;
let fake: FakeZalo;
let transcription: OpenAIServer;
let media: HttpServer;
let mediaRoot: string;
const logs = logSink();

beforeAll(async () => {
  [app, fake, transcription] = await Promise.all([
    createApp(loadConfig({ DATA_DIR: "memory://" }), createLogger("silent"), seeded()),
    startFakeZalo(),
    startOpenAIServer(),
  ]);
  // Zalo's media host: /voice.aac is a short recording, /long.aac one past the size cap.
  media = createHttpServer((req, res) => {
    if (req.url === "/voice.aac") return void res.writeHead(200, { "content-type": "audio/aac" }).end(AAC);
    if (req.url === "/long.aac") return void res.writeHead(200).end(Buffer.alloc(50_000, 1));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => media.listen(0, "127.0.0.1", resolve));
  mediaRoot = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fake?.close();
  await transcription?.close();
  await new Promise((resolve) => media?.close(resolve));
  await app?.close();
});

function channel(overrides: Partial<ZaloChannelDeps> = {}): ZaloChannel {
  return createZaloChannel({
    token: ZALO_TOKEN,
    answerer: app.answerer,
    store: app.store,
    conversations: app.conversations,
    answers: createAnswerStore(app.store.db),
    deliveries: createDeliveryStore(app.store.db),
    logger: createLogger("debug", logs.stream),
    ...overrides,
    options: {
      apiRoot: fake.apiRoot,
      rateLimit: { limit: 1000, timeFrameMs: 60_000 },
      client: { backoffMs: 5, timeoutMs: 5_000 },
    },
  });
}

const transcriber = () =>
  createTranscriber({
    baseUrl: transcription.url,
    model: "whisper-1",
    timeoutMs: 5_000,
    limits: { maxSeconds: 60, maxBytes: 20_000 },
  });

const deliver = (c: ZaloChannel, event: object) =>
  c.bot.dispatch(event as Parameters<ZaloChannel["bot"]["dispatch"]>[0]);

const sentTo = (from: number, chatId: string) =>
  fake
    .of("sendMessage")
    .slice(from)
    .filter((c) => c.body.chat_id === chatId)
    .map((c) => String(c.body.text));

describe("Zalo voice questions", () => {
  it("downloads the recording, transcribes it, echoes what was heard and answers it", async () => {
    const from = fake.of("sendMessage").length;
    await deliver(
      channel({ transcriber: transcriber() }),
      voiceEvent(`${mediaRoot}/voice.aac`, { from: LAN }),
    );
    const [echo, answer = ""] = sentTo(from, LAN.id);
    expect(echo).toBe(`Bạn hỏi: “${DEFAULT_TRANSCRIPT}”`);
    expect(answer).toContain("11%");
    expect(answer).toContain("Nguồn:");
    expect(transcription.requests.at(-1)?.body).toEqual({
      model: "whisper-1",
      language: "vi",
      fileName: "voice.aac",
      mimeType: "audio/aac",
      size: AAC.length,
    });
  });

  it("without a transcription endpoint, says in one sentence that it reads only typed questions", async () => {
    const from = fake.of("sendMessage").length;
    await deliver(channel(), voiceEvent(`${mediaRoot}/voice.aac`, { from: MINH }));
    expect(sentTo(from, MINH.id)).toEqual([TEXT.voiceOff]);
  });

  it("refuses a recording over the size cap with the limit, and a missing one with an apology", async () => {
    const from = fake.of("sendMessage").length;
    const requests = transcription.requests.length;
    const zalo = channel({ transcriber: transcriber() });
    await deliver(zalo, voiceEvent(`${mediaRoot}/long.aac`, { from: HUNG }));
    await deliver(zalo, voiceEvent(`${mediaRoot}/gone.aac`, { from: HUNG }));
    expect(sentTo(from, HUNG.id)).toEqual([
      "Tin nhắn thoại lớn hơn 19 KB nên mình không nghe được. Bạn hãy hỏi ngắn hơn hoặc gõ câu hỏi nhé.",
      TEXT.voiceFailed,
    ]);
    expect(transcription.requests.length).toBe(requests);
    expect(logs.lines.some((l) => l.err === "the voice message could not be downloaded (HTTP 404)")).toBe(
      true,
    );
  });
});
