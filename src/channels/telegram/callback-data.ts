import { InlineKeyboard } from "grammy";
import type { Answer } from "../../contract/answer.ts";
import { EXAMPLE_QUESTIONS } from "./texts.ts";

/**
 * What a button carries (Telegram allows 64 bytes of callback_data): a kind and the answer's id,
 * never the answer itself, which is in the database (answer-store).
 *   s:<answerId>:<n>   show source n of that answer
 *   f:<answerId>:u|d   feedback 👍 / 👎
 *   q:<i>              ask example question i
 */
export type ButtonData =
  | { kind: "source"; answerId: string; n: number }
  | { kind: "feedback"; answerId: string; up: boolean }
  | { kind: "example"; index: number };

const ANSWER_ID = "[A-Za-z0-9_-]{1,40}";
export const SOURCE_DATA = new RegExp(`^s:(${ANSWER_ID}):(\\d{1,2})$`);
export const FEEDBACK_DATA = new RegExp(`^f:(${ANSWER_ID}):([ud])$`);
export const EXAMPLE_DATA = /^q:(\d)$/;

export function encodeButton(data: ButtonData): string {
  switch (data.kind) {
    case "source":
      return `s:${data.answerId}:${data.n}`;
    case "feedback":
      return `f:${data.answerId}:${data.up ? "u" : "d"}`;
    case "example":
      return `q:${data.index}`;
  }
}

/** "Nguồn 1", "Nguồn 2", … (three to a row), then 👍 / 👎. */
export function answerKeyboard(answerId: string, answer: Answer, withFeedback = true): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  answer.citations.forEach((c, i) => {
    if (i > 0 && i % 3 === 0) keyboard.row();
    keyboard.text(`Nguồn ${c.n}`, encodeButton({ kind: "source", answerId, n: c.n }));
  });
  if (withFeedback) {
    if (answer.citations.length > 0) keyboard.row();
    keyboard
      .text("👍", encodeButton({ kind: "feedback", answerId, up: true }))
      .text("👎", encodeButton({ kind: "feedback", answerId, up: false }));
  }
  return keyboard;
}

export function examplesKeyboard(): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  EXAMPLE_QUESTIONS.forEach((q, index) => {
    keyboard.text(q, encodeButton({ kind: "example", index })).row();
  });
  return keyboard;
}
