import { newAnswerId } from "../../store/answer-store.ts";
import { foldDiacritics } from "../../text/fold-diacritics.ts";
import {
  formatAnswerText,
  formatDocumentsText,
  formatPassageText,
  formatSourcesText,
  splitMessage,
} from "./format.ts";
import { createRateLimiter } from "./rate-limit.ts";
import type { ZaloEvent, ZaloMessage } from "./schemas.ts";
import { createZaloStudy } from "./study.ts";
import { TEXT } from "./texts.ts";
import type { ZaloBotDeps } from "./types.ts";

const TEXT_EVENT = "message.text.received";

/** "chào bạn!", "hello", "alo": answered with the welcome, not searched. */
const GREETING =
  /^(xin chao|chao|hello|helo|hi|hey|alo|a lo|start|bat dau)( (ban|bot|em|anh|chi|ad|admin|so tay|moi nguoi|ca nha))*$/;

/** The conversation a message belongs to: one per private chat, one per member in a group. */
export function conversationIdFor(message: ZaloMessage): string {
  const chat = message.chat;
  if (chat.chat_type?.toUpperCase() === "GROUP" && message.from) return `zalo:${chat.id}:${message.from.id}`;
  return `zalo:${chat.id}`;
}

/**
 * The Zalo bot: one incoming event in, plain-text replies out through the Bot API client. The core
 * appears only as `answerer` and the stores. `dispatch` is what the webhook and the poller call:
 * events of one chat are handled in order (a follow-up never overtakes its question), chats in
 * parallel, and no event can make it throw.
 */
export function createZaloBot(deps: ZaloBotDeps) {
  const { client, answerer, store, conversations, answers, deliveries, logger } = deps;
  const options = deps.options;
  const limiter = createRateLimiter(options.rateLimit ?? { limit: 6, timeFrameMs: 10_000 });
  const chains = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();

  /** One reply, split into messages of at most 2,000 characters, sent in order. */
  async function send(chatId: string, text: string): Promise<void> {
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

  /** One event, start to finish. Never throws: a failure is logged and the user gets an apology. */
  async function handle(event: ZaloEvent): Promise<void> {
    const message = event.message;
    if (!message) {
      // e.g. message.unsupported.received without a message: there is no chat to answer.
      logger.info({ event: event.event_name }, "zalo event without a message: nothing to answer");
      return;
    }
    if (message.from?.is_bot) return;
    const chatId = message.chat.id;
    const context = { messageId: message.message_id, event: event.event_name };
    try {
      if (!(await deliveries.claim("zalo", message.message_id))) {
        logger.info(context, "zalo: repeated delivery of a message already taken; ignored");
        return;
      }
      const verdict = limiter.hit(message.from?.id ?? chatId);
      if (verdict !== "allow") {
        logger.info({ ...context, userId: message.from?.id }, "zalo rate limit hit");
        if (verdict === "warn") await send(chatId, TEXT.rateLimited);
        return;
      }
      if (event.event_name !== TEXT_EVENT) return await send(chatId, TEXT.notText);
      await onText(message, message.text ?? "");
    } catch (error) {
      logger.error({ ...context, err: error }, "zalo message failed");
      await send(chatId, TEXT.apology).catch((failure: unknown) =>
        logger.warn({ ...context, err: failure }, "could not send the apology"),
      );
    }
  }

  return {
    handle,

    /** Queues an event behind the earlier ones of its chat; resolves when it has been handled. */
    dispatch(event: ZaloEvent): Promise<void> {
      const key = event.message?.chat.id ?? "";
      const run = (chains.get(key) ?? Promise.resolve()).then(() => handle(event));
      chains.set(key, run);
      inFlight.add(run);
      void run.finally(() => {
        inFlight.delete(run);
        if (chains.get(key) === run) chains.delete(key);
      });
      return run;
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

    get pending(): number {
      return inFlight.size;
    },
  };
}

export type ZaloBot = ReturnType<typeof createZaloBot>;
