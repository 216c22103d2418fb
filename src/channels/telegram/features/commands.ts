import { Composer, type Context } from "grammy";
import { conversationIdFor } from "../addressing.ts";
import { examplesKeyboard } from "../callback-data.ts";
import { escapeHtml, formatDocumentsHtml } from "../format.ts";
import { replyHtml } from "../reply.ts";
import { TEXT } from "../texts.ts";
import type { TelegramBotDeps } from "../types.ts";

/** How many document titles /start lists before saying "và N tài liệu khác". */
const WELCOME_TITLES = 5;

/** /start, /help, /tailieu, /moi. */
export function commandsFeature({ store, conversations, logger }: TelegramBotDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command("start", async (ctx) => {
    const documents = await store.listDocuments();
    const titles = documents.slice(0, WELCOME_TITLES).map((d) => `• ${escapeHtml(d.title)}`);
    const more =
      documents.length > WELCOME_TITLES
        ? `\n… và ${documents.length - WELCOME_TITLES} tài liệu khác (/tailieu)`
        : "";
    const known =
      documents.length === 0
        ? "Kho tài liệu hiện đang trống."
        : `Mình trả lời dựa trên ${documents.length} tài liệu:\n${titles.join("\n")}${more}`;
    await ctx.reply(TEXT.welcome(known), {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      reply_markup: examplesKeyboard(),
    });
  });

  composer.command("help", async (ctx) => {
    await ctx.reply(TEXT.help(escapeHtml(ctx.me.username)), { parse_mode: "HTML" });
  });

  composer.command("tailieu", async (ctx) => {
    await replyHtml(ctx, formatDocumentsHtml(await store.listDocuments()), {}, logger);
  });

  composer.command("moi", async (ctx) => {
    const conversationId = conversationIdFor(ctx);
    if (conversationId) await conversations.clear(conversationId);
    await ctx.reply(TEXT.newConversation);
  });

  return composer;
}
