import type { Answer, AnswerRequest, Citation } from "../contract/answer.ts";
import type { Logger } from "../logger.ts";
import type { CpuTurns } from "../reliability/cpu-turns.ts";
import type { AbbreviationGroups } from "../retrieval/expand-query.ts";
import type { Retrieval, Retriever } from "../retrieval/retriever.ts";
import type { ConversationStore, Turn } from "../store/conversation-store.ts";
import { normalizeInline } from "../text/normalize-vietnamese.ts";
import { sectionLabel } from "./citations.ts";
import {
  type AnswerModels,
  answerExtractively,
  type ExtractiveAnswer,
  type ExtractiveTrace,
  type FactHint,
  loadAnswerModels,
} from "./extractive.ts";
import { isFollowUp } from "./follow-up.ts";
import { questionType } from "./question-type.ts";

/** The generative path, when a chat model is configured (see generative.ts). */
export interface GenerativePath {
  answer(
    question: string,
    retrieval: Retrieval,
    history: { question: string; answer: string }[],
  ): Promise<{ found: boolean; answer: string; citations: Citation[] } | { fallback: string }>;
  rewriteFollowup(question: string, history: { question: string; answer: string }[]): Promise<string>;
}

export interface AnswererOptions {
  topK: number;
  /**
   * Refusal threshold on the answerability model's probability; unset: the model's operating
   * point, chosen by scripts/train-answerability.ts from its cross-validated curve.
   */
  minConfidence?: number;
  /** longer questions are cut (and the answer says so) */
  maxQuestionChars?: number;
}

export interface AnswererDeps {
  retriever: Retriever;
  conversations?: ConversationStore;
  generative?: GenerativePath;
  abbreviations?: AbbreviationGroups;
  /** the facts index: number questions pick the sentence whose figure counts what is asked */
  facts?: { forChunks(chunkIds: readonly string[]): Promise<FactHint[]> };
  logger: Logger;
  options: AnswererOptions;
  /** the answer models (default: the committed ones) */
  models?: AnswerModels;
  /**
   * Turns for the CPU-bound part of an answer (src/reliability/cpu-turns.ts): under load, the
   * database's replies are read between two answers, and a question that waited for its
   * conversation's history goes first. Without it an answer starts at once.
   */
  turns?: CpuTurns;
  /** sees what the answer selection saw for each question (scripts/train-answerability.ts) */
  trace?: (trace: ExtractiveTrace & { retrieval: Retrieval; request: AnswerRequest }) => void;
}

/** Passages the extractive answerer picks sentences from (its default), whose facts are read. */
const FACT_PASSAGES = 5;

export const NOT_FOUND_TEXT = "Tài liệu hiện có không đề cập đến nội dung này, nên tôi không thể trả lời.";
export const EMPTY_QUESTION_TEXT =
  "Bạn hãy nhập một câu hỏi về Chương trình hành động, ví dụ: “Hà Nội đặt mục tiêu tăng trưởng bao nhiêu?”";
const TRUNCATED_NOTE = "(Câu hỏi quá dài nên chỉ phần đầu được dùng để tìm câu trả lời.)";

/**
 * The sentence of a message that asks, without HTML-looking tags: the first ending in "?", or the
 * whole. A sentence ends at "?" or "!", or at a full stop ("… trước đây. Vậy …"); the dot of
 * "1.605", of "TP." or of "Paul F. Boller" ends none.
 */
