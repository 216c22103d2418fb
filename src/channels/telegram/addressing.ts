import type { Context } from "grammy";
import type { Message, UserFromGetMe } from "grammy/types";

/**
 * Whether an update is for the bot at all. In a private chat everything is; in a group only a
 * command, a message that mentions the bot, or a reply to one of its messages: the bot never
 * answers every message of a group. Button taps and inline queries are always for it.
 */
export function isAddressedToBot(ctx: Context): boolean {
  if (ctx.callbackQuery || ctx.inlineQuery) return true;
  const message = ctx.message;
  if (!message) return false; // edits, channel posts, member updates: nothing to answer
  if (message.chat.type === "private") return true;
  return isCommandForBot(message, ctx.me) || mentionsBot(message, ctx.me) || isReplyToBot(message, ctx.me);
}

/** A "/command" at the start, bare or addressed to this bot ("/hoi@ThisBot"), not to another one. */
export function isCommandForBot(message: Message, me: UserFromGetMe): boolean {
  const entity = message.entities?.[0];
  if (entity?.type !== "bot_command" || entity.offset !== 0 || !message.text) return false;
  const command = message.text.slice(0, entity.length);
  const at = command.indexOf("@");
  return at < 0 || command.slice(at + 1).toLowerCase() === me.username.toLowerCase();
}

export function mentionsBot(message: Message, me: UserFromGetMe): boolean {
  const text = message.text ?? "";
  return (message.entities ?? []).some(
    (e) =>
      (e.type === "mention" &&
        text.slice(e.offset, e.offset + e.length).toLowerCase() === `@${me.username.toLowerCase()}`) ||
      (e.type === "text_mention" && e.user.id === me.id),
  );
}

export function isReplyToBot(message: Message, me: UserFromGetMe): boolean {
  return message.reply_to_message?.from?.id === me.id;
}

/** The question in a message that mentions the bot: the text without "@BotName". */
export function withoutMention(text: string, me: UserFromGetMe): string {
  const pattern = new RegExp(`@${me.username.replace(/[^\w]/g, "")}\\b`, "gi");
  return text.replace(pattern, " ").replace(/\s+/g, " ").trim();
}

/**
 * The conversation a message belongs to: one per private chat; in a group, one per member, so
 * that one member's follow-up is not read against another member's question.
 */
export function conversationIdFor(ctx: Context): string | undefined {
  const chat = ctx.chat;
  if (!chat) return undefined;
  if (chat.type === "private" || !ctx.from) return `telegram:${chat.id}`;
  return `telegram:${chat.id}:${ctx.from.id}`;
}
