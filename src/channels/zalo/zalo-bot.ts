import { errorMessage } from "../../error-message.ts";
import { createOrderedQueue, type Lease } from "../../reliability/ordered-queue.ts";
import { createRateLimiter } from "../../reliability/rate-limit.ts";
import { newAnswerId } from "../../store/answer-store.ts";
import { foldDiacritics } from "../../text/fold-diacritics.ts";
import { AudioTooLargeError, downloadAudio, TranscriptionError } from "../../transcription/transcriber.ts";
import { addressing, isGroup } from "./addressing.ts";
import {
  formatAnswerText,
  formatDocumentsText,
  formatPassageText,
  formatSourcesText,
  splitMessage,
} from "./format.ts";
import type { ZaloBotInfo, ZaloEvent, ZaloMessage } from "./schemas.ts";
import { createZaloStudy } from "./study.ts";
import { TEXT } from "./texts.ts";
import type { ZaloBotDeps } from "./types.ts";

const TEXT_EVENT = "message.text.received";
const VOICE_EVENT = "message.voice.received";

/** "chào bạn!", "hello", "alo": answered with the welcome, not searched. */
const GREETING =
  /^(xin chao|chao|hello|helo|hi|hey|alo|a lo|start|bat dau)( (ban|bot|em|anh|chi|ad|admin|so tay|moi nguoi|ca nha))*$/;

/** The conversation a message belongs to: one per private chat, one per member in a group. */
export function conversationIdFor(message: ZaloMessage): string {
  const chat = message.chat;
  if (isGroup(message) && message.from) return `zalo:${chat.id}:${message.from.id}`;
  return `zalo:${chat.id}`;
}

/** Messages being answered at once (the store and the answerer; sending is not counted). */
export const DEFAULT_CONCURRENCY = 8;
/**
 * Events taken and not yet handled past which `offer` refuses more (the webhook answers 503).
 * Below it a burst is taken and answered late rather than refused: Zalo does not document whether
 * or when it delivers again an event a webhook refused, so a refusal risks a question never
 * answered, while a late answer is still an answer. 10,000 waiting events are ~20 MB (measured:
 * ~2 KB each) and a few minutes of answering even on PGlite (~50 answers/s on 2 cores); past
 * that the process protects its memory, and what it refuses it has not claimed, so a delivery
 * made again later is answered.
 */
export const DEFAULT_MAX_PENDING = 10_000;

/**
 * The Zalo bot: one incoming event in, plain-text replies out through the Bot API client. The core
 * appears only as `answerer` and the stores. `dispatch` (and `offer`, which the webhook calls) is
 * where events come in: each is first claimed and checked against its user's rate limit as soon
 * as it arrives (the claims of one turn of the event loop share one statement); what is left to
 * answer waits its turn in a queue: events of one chat are handled in order (a follow-up never
 * overtakes its question), chats in parallel, at most `concurrency` at once, and no event can make
 * it throw.
 */
