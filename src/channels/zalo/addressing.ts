import { foldDiacritics } from "../../text/fold-diacritics.ts";
import type { ZaloBotInfo, ZaloMessage } from "./schemas.ts";

/** In a group: answer only what is addressed to the bot ("mention"), or every message ("all"). */
export type ZaloGroupReplies = "mention" | "all";

export function isGroup(message: ZaloMessage): boolean {
  return message.chat.chat_type?.toUpperCase() === "GROUP";
}

/** The bot's names as members type them after "@" (account name, display name), folded. */
function names(me: ZaloBotInfo | undefined): string[] {
  return [me?.account_name, me?.display_name, me?.name]
    .filter((n): n is string => Boolean(n?.trim()))
    .map((n) => foldDiacritics(n.trim().toLowerCase()));
}

/** Where "@<one of the bot's names>" is in the text (start and end), if it is. */
function mentionAt(text: string, me: ZaloBotInfo | undefined): [number, number] | undefined {
  const folded = foldDiacritics(text.toLowerCase()); // same length as the text: offsets carry over
  for (const name of names(me).sort((a, b) => b.length - a.length)) {
    let from = 0;
    for (;;) {
      const at = folded.indexOf(`@${name}`, from);
      if (at < 0) break;
      const end = at + name.length + 1;
      if (!/[\p{L}\p{N}_]/u.test(folded.charAt(end))) return [at, end];
      from = at + 1;
    }
  }
  return undefined;
}

/** A reply to one of the bot's messages (the shape Zalo's Bot API shares with Telegram's). */
function repliesToBot(message: ZaloMessage, me: ZaloBotInfo | undefined): boolean {
  const replied = (message as { reply_to_message?: { from?: { id?: unknown; is_bot?: unknown } } })
    .reply_to_message;
  return Boolean(me && replied?.from && String(replied.from.id) === String(me.id));
}

/**
 * Whether a message is for the bot, and the text to answer. In a private chat everything is; in a
 * group (by default) only a command, a message that mentions the bot ("@Sổ tay Nghị quyết …") or a
 * reply to one of its messages: members talking among themselves are left alone, and their
 * chatter never counts against a rate limit. The mention is taken out of the question.
 */
export function addressing(
  message: ZaloMessage,
  me: ZaloBotInfo | undefined,
  groupReplies: ZaloGroupReplies,
): { addressed: boolean; text: string } {
  const text = message.text ?? "";
  const at = mentionAt(text, me);
  const stripped = at ? `${text.slice(0, at[0])} ${text.slice(at[1])}`.replace(/\s+/g, " ").trim() : text;
  if (!isGroup(message) || groupReplies === "all") return { addressed: true, text: stripped };
  const addressed = Boolean(at) || stripped.trimStart().startsWith("/") || repliesToBot(message, me);
  return { addressed, text: stripped };
}
