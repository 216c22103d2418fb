import type { Logger } from "../../logger.ts";
import { formatQuizAnswerText, formatQuizQuestionText, parseQuizReply } from "../../quiz/format-quiz.ts";
import { hashSeed } from "../../quiz/random.ts";
import type { Quiz } from "../../quiz/types.ts";
import { foldDiacritics } from "../../text/fold-diacritics.ts";
import { formatStudyPackText, formatTargetsReply } from "./format-study.ts";
import type { ZaloMessage } from "./schemas.ts";
import { TEXT } from "./texts.ts";
import type { ZaloStudyDeps } from "./types.ts";

/** Questions one /quiz asks: enough to practise, few enough to finish on a phone. */
export const QUIZ_QUESTIONS = 5;
/** A quiz left unanswered this long is over: a "B" typed days later is not its reply. */
export const QUIZ_MAX_AGE_MS = 12 * 3600_000;

/** Replies that pass on a question: its answer is shown and the quiz goes on. */
const SKIP = /^(bo qua|skip|pass|khong biet|chiu|tiep|cau tiep|next)$/;

interface Context {
  send(chatId: string, text: string): Promise<void>;
  keepTyping(chatId: string): () => void;
  conversationIdFor(message: ZaloMessage): string;
  logger: Logger;
}

/**
 * /chitieu, /quiz and /baihoc for Zalo, and the replies to a pending quiz. Zalo has no polls or
 * buttons: a quiz is one question as text at a time, and the member's next message is the reply.
 * What is pending is in the database (topic, count, seed, index), so a restart or another replica
 * continues it; the questions are generated again from those, the same on an unchanged corpus.
 */
export function createZaloStudy(
  study: ZaloStudyDeps,
  { send, keepTyping, conversationIdFor, logger }: Context,
) {
  const sessions = study.quizSessions;

  async function withTyping<T>(chatId: string, work: () => Promise<T>): Promise<T> {
    const stop = keepTyping(chatId);
    try {
      return await work();
    } finally {
      stop();
    }
  }

  /** "Câu 2/5 (dễ): …\nA. …" */
  const questionText = (quiz: Quiz, index: number) => {
    const q = quiz.questions[index];
    return q ? formatQuizQuestionText(q, { index, total: quiz.questions.length }) : "";
  };

  return {
    async targets(message: ZaloMessage, keyword: string): Promise<void> {
      const list = await study.targets.list(keyword);
      await send(message.chat.id, formatTargetsReply(list));
    },

    async studyPack(message: ZaloMessage, topic: string): Promise<void> {
      const chatId = message.chat.id;
      const pack = await withTyping(chatId, () => study.studyPacks.build(topic));
      if (!pack.found) return send(chatId, TEXT.studyPackNone(pack.topic || topic));
      await send(chatId, formatStudyPackText(pack));
      logger.info({ messageId: message.message_id, topic: pack.topic }, "zalo study pack sent");
    },

    /** /quiz [topic]: a new quiz (replacing one in progress), its first question. */
    async startQuiz(message: ZaloMessage, topic: string): Promise<void> {
      const chatId = message.chat.id;
      // Another /quiz, another set: the seed comes from the message (and is stored with the quiz).
      const seed = hashSeed("zalo-quiz", message.message_id) >>> 1;
      const quiz = await withTyping(chatId, () =>
        study.quizzes.generate({ topic, count: QUIZ_QUESTIONS, seed }),
      );
      const first = quiz.questions[0];
      if (!first) return send(chatId, TEXT.quizNone(quiz.topic || topic));
      await sessions.start(conversationIdFor(message), {
        topic,
        count: QUIZ_QUESTIONS,
        seed,
        questionId: first.id,
      });
      await send(chatId, TEXT.quizIntro(quiz.topic, quiz.questions.length));
      await send(chatId, questionText(quiz, 0));
      logger.info(
        { messageId: message.message_id, topic: quiz.topic, seed, questions: quiz.questions.length },
        "zalo quiz started",
      );
    },

    /** /moi: the quiz in progress, if any, ends; true when there was one. */
    async endQuiz(message: ZaloMessage): Promise<boolean> {
      return (await sessions.end(conversationIdFor(message))) !== undefined;
    },

    /**
     * A text message while a quiz may be pending. True when it was the quiz's reply (graded, the
     * answer revealed with its source, the next question or the score sent); false when there is
     * no quiz, or the message is not a reply: the quiz then ends with a short note and the message
     * is handled as usual (a question gets its answer).
     */
    async reply(message: ZaloMessage, text: string): Promise<boolean> {
      const chatId = message.chat.id;
      const conversationId = conversationIdFor(message);
      const session = await sessions.get(conversationId, QUIZ_MAX_AGE_MS);
      if (!session) return false;
      const quiz = await study.quizzes.generate({
        topic: session.topic,
        count: session.count,
        seed: session.seed,
      });
      const total = quiz.questions.length;
      const q = quiz.questions[session.position];
      if (!q || q.id !== session.questionId) {
        // The documents changed since the question was sent: it cannot be graded any more.
        await sessions.end(conversationId, session.position);
        await send(chatId, TEXT.quizChanged);
        return /^\s*[a-dA-D1-4]\s*$/.test(text);
      }
      const folded = foldDiacritics(text)
        .replace(/[^\p{L}\p{N}]+/gu, " ")
        .trim();
      const skipped = SKIP.test(folded);
      const chosen = skipped ? undefined : parseQuizReply(q, text);
      if (chosen === undefined && !skipped) {
        await sessions.end(conversationId, session.position);
        await send(chatId, TEXT.quizStopped(session.correct, session.position));
        return false;
      }
      const right = chosen === q.correct;
      const next = quiz.questions[session.position + 1];
      if (next) {
        const moved = await sessions.advance(conversationId, {
          from: session.position,
          right,
          nextQuestionId: next.id,
        });
        // Graded already (a repeat that reached another replica): nothing more to say.
        if (!moved) return true;
        await send(chatId, formatQuizAnswerText(q, chosen));
        await send(chatId, questionText(quiz, session.position + 1));
      } else {
        const correct = await sessions.end(conversationId, session.position);
        if (correct === undefined) return true;
        await send(chatId, formatQuizAnswerText(q, chosen));
        await send(chatId, TEXT.quizDone(correct + (right ? 1 : 0), total));
      }
      logger.info(
        { messageId: message.message_id, question: session.position + 1, total, right, skipped },
        "zalo quiz reply",
      );
      return true;
    },
  };
}

export type ZaloStudy = ReturnType<typeof createZaloStudy>;
