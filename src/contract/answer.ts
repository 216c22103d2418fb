/**
 * The answer contract every channel uses (CLI `--json`, web API, Telegram, Zalo). A channel only
 * formats this; it never decides what the answer is.
 */
export interface Citation {
  /** the marker number used in the answer text: "[n]" */
  n: number;
  document: string;
  /** the section heading path joined with " › ", or "" for text before the first heading */
  section: string;
  url?: string;
  publisher?: string;
  /** ISO date YYYY-MM-DD when known */
  published?: string;
  /** an exact substring of the passage's stored text */
  quote: string;
  chunkId: string;
}

export type AnswerMode = "extractive" | "generative";

export interface Answer {
  id?: string;
  question: string;
  /** Vietnamese answer text; every claim carries a marker [n] that matches a citation */
  answer: string;
  found: boolean;
  mode: AnswerMode;
  /** empty when found is false */
  citations: Citation[];
  /** when found is false: up to three nearby topics the documents do cover */
  related?: string[];
  /** the question actually searched, when a follow-up was resolved against the conversation */
  resolvedQuestion?: string;
  ms: number;
}

export interface AnswerRequest {
  question: string;
  conversationId?: string;
  id?: string;
}
