import type { DocumentRef } from "../contract/document.ts";
import type { Logger } from "../logger.ts";
import type { Retriever } from "../retrieval/retriever.ts";
import type { Queryable } from "../store/database.ts";
import type { FactStore } from "../store/fact-store.ts";
import { type ListedPassage, listPassages } from "../store/passage-list.ts";
import { parseKeyword } from "../text/keyword-match.ts";
import type { ChatQuiz } from "./chat-quiz.ts";
import { pickQuestions, quizCandidates } from "./offline-quiz.ts";
import type { Quiz, QuizRequest } from "./types.ts";

export const DEFAULT_QUIZ_COUNT = 10;
export const MAX_QUIZ_COUNT = 30;
/** Passages a quiz reads at most (a large corpus is sampled by the seed). */
const MAX_PASSAGES = 400;
/** Passages given to the chat model. */
const MODEL_PASSAGES = 6;

export interface QuizzesDeps {
  db: Queryable;
  facts: Pick<FactStore, "list">;
  /** with a chat model: richer questions, checked, first; the offline ones fill up */
  chat?: ChatQuiz;
  /** picks the passages the chat model writes from, for a topic */
  retriever?: Pick<Retriever, "retrieve">;
  logger: Logger;
}

/**
 * Quizzes: `generate({ topic, count, seed })` gives the same questions for the same corpus and
 * seed. Every channel calls this and only formats the result.
 */
export function createQuizzes({ db, facts, chat, retriever, logger }: QuizzesDeps) {
  async function modelPassages(topic: string, sample: readonly ListedPassage[]): Promise<ListedPassage[]> {
    if (!topic || !retriever) return sample.slice(0, MODEL_PASSAGES);
    const retrieval = await retriever.retrieve(topic, { k: MODEL_PASSAGES });
    return retrieval.passages.map((p) => ({
      chunkId: p.chunkId,
      ordinal: p.ordinal,
      headingPath: p.headingPath,
      text: p.text,
      sentences: p.sentences,
      document: p.document,
    }));
  }

  return {
    async generate(request: QuizRequest = {}): Promise<Quiz> {
      const topic = parseKeyword(request.topic ?? "", { dropQuestionWords: true });
      const count = Math.min(MAX_QUIZ_COUNT, Math.max(1, Math.trunc(request.count ?? DEFAULT_QUIZ_COUNT)));
      const seed = Math.trunc(request.seed ?? 1);
      const words = topic.folded.filter((t) => /^[a-z]+$/.test(t));
      // Only documents in force (migration 016): a quiz does not teach a superseded plan's figures.
      const [allFacts, onTopic, sample] = await Promise.all([
        facts.list().then(inForce),
        // The folded-text pre-filter takes words; numbers are matched on the sentences.
        words.length > 0 ? listPassages(db, { folded: words, limit: MAX_PASSAGES, seed }).then(inForce) : [],
        // Distractors for lists, mottos and definitions come from the rest of the corpus too.
        listPassages(db, { limit: MAX_PASSAGES, seed }).then(inForce),
      ]);
      const known = new Set(onTopic.map((p) => p.chunkId));
      const passages = [...onTopic, ...sample.filter((p) => !known.has(p.chunkId))];
      const offline = quizCandidates({ facts: allFacts, passages, topic, seed });
      let fromModel: Quiz["questions"] = [];
      if (chat && (topic.folded.length === 0 || onTopic.length > 0)) {
        const source = await modelPassages(topic.text, topic.folded.length > 0 ? onTopic : sample);
        fromModel = (await chat.questions(source, { count, topic: topic.text, seed })).slice(0, count);
      }
      const questions = [...fromModel, ...pickQuestions(offline, count - fromModel.length, seed)];
      logger.debug(
        { topic: topic.text, seed, model: fromModel.length, offline: questions.length - fromModel.length },
        "quiz generated",
      );
      return { topic: topic.text, seed, questions };
    },
  };
}

export type Quizzes = ReturnType<typeof createQuizzes>;

/** The rows whose document is in force today (not superseded, in effect). */
function inForce<T extends { document: DocumentRef }>(rows: T[]): T[] {
  return rows.filter((r) => r.document.inForce !== false);
}
