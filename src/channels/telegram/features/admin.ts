import { Composer, type Context } from "grammy";
import type { IngestSummary } from "../../../../ingest/run-ingest.ts";
import { errorMessage } from "../../../error-message.ts";
import { statsSummaryLines } from "../../../stats/format-stats.ts";
import { toStatsQuery } from "../../../stats/stats-query.ts";
import { escapeHtml, formatIngestSummaryHtml } from "../format.ts";
import { replyHtml } from "../reply.ts";
import { TEXT } from "../texts.ts";
import type { TelegramBotDeps } from "../types.ts";
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  downloadTelegramFile,
  sanitizeFileName,
  saveUpload,
  UPLOAD_EXTENSIONS,
  UploadError,
} from "../upload.ts";

/** "20 MB", "2 KB". */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.floor(bytes / (1024 * 1024))} MB`
    : `${Math.max(1, Math.floor(bytes / 1024))} KB`;
}

/**
 * Admins manage the corpus from Telegram: a .pdf/.docx/.md/.txt/.html/.png/.jpg file sent in a private chat
 * is saved under the corpus folder and ingested; /reindex re-ingests the corpus. Anyone else is
 * refused politely, before anything is downloaded.
 */
export function adminFeature({ token, reindex, stats, logger, options }: TelegramBotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const admins = new Set(options.adminIds);
  const isAdmin = (ctx: Context) => ctx.from !== undefined && admins.has(ctx.from.id);
  const maxBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const apiRoot = options.apiRoot ?? "https://api.telegram.org";

  // One ingest at a time in this process: two uploads at once would race over the same rows.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  };

  composer.on("message:document", async (ctx) => {
    // In a group a shared file is a conversation between members, not something for the bot.
    if (ctx.chat.type !== "private") return;
    if (!isAdmin(ctx)) {
      logger.info({ updateId: ctx.update.update_id, userId: ctx.from.id }, "upload refused: not an admin");
      await ctx.reply(TEXT.adminOnlyUpload);
      return;
    }
    const document = ctx.message.document;
    const name = sanitizeFileName(document.file_name ?? "");
    if (!name) {
      await ctx.reply(TEXT.unsupportedFile(UPLOAD_EXTENSIONS.join(", ")));
      return;
    }
    if ((document.file_size ?? 0) > maxBytes) {
      await ctx.reply(TEXT.fileTooLarge(formatBytes(maxBytes)));
      return;
    }
    await ctx.reply(TEXT.uploading(escapeHtml(name)), { parse_mode: "HTML" });

    let outcome: { summary: IngestSummary; failure?: string };
    try {
      const file = await ctx.getFile();
      if (!file.file_path) throw new UploadError("Telegram không trả về đường dẫn tệp");
      const bytes = await downloadTelegramFile(apiRoot, token, file.file_path, maxBytes);
      outcome = await exclusive(async () => {
        const saved = await saveUpload(options.corpusDir, name, bytes);
        try {
          const summary = await reindex();
          const failed = summary.documents.failed.find((f) => f.path === saved.path);
          // A file the loaders cannot read is not kept: every later ingest would report it again.
          if (failed) await saved.undo();
          return { summary, failure: failed?.error };
        } catch (error) {
          await saved.undo();
          throw error;
        }
      });
    } catch (error) {
      logger.error({ updateId: ctx.update.update_id, err: error }, "admin upload failed");
      const reason = errorMessage(error);
      await ctx.reply(TEXT.uploadFailed(escapeHtml(name), escapeHtml(reason)), { parse_mode: "HTML" });
      return;
    }
    logger.info(
      { updateId: ctx.update.update_id, file: name, summary: outcome.summary },
      "admin upload ingested",
    );
    if (outcome.failure) {
      await ctx.reply(TEXT.uploadFailed(escapeHtml(name), escapeHtml(outcome.failure)), {
        parse_mode: "HTML",
      });
      return;
    }
    await replyHtml(
      ctx,
      `${TEXT.uploadSaved(escapeHtml(name))}\n${formatIngestSummaryHtml(outcome.summary)}`,
      {},
      logger,
    );
  });

  // /thongke [days]: what members asked over the last days (7 by default), every channel.
  composer.command("thongke", async (ctx) => {
    if (!isAdmin(ctx)) {
      await ctx.reply(TEXT.adminOnly);
      return;
    }
    if (!stats) return;
    const days = Number.parseInt(ctx.match.trim() || "7", 10);
    if (!Number.isInteger(days) || days < 1 || days > 3660) {
      await ctx.reply(TEXT.statsUsage);
      return;
    }
    const query = toStatsQuery({ days });
    if ("error" in query) return;
    const summary = statsSummaryLines(await stats.query({ ...query, limit: 5 }));
    const html = [
      `<b>${escapeHtml(summary.title)}</b>`,
      ...summary.sections.map(
        (s) =>
          `\n<b>${escapeHtml(s.heading)}</b>\n${
            s.items.length
              ? s.items.map((item, i) => `${i + 1}. ${escapeHtml(item)}`).join("\n")
              : "(chưa có)"
          }`,
      ),
      `\n${TEXT.statsMore}`,
    ].join("\n");
    await replyHtml(ctx, html, {}, logger);
  });

  composer.command("reindex", async (ctx) => {
    if (!isAdmin(ctx)) {
      await ctx.reply(TEXT.adminOnly);
      return;
    }
    await ctx.reply(TEXT.reindexing);
    const summary = await exclusive(reindex);
    logger.info({ updateId: ctx.update.update_id, summary }, "admin reindex");
    await replyHtml(ctx, formatIngestSummaryHtml(summary), {}, logger);
  });

  return composer;
}
