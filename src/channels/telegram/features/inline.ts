import { Composer, type Context } from "grammy";
import type { InlineQueryResultArticle } from "grammy/types";
import type { Answer } from "../../../contract/answer.ts";
import { escapeHtml, formatAnswerHtml, formatSourceLine, splitHtml } from "../format.ts";
import { TEXT } from "../texts.ts";
import type { TelegramBotDeps } from "../types.ts";

/** Telegram shows at most a few results on a phone; the issue asks for up to five. */
const MAX_RESULTS = 5;
/** Inline queries arrive as the user types: a question needs a few letters first. */
const MIN_LETTERS = 3;

/** One line for a result's title or description, without [n] markers. */
export function oneLine(text: string, max = 200): string {
  const line = text
    .replace(/\s*\[\d+\]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

/** The part of the answer that marker [n] closes: the answer to show for that citation. */
export function clauseFor(answer: string, n: number): string {
  let previous = "";
  for (const part of answer.split(/(\[\d+\])/)) {
    if (part === `[${n}]`) return previous.trim();
    if (!/^\[\d+\]$/.test(part)) previous = part;
  }
  return "";
}

function article(id: string, title: string, description: string, html: string): InlineQueryResultArticle {
  return {
    type: "article",
    id,
    title,
    description,
    input_message_content: {
      // An inline message cannot be split: it is the first piece (the answer comes first).
      message_text: splitHtml(html)[0] ?? escapeHtml(title),
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    },
  };
}

/**
 * Up to five results: the answer in one line with its sources, then each citation on its own
 * (the quoted sentence and where it is written). Choosing one posts it in the chat.
 */
export function inlineResults(query: string, answer: Answer): InlineQueryResultArticle[] {
  const header = `❓ <b>${escapeHtml(query)}</b>`;
  if (!answer.found || answer.citations.length === 0) {
    return [
      article(
        "none",
        TEXT.inlineNotFound,
        oneLine(answer.answer, 200),
        `${header}\n\n${escapeHtml(answer.answer)}`,
      ),
    ];
  }
  const results = [
    article(
      "answer",
      oneLine(answer.answer),
      oneLine(
        answer.citations.map((c) => [c.document, c.section].filter(Boolean).join(" › ")).join("; "),
        200,
      ),
      `${header}\n\n${formatAnswerHtml(answer)}`,
    ),
  ];
  for (const c of answer.citations) {
    results.push(
      article(
        `c${c.n}`,
        `[${c.n}] ${oneLine(clauseFor(answer.answer, c.n) || c.quote, 190)}`,
        oneLine([c.document, c.section].filter(Boolean).join(" › "), 200),
        `${header}\n\n“${escapeHtml(c.quote)}” [${c.n}]\n\n<b>Nguồn</b>\n${formatSourceLine(c)}`,
      ),
    );
  }
  return results.slice(0, MAX_RESULTS);
}

/** Inline mode: "@bot chỉ tiêu tăng trưởng" in any chat, the quick lookup by phone. */
export function inlineFeature({ answerer, logger, options }: TelegramBotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on("inline_query", async (ctx) => {
    const query = ctx.inlineQuery.query.trim();
    const button = { text: TEXT.inlineHint, start_parameter: "inline" };
    if ((query.match(/\p{L}/gu) ?? []).length < MIN_LETTERS) {
      await ctx.answerInlineQuery([], { button, cache_time: 300 });
      return;
    }
    const answer = await answerer.answer({ question: query });
    logger.info(
      {
        updateId: ctx.update.update_id,
        found: answer.found,
        citations: answer.citations.length,
        ms: answer.ms,
        ...(options.logQuestions ? { question: query } : {}),
      },
      "telegram inline answer",
    );
    await ctx.answerInlineQuery(inlineResults(query, answer), { button, cache_time: 60 });
  });
  return composer;
}
