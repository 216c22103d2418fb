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
  /** the first and last page of the quoted passage, for a PDF or a scan */
  pages?: { first: number; last: number };
  /** the document was read by OCR from page images: its text may differ from the original */
  scanned?: boolean;
  /**
   * Present only when the quoted document is not in force today: superseded by another (front
   * matter `supersedes`), or taking effect later (`effective`).
   */
  notInForce?: { effective?: string; supersededBy?: { document: string; effective?: string } };
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
  /**
   * How likely the documents answer the question, 0..1 (the answerability model,
   * src/answer/models/answerability.json); the answer is refused below the model's operating point.
   */
  confidence?: number;
  mode: AnswerMode;
  /**
   * The figure, date, name or place asked for, as the first quote states it (an exact substring
   * of it); the answer text opens with it in bold.
   */
  shortAnswer?: string;
  /**
   * For a yes/no check ("… phải không?"): whether the first quote states what the question says
   * ("true"), or states another figure for the same thing ("false"); the answer text opens with it.
   */
  verdict?: "true" | "false";
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
