import { Composer, type Context } from "grammy";
import type { Message } from "grammy/types";
import { newAnswerId } from "../../../store/answer-store.ts";
import { conversationIdFor, withoutMention } from "../addressing.ts";
import { answerKeyboard, EXAMPLE_DATA } from "../callback-data.ts";
import { formatAnswerHtml } from "../format.ts";
import { keepTyping, replyHtml } from "../reply.ts";
import { EXAMPLE_QUESTIONS, TEXT } from "../texts.ts";
import type { TelegramBotDeps } from "../types.ts";

/**
 * Answers a question in the chat of `ctx`: typing action, the core's answer, stored under a new
 * id (so its buttons work after a restart and on every replica), formatted with its sources and
 * buttons. With a chat model, a placeholder is shown first and edited into the answer.
 */
export function createAsk({ answerer, answers, logger, options }: TelegramBotDeps) {
  return async function ask(ctx: Context, text: string, replyTo?: number): Promise<void> {
    const question = text.trim();
    if (!/[\p{L}\p{N}]/u.test(question)) {
      await ctx.reply(TEXT.askPrompt);
      return;
    }
    const conversationId = conversationIdFor(ctx);
    const stopTyping = keepTyping(ctx, logger);
    let placeholder: Message | undefined;
    let answered = false;
    try {
      if (options.streaming) {
        placeholder = await ctx
          .reply(TEXT.placeholder, {
            ...(replyTo
              ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
              : {}),
          })
          .catch((error: unknown) => {
            logger.warn({ err: error }, "could not send the placeholder");
            return undefined;
          });
      }
      const id = newAnswerId();
      const answer = await answerer.answer({ question, conversationId, id });
      answered = true;
      await answers.record({
        id,
        channel: "telegram",
        conversationId,
        userId: ctx.from ? String(ctx.from.id) : undefined,
        question,
        answer,
      });
      logger.info(
        {
          updateId: ctx.update.update_id,
          chatType: ctx.chat?.type,
          answerId: id,
          found: answer.found,
          mode: answer.mode,
          citations: answer.citations.length,
          ms: answer.ms,
          ...(options.logQuestions ? { question } : {}),
        },
        "telegram answer",
      );
      await replyHtml(
        ctx,
        formatAnswerHtml(answer),
        { keyboard: answerKeyboard(id, answer), replyTo, placeholder },
        logger,
      );
    } catch (error) {
      // The apology (error boundary) replaces a placeholder left saying "Đang soạn…".
      const chatId = ctx.chat?.id;
      if (placeholder && !answered && chatId !== undefined) {
        await ctx.api.deleteMessage(chatId, placeholder.message_id).catch(() => {});
      }
      throw error;
    } finally {
      stopTyping();
    }
  };
}

/** Questions: any text in a private chat; in a group a mention, a reply to the bot, or /hoi. */
export function askFeature(deps: TelegramBotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const ask = createAsk(deps);

  composer.command("hoi", async (ctx) => {
    const group = ctx.chat.type !== "private";
    await ask(ctx, ctx.match, group ? ctx.msg.message_id : undefined);
  });

  composer.callbackQuery(EXAMPLE_DATA, async (ctx) => {
    const question = EXAMPLE_QUESTIONS[Number(ctx.match[1])];
    if (!question || !ctx.chat) {
      await ctx.answerCallbackQuery({ text: TEXT.buttonUnknown });
      return;
    }
    await ctx.answerCallbackQuery();
    await ask(ctx, question);
  });

  composer.on("message:text", async (ctx, next) => {
    // Commands this bot does not have go on to the "unknown command" reply.
    const first = ctx.message.entities?.[0];
    if (first?.type === "bot_command" && first.offset === 0) return next();
    if (ctx.chat.type === "private") {
      await ask(ctx, ctx.message.text);
      return;
    }
    // In a group only messages addressed to the bot get here (see isAddressedToBot).
    await ask(ctx, withoutMention(ctx.message.text, ctx.me), ctx.message.message_id);
  });

  return composer;
}