export function createZaloBot(deps: ZaloBotDeps) {
  const { client, answerer, store, conversations, answers, deliveries, logger } = deps;
  const options = deps.options;
  const limiter = createRateLimiter({
    ...(options.rateLimit ?? { limit: 6, timeFrameMs: 10_000 }),
    ...(deps.rateLimits ? { store: deps.rateLimits } : {}),
  });
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const queue = createOrderedQueue({ concurrency: options.concurrency ?? DEFAULT_CONCURRENCY });
  /** per chat: the claim and rate-limit decision of its latest event, so they are made in order */
  const triaged = new Map<string, Promise<unknown>>();
  /** per chat: the slot of the event being answered (one at a time per chat), given back on sending */
  const leases = new Map<string, Lease>();
  const inFlight = new Set<Promise<void>>();
  /** who the bot is (getMe), for mentions and replies in groups; set by the channel on start */
  let identity = options.botInfo;

  /** One reply, split into messages of at most 2,000 characters, sent in order. */
  async function send(chatId: string, text: string): Promise<void> {
    // What is left is waiting on Zalo's API: the slot goes to the next message, so a slow Bot
    // API delays replies but does not hold answering back.
    leases.get(chatId)?.release();
    const pieces = splitMessage(text);
    if (pieces.length === 0) pieces.push(TEXT.emptyAnswer);
    for (const piece of pieces) await client.sendMessage(chatId, piece);
  }

  /** "typing…" until the returned function is called; its failure is only a debug line. */
  function keepTyping(chatId: string): () => void {
    const ignore = (error: unknown) => logger.debug({ err: error }, "zalo typing action failed (ignored)");
    const once = () => {
      try {
        client.sendChatAction(chatId, "typing").catch(ignore);
      } catch (error) {
        ignore(error);
      }
    };
    once();
    const timer = setInterval(once, options.typingIntervalMs ?? 4_500);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  // /chitieu, /quiz, /baihoc and the replies to a pending quiz; without the core's services, off.
  const study = deps.study
    ? createZaloStudy(deps.study, { send, keepTyping, conversationIdFor, logger })
    : undefined;

  async function ask(message: ZaloMessage, question: string): Promise<void> {
    const chatId = message.chat.id;
    const conversationId = conversationIdFor(message);
    const stopTyping = keepTyping(chatId);
    try {
      const id = newAnswerId();
      const answer = await answerer.answer({ question, conversationId, id });
      logger.info(
        {
          messageId: message.message_id,
          chatType: message.chat.chat_type,
          answerId: id,
          found: answer.found,
          mode: answer.mode,
          citations: answer.citations.length,
          ms: answer.ms,
          ...(options.logQuestions ? { question } : {}),
        },
        "zalo answer",
      );
      // Kept for analytics with the other channels' answers; the user's reply does not depend on it.
      await answers
        .record({ id, channel: "zalo", conversationId, userId: message.from?.id, question, answer })
        .catch((error: unknown) => logger.warn({ err: error, answerId: id }, "zalo answer not recorded"));
      await send(chatId, formatAnswerText(answer));
    } finally {
      stopTyping();
    }
  }

  /** /nguon (the sources of the last answer) and /nguon N (the passage behind source N). */
  async function sources(message: ZaloMessage, argument: string): Promise<void> {
    const chatId = message.chat.id;
    // The conversation is in the database: this works after a restart and on any replica.
    const [last] = await conversations.recent(conversationIdFor(message), 1);
    if (!last) return send(chatId, TEXT.noLastAnswer);
    const citations = last.answer.citations;
    const number = /^\[?(\d{1,3})\]?$/.exec(argument);
    if (!number) return send(chatId, formatSourcesText(last.question, last.answer));
    if (citations.length === 0) return send(chatId, TEXT.noSources);
    const citation = citations.find((c) => c.n === Number(number[1]));
    if (!citation) return send(chatId, TEXT.sourceOutOfRange(citations.length));
    return send(chatId, formatPassageText(citation, await store.getPassage(citation.chunkId)));
  }

  async function onText(message: ZaloMessage, text: string): Promise<void> {
    const chatId = message.chat.id;
    const trimmed = text.trim();
    const command = /^\/(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
    if (command) {
      const name = foldDiacritics(command[1] ?? "").toLowerCase();
      const argument = (command[2] ?? "").trim();
      switch (name) {
        case "nguon":
          return sources(message, argument);
        case "tailieu":
          return send(chatId, formatDocumentsText(await store.listDocuments()));
        case "moi": {
          await conversations.clear(conversationIdFor(message));
          const quizEnded = study ? await study.endQuiz(message) : false;
          return send(chatId, quizEnded ? TEXT.newConversationQuizEnded : TEXT.newConversation);
        }
        case "chitieu":
          if (study) return study.targets(message, argument);
          break;
        case "quiz":
        case "tracnghiem":
          if (study) return study.startQuiz(message, argument);
          break;
        case "baihoc":
          if (study) return study.studyPack(message, argument);
          break;
        case "help":
        case "huongdan":
          return send(chatId, TEXT.help);
        case "start":
          return send(chatId, TEXT.welcome);
        case "hoi":
          return argument ? ask(message, argument) : send(chatId, TEXT.welcome);
      }
      return send(chatId, TEXT.unknownCommand);
    }
    // A quiz waiting for a reply takes this message if it is one ("B", "2", the option's text);
    // anything else ends the quiz and is handled as usual below.
    if (study && (await study.reply(message, trimmed))) return;
    const folded = foldDiacritics(trimmed)
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
    if (!folded || GREETING.test(folded)) return send(chatId, TEXT.welcome);
    return ask(message, trimmed);
  }

  /**
   * A voice question: the recording is downloaded into memory (at most the size cap: Zalo does not
   * say how long it is), transcribed, echoed back and answered like typed text; never stored.
   */
  async function onVoice(message: ZaloMessage): Promise<void> {
    const chatId = message.chat.id;
    const { transcriber } = deps;
    if (!transcriber) return send(chatId, TEXT.voiceOff);
    const url = message.voice_url ?? (typeof message.url === "string" ? message.url : undefined);
    const context = { messageId: message.message_id };
    let question: string;
    const stopTyping = keepTyping(chatId);
    // Downloading and transcribing is seconds of network waiting: like sending, it does not hold
    // one of the answering slots (on PGlite there is one) while other chats wait. The chat's own
    // later messages still wait for this one (the queue keeps each chat in order).
    leases.get(chatId)?.release();
    try {
      const bytes = await downloadAudio(url ?? "", transcriber.limits.maxBytes, 30_000);
      question = await transcriber.transcribe({ bytes, fileName: "voice.aac", mimeType: "audio/aac" });
    } catch (error) {
      if (!(error instanceof TranscriptionError)) throw error;
      logger.warn({ ...context, err: errorMessage(error) }, "zalo voice question not transcribed");
      return send(
        chatId,
        error instanceof AudioTooLargeError
          ? TEXT.voiceTooLarge(formatSize(transcriber.limits.maxBytes))
          : TEXT.voiceFailed,
      );
    } finally {
      stopTyping();
    }
    if (!/[\p{L}\p{N}]/u.test(question)) return send(chatId, TEXT.voiceEmpty);
    logger.info(context, "zalo voice question transcribed");
    await client.sendMessage(chatId, TEXT.youAsked(question));
    return ask(message, question);
  }

  /** The message failed somewhere: the cause in the log, an apology to the user. Never throws. */
  async function apologise(message: ZaloMessage, event: ZaloEvent, error: unknown): Promise<void> {
    const context = { messageId: message.message_id, event: event.event_name };
    logger.error({ ...context, err: error }, "zalo message failed");
    await send(message.chat.id, TEXT.apology).catch((failure: unknown) =>
      logger.warn({ ...context, err: failure }, "could not send the apology"),
    );
  }

  /** A claimed, allowed event, start to finish. Never throws: a failure gets the apology. */
  async function reply(event: ZaloEvent, message: ZaloMessage): Promise<void> {
    try {
      if (event.event_name === VOICE_EVENT) return await onVoice(message);
      if (event.event_name !== TEXT_EVENT) return await send(message.chat.id, TEXT.notText);
      await onText(message, message.text ?? "");
    } catch (error) {
      await apologise(message, event, error);
    }
  }

  /** Runs `work` for the chat when its earlier messages are done and a slot is free. */
  function answerInTurn(chatId: string, work: () => Promise<void>): Promise<void> {
    return queue.push(chatId, async (lease) => {
      leases.set(chatId, lease);
      try {
        await work();
      } finally {
        leases.delete(chatId);
      }
    });
  }

  /**
   * The claim's outcome and the user's rate limit: what, if anything, is to be answered (queued
   * here, in the order the chat's events arrived). Never rejects.
   */
  async function triage(
    event: ZaloEvent,
    message: ZaloMessage,
    claim: Promise<boolean>,
  ): Promise<{ done?: Promise<void> }> {
    const chatId = message.chat.id;
    const context = { messageId: message.message_id, event: event.event_name };
    let claimed: boolean;
    try {
      claimed = await claim;
    } catch (error) {
      return { done: answerInTurn(chatId, () => apologise(message, event, error)) };
    }
    if (!claimed) {
      logger.info(context, "zalo: repeated delivery of a message already taken; ignored");
      return {};
    }
    const verdict = await limiter.hit(`zalo:${message.from?.id ?? chatId}`);
    if (verdict === "allow") return { done: answerInTurn(chatId, () => reply(event, message)) };
    logger.info({ ...context, userId: message.from?.id }, "zalo rate limit hit");
    if (verdict === "drop") return {};
    return {
      done: answerInTurn(chatId, () =>
        send(chatId, TEXT.rateLimited).catch((error: unknown) => apologise(message, event, error)),
      ),
    };
  }

  /** Takes one event; resolves when it has been handled. Never rejects. */
  function dispatch(event: ZaloEvent): Promise<void> {
    const received = event.message;
    if (!received) {
      // e.g. message.unsupported.received without a message: there is no chat to answer.
      logger.info({ event: event.event_name }, "zalo event without a message: nothing to answer");
      return Promise.resolve();
    }
    if (received.from?.is_bot) return Promise.resolve();
    // In a group, only what is addressed to the bot, before any claim or rate limit.
    const { addressed, text } = addressing(received, identity, options.groupReplies ?? "mention");
    if (!addressed) {
      logger.debug(
        { messageId: received.message_id },
        "zalo group message not addressed to the bot; ignored",
      );
      return Promise.resolve();
    }
    const message = received.text === undefined ? received : { ...received, text };
    const chatId = message.chat.id;
    // Claimed now, with the other events of this turn of the event loop, not after the chat's
    // earlier messages are answered: a repeat or a message past the rate limit costs nothing more.
    const claim = Promise.resolve().then(() => deliveries.claim("zalo", message.message_id));
    claim.catch(() => {}); // read (and any failure handled) by triage, in order
    const decided = (triaged.get(chatId) ?? Promise.resolve()).then(() => triage(event, message, claim));
    triaged.set(chatId, decided);
    const forget = () => {
      if (triaged.get(chatId) === decided) triaged.delete(chatId);
    };
    decided.then(forget, forget);
    // Every step catches its own failures; this is the last guard, as a rejection nobody awaits
    // (the webhook and the poller do not) would end the process.
    const run = decided
      .then((next) => next.done)
      .catch((error: unknown) =>
        logger.error({ messageId: message.message_id, err: error }, "zalo message failed"),
      );
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
    return run;
  }

  return {
    dispatch,

    /** The bot's own account (getMe): what a mention or a reply in a group is addressed to. */
    identify(me: ZaloBotInfo): void {
      identity = me;
    },

    /**
     * Takes the events if there is room for all of them under `maxPending`, and returns true; else
     * takes none (nothing claimed, so a delivery made again later is answered) and returns false.
     */
    offer(events: readonly ZaloEvent[]): boolean {
      if (inFlight.size + events.length > maxPending) return false;
      for (const event of events) void dispatch(event);
      return true;
    },

    /** Waits (at most `timeoutMs`) for the events being handled: for a graceful stop. */
    async drain(timeoutMs: number): Promise<void> {
      if (inFlight.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },

    /** events taken and not yet handled */
    get pending(): number {
      return inFlight.size;
    },

    /** room for `count` more events under `maxPending` */
    hasRoom(count = 1): boolean {
      return inFlight.size + count <= maxPending;
    },
  };
}

export type ZaloBot = ReturnType<typeof createZaloBot>;

/** "2 MB", "500 KB". */
function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.floor(bytes / (1024 * 1024))} MB`
    : `${Math.max(1, Math.floor(bytes / 1024))} KB`;
}
