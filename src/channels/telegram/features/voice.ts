import { Composer, type Context } from "grammy";
import { errorMessage } from "../../../error-message.ts";
import { TranscriptionError } from "../../../transcription/transcriber.ts";
import { TEXT } from "../texts.ts";
import type { TelegramBotDeps } from "../types.ts";
import { downloadTelegramFile, UploadError } from "../upload.ts";
import { formatBytes } from "./admin.ts";
import { createAsk } from "./ask.ts";

/**
 * Voice questions: a voice message (or an audio file) is transcribed by the configured
 * OpenAI-compatible endpoint, echoed back ("Bạn hỏi: …") so the user sees what was understood,
 * and answered like typed text. The audio is downloaded into memory, sent to the endpoint and
 * dropped: never written to disk, logged or stored. Without an endpoint the bot says, in one
 * sentence, that it reads only typed questions.
 */
export function voiceFeature(deps: TelegramBotDeps): Composer<Context> {
  const { token, transcriber, logger, options } = deps;
  const composer = new Composer<Context>();
  const ask = createAsk(deps);
  const apiRoot = options.apiRoot ?? "https://api.telegram.org";

  composer.on(["message:voice", "message:audio"], async (ctx) => {
    const group = ctx.chat.type !== "private";
    const replyTo = group ? ctx.message.message_id : undefined;
    const replyOptions = replyTo
      ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
      : {};
    if (!transcriber) {
      await ctx.reply(TEXT.voiceOff, replyOptions);
      return;
    }
    const clip = ctx.message.voice ?? ctx.message.audio;
    if (!clip) return;
    const { maxSeconds, maxBytes } = transcriber.limits;
    if (clip.duration > maxSeconds) {
      await ctx.reply(TEXT.voiceTooLong(maxSeconds), replyOptions);
      return;
    }
    if ((clip.file_size ?? 0) > maxBytes) {
      await ctx.reply(TEXT.voiceTooLarge(formatBytes(maxBytes)), replyOptions);
      return;
    }
    const context = { updateId: ctx.update.update_id, seconds: clip.duration };
    let question: string;
    try {
      await ctx.replyWithChatAction("typing").catch(() => {});
      const file = await ctx.getFile();
      if (!file.file_path) throw new UploadError("Telegram did not give the file's path");
      const bytes = await downloadTelegramFile(apiRoot, token, file.file_path, maxBytes);
      const extension = /\.[a-z0-9]{1,5}$/i.exec(file.file_path)?.[0] ?? ".ogg";
      question = await transcriber.transcribe({
        bytes,
        fileName: `voice${extension}`,
        mimeType: clip.mime_type,
      });
    } catch (error) {
      // The download's and the endpoint's messages hold neither the token nor the audio.
      logger.warn({ ...context, err: errorMessage(error) }, "voice question not transcribed");
      const known = error instanceof TranscriptionError || error instanceof UploadError;
      if (!known) throw error;
      await ctx.reply(TEXT.voiceFailed, replyOptions);
      return;
    }
    if (!/[\p{L}\p{N}]/u.test(question)) {
      await ctx.reply(TEXT.voiceEmpty, replyOptions);
      return;
    }
    logger.info(context, "voice question transcribed");
    await ctx.reply(TEXT.youAsked(question), replyOptions);
    await ask(ctx, question, replyTo);
  });

  return composer;
}
