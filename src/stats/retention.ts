import { errorMessage } from "../error-message.ts";
import type { Logger } from "../logger.ts";
import type { AnswerStore } from "../store/answer-store.ts";
import type { RateLimitStore } from "../store/rate-limit-store.ts";
import type { StatsStore } from "../store/stats-store.ts";

/**
 * Every `everyMs` (and once shortly after start): counts new answers into the statistics and, when
 * `days` > 0, deletes questions, answers, feedback and conversations older than `days`, in
 * batches. Between those, every `rollUpEveryMs`, it counts what was answered since: the work is
 * spread evenly instead of an hour of answers at once (at 400 answers a second, 1.4 million rows
 * in one go, while members wait). Every replica may run it: the roll-up skips rows another one
 * holds, deletes are idempotent. Returns a stop function.
 */
export function scheduleRetention(options: {
  stats: StatsStore;
  /** ids stored before they were hashed are hashed on the way */
  answers?: Pick<AnswerStore, "hashStoredIds">;
  /** shared rate-limit counters: the ones of ended windows are deleted */
  rateLimits?: Pick<RateLimitStore, "sweep">;
  /** the corpus change log (replicas' incremental index refresh): kept a day */
  pruneChanges?: () => Promise<number>;
  days: number;
  logger: Logger;
  everyMs?: number;
  firstAfterMs?: number;
  /** how often answers are counted into the statistics between runs (default 10 s; 0: only in runs) */
  rollUpEveryMs?: number;
}): () => Promise<void> {
  const { stats, days, logger } = options;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    if (stopped) return;
    running = (async () => {
      try {
        if (options.answers) while ((await options.answers.hashStoredIds()) > 0) {}
        await options.rateLimits?.sweep();
        await options.pruneChanges?.();
        if (days > 0) {
          const gone = await stats.prune(days);
          if (gone.answers || gone.conversations)
            logger.info({ ...gone, retentionDays: days }, "retention: deleted old answers and conversations");
        } else await stats.rollUpAll();
      } catch (error) {
        logger.warn({ err: errorMessage(error) }, "retention run failed; it is tried again later");
      }
    })();
  };
  let rolling: Promise<void> | undefined;
  const rollUp = () => {
    if (stopped || rolling) return; // the last one is still counting
    rolling = stats
      .rollUpAll()
      .catch((error) =>
        logger.warn({ err: errorMessage(error) }, "statistics roll-up failed; tried again later"),
      )
      .finally(() => {
        rolling = undefined;
      });
  };
  const first = setTimeout(run, options.firstAfterMs ?? 30_000);
  const timer = setInterval(run, options.everyMs ?? 3_600_000);
  const rollUpEveryMs = options.rollUpEveryMs ?? 10_000;
  const rollTimer = rollUpEveryMs > 0 ? setInterval(rollUp, rollUpEveryMs) : undefined;
  first.unref();
  timer.unref();
  rollTimer?.unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    clearInterval(rollTimer);
    await running;
    await rolling;
  };
}
