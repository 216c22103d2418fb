import type { Citation } from "../contract/answer.ts";

export type Difficulty = "easy" | "medium" | "hard";

/** What the question is made from (see offline-quiz.ts); "generated": written by the chat model. */
export type QuizKind = "fact" | "enumeration" | "slogan" | "definition" | "generated";

/**
 * One multiple-choice question, as every channel receives it (and `npm run quiz -- --json`
 * prints): exactly one correct option, which appears in the quoted source; three distractors,
 * which do not.
 */
export interface QuizQuestion {
  /** stable for the same source and answer: a channel may key a pending answer on it */
  id: string;
  kind: QuizKind;
  question: string;
  /** four options, in the order shown */
  options: string[];
  /** index of the correct option in `options` */
  correct: number;
  /** the correct answer and the source sentence it comes from, quoted, with where it is written */
  explanation: string;
  difficulty: Difficulty;
  /** the sentence the answer comes from (the answer contract's citation shape, n = 1) */
  citation: Citation;
  /** "offline" (deterministic rules) or "model" (prompts/quiz.md, checked against its quote) */
  origin: "offline" | "model";
}

export interface QuizRequest {
  /** keyword(s) the questions must be about, typed with or without diacritics; none: the whole corpus */
  topic?: string;
  /** how many questions (default 10, at most 30) */
  count?: number;
  /** the same seed gives the same quiz (default 1) */
  seed?: number;
}

export interface Quiz {
  topic: string;
  seed: number;
  questions: QuizQuestion[];
}

export const DIFFICULTY_LABEL: Record<Difficulty, string> = {
  easy: "dễ",
  medium: "trung bình",
  hard: "khó",
};
