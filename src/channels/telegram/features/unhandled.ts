import { Composer, type Context } from "grammy";
import { TEXT } from "../texts.ts";

/**
 * Registered last: what no other feature took. In a private chat the user gets a short hint
 * (never silence, never a crash); in a group nothing is said; a button the bot no longer knows
 * is answered so the phone stops spinning.
 */
export function unhandledFeature(): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on("callback_query", async (ctx) => {
    await ctx.answerCallbackQuery({ text: TEXT.buttonUnknown });
  });
  composer.on("message", async (ctx) => {
    if (ctx.chat.type !== "private") return;
    const first = ctx.message.entities?.[0];
    const command = ctx.message.text && first?.type === "bot_command" && first.offset === 0;
    await ctx.reply(command ? TEXT.unknownCommand : TEXT.notText);
  });
  return composer;
}
