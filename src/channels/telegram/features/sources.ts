import { Composer, type Context } from "grammy";
import { conversationIdFor } from "../addressing.ts";
import { answerKeyboard, SOURCE_DATA } from "../callback-data.ts";
import { formatPassageHtml, formatSourcesHtml } from "../format.ts";
import { replyHtml } from "../reply.ts";
import { TEXT } from "../texts.ts";
import type { TelegramBotDeps } from "../types.ts";

/** "Nguồn n" buttons (the cited passage, the quote in bold) and /nguon (sources of the last answer). */
export function sourcesFeature({
  answers,
  store,
  conversations,
  logger,
}: TelegramBotDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.callbackQuery(SOURCE_DATA, async (ctx) => {
    const [, answerId = "", n] = ctx.match;
    const record = await answers.get(answerId);
    const citation = record?.answer.citations.find((c) => c.n === Number(n));
    if (!citation) {
      await ctx.answerCallbackQuery({ text: TEXT.sourceGone, show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    const view = await store.getPassage(citation.chunkId);
    const message = ctx.callbackQuery.message;
    await replyHtml(
      ctx,
      formatPassageHtml(citation, view),
      // In a group, the passage is shown as a reply to the answer it belongs to.
      { replyTo: message && ctx.chat?.type !== "private" ? message.message_id : undefined },
      logger,
    );
  });

  composer.command("nguon", async (ctx) => {
    const conversationId = conversationIdFor(ctx);
    const [last] = conversationId ? await conversations.recent(conversationId, 1) : [];
    if (!last) {
      await ctx.reply(TEXT.noLastAnswer);
      return;
    }
    const answerId = last.answer.id;
    const known = answerId ? await answers.get(answerId) : undefined;
    await replyHtml(
      ctx,
      formatSourcesHtml(last.question, last.answer),
      {
        keyboard:
          known && answerId && last.answer.citations.length > 0
            ? answerKeyboard(answerId, last.answer, false)
            : undefined,
      },
      logger,
    );
  });

  return composer;
}
