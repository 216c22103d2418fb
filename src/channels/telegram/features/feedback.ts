import { Composer, type Context } from "grammy";
import { FEEDBACK_DATA } from "../callback-data.ts";
import { TEXT } from "../texts.ts";
import type { TelegramBotDeps } from "../types.ts";

/** 👍 / 👎 under an answer: one vote per user per answer, in the database; a second tap changes it. */
export function feedbackFeature({ answers, logger }: TelegramBotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.callbackQuery(FEEDBACK_DATA, async (ctx) => {
    const [, answerId = "", direction] = ctx.match;
    const up = direction === "u";
    const result = await answers.vote(answerId, String(ctx.from.id), up ? 1 : -1);
    if (!result) {
      await ctx.answerCallbackQuery({ text: TEXT.sourceGone, show_alert: true });
      return;
    }
    logger.info({ updateId: ctx.update.update_id, answerId, vote: up ? 1 : -1 }, "telegram feedback");
    const vote = up ? 1 : -1;
    const text =
      result.previous === null
        ? TEXT.feedbackThanks(up)
        : result.previous === vote
          ? TEXT.feedbackSame(up)
          : TEXT.feedbackChanged(up);
    await ctx.answerCallbackQuery({ text });
  });
  return composer;
}