export function askedSentence(message: string): string {
  const text = message
    .replace(/<\/?[a-zA-Z][^<>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  // a run of anything but "?", "!" and a full stop (a dot before a non-space or after a capital
  // is none), ending in "?"
  const asking = text.match(/(?:[^?!.]|\.(?=\S)|(?<=\p{Lu})\.)+\?/u)?.[0]?.trim();
  return (asking && asking !== text ? asking : text) || message;
}

/** The user-facing statement for found=false, with nearby topics the documents do cover. */
export function notFoundText(related: string[]): string {
  return related.length ? `${NOT_FOUND_TEXT} Bạn có thể hỏi về: ${related.join("; ")}.` : NOT_FOUND_TEXT;
}

/** Up to three distinct sections (or documents) near the question: what the bot can talk about. */
function relatedTopics(retrieval: Retrieval): string[] {
  const topics: string[] = [];
  for (const p of retrieval.passages) {
    const topic = sectionLabel(p.headingPath.slice(-1)) || p.document.title;
    if (!topics.includes(topic)) topics.push(topic);
    if (topics.length === 3) break;
  }
  return topics;
}

/**
 * The core: question in, grounded answer out. It knows no channel; the CLI, the web API, Telegram
 * and Zalo all call `answer` and only format the result.
 */
export function createAnswerer({
  retriever,
  conversations,
  generative,
  abbreviations,
  facts,
  logger,
  options,
  models = loadAnswerModels(),
  turns,
  trace,
}: AnswererDeps) {
  const maxChars = options.maxQuestionChars ?? 1000;

  /**
   * Answer selections already made on a retrieval, by what was asked of it. A retrieval cache
   * (src/reliability/cache-retrievals.ts) hands out the same object for the same search (the
   * question and, for a follow-up, the conversation's previous question) on the same corpus, so a
   * follow-up asked again in the same context is answered without selecting again; a new corpus
   * version means new retrievals, and the old selections go with them.
   */
  const selections = new WeakMap<Retrieval, Map<string, ExtractiveAnswer>>();

  async function history(conversationId: string | undefined): Promise<Turn[]> {
    if (!conversations || !conversationId) return [];
    return conversations.recent(conversationId, 3);
  }

  return {
    async answer(request: AnswerRequest): Promise<Answer> {
      const started = performance.now();
      let question = normalizeInline(request.question);
      const truncated = question.length > maxChars;
      if (truncated) question = question.slice(0, maxChars);
      const base = { ...(request.id !== undefined ? { id: request.id } : {}), question: request.question };
      const finish = (a: Omit<Answer, "ms" | "id" | "question">): Answer => ({
        ...base,
        ...a,
        answer: truncated && a.found ? `${a.answer}\n${TRUNCATED_NOTE}` : a.answer,
        ms: Math.round(performance.now() - started),
      });

      if (!/[\p{L}\p{N}]/u.test(question)) {
        return finish({ answer: EMPTY_QUESTION_TEXT, found: false, mode: "extractive", citations: [] });
      }

      // The conversation is read only when it can change the answer: a follow-up ("còn … thì
      // sao?") is read against its previous question, and a chat model sees the exchanges. A
      // question that stands on its own skips the read (under load, a query's wait).
      const readsHistory =
        conversations !== undefined &&
        request.conversationId !== undefined &&
        (generative !== undefined || isFollowUp(question));
      const earlier = readsHistory ? await history(request.conversationId) : [];
      await turns?.(readsHistory ? "continuing" : "new");
      const previous = earlier.at(-1);
      const pairs = earlier.map((t) => ({ question: t.resolvedQuestion, answer: t.answer.answer }));
      let searched = question;
      let context: string | undefined;
      let type = questionType(question);
      if (previous && isFollowUp(question)) {
        if (generative) searched = await generative.rewriteFollowup(question, pairs);
        else {
          context = previous.resolvedQuestion;
          if (type === "general") type = questionType(previous.resolvedQuestion);
        }
      }
      const resolvedQuestion = context ? `${context} ${question}` : searched;
      // A message of several sentences is judged by the one that asks ("… bao nhiêu? Bỏ qua …"),
      // without markup pasted around it; retrieval still searches the whole message.
      const asked = askedSentence(question);
      const judged = context ? `${context} ${asked}` : searched === question ? asked : searched;

      const retrieval = await retriever.retrieve(searched, { k: options.topK, context });
      const selectionKey = JSON.stringify([judged, asked, type]);
      let extractive = trace ? undefined : selections.get(retrieval)?.get(selectionKey);
      if (!extractive) {
        const figures =
          type === "number" && facts
            ? await facts.forChunks(retrieval.passages.slice(0, FACT_PASSAGES).map((p) => p.chunkId))
            : undefined;
        // The answerability check runs first in every mode: a question the documents do not answer
        // never reaches a chat model.
        extractive = answerExtractively(
          judged,
          retrieval,
          {
            type,
            abbreviations,
            models,
            kindQuestion: asked,
            passages: FACT_PASSAGES,
            ...(options.minConfidence !== undefined ? { minConfidence: options.minConfidence } : {}),
            ...(figures ? { facts: figures } : {}),
          },
          trace && ((t) => trace({ ...t, retrieval, request })),
        );
        const made = selections.get(retrieval) ?? new Map<string, ExtractiveAnswer>();
        if (made.size < 16) made.set(selectionKey, extractive);
        selections.set(retrieval, made);
      }
      let result: Omit<Answer, "ms" | "id" | "question"> | undefined;
      if (generative && extractive.found) {
        const generated = await generative.answer(searched, retrieval, pairs);
        if ("fallback" in generated) {
          logger.warn(
            { reason: generated.fallback },
            "chat model answer dropped; using the extractive answer",
          );
        } else {
          result = { ...generated, mode: "generative", confidence: extractive.support };
        }
      }
      if (!result) {
        result = {
          found: extractive.found,
          answer: extractive.answer,
          citations: extractive.citations,
          confidence: extractive.support,
          mode: "extractive",
          ...(extractive.shortAnswer ? { shortAnswer: extractive.shortAnswer } : {}),
          ...(extractive.verdict ? { verdict: extractive.verdict.value } : {}),
        };
      }
      if (!result.found) {
        const related = relatedTopics(retrieval);
        result = { ...result, answer: notFoundText(related), citations: [], related };
      }
      const answer = finish({ ...result, ...(resolvedQuestion !== question ? { resolvedQuestion } : {}) });
      if (conversations && request.conversationId) {
        await conversations.append(request.conversationId, { question, resolvedQuestion, answer });
      }
      return answer;
    },
  };
}

export type Answerer = ReturnType<typeof createAnswerer>;
