import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { z } from "zod";
import { loadConfigOrExit } from "../src/config.ts";
import { createDenseEmbedder } from "../src/embeddings/create-dense-embedder.ts";
import { errorMessage } from "../src/error-message.ts";
import { createLogger } from "../src/logger.ts";
import { describeStore, openStore } from "../src/store/open-store.ts";
import { runCommand } from "../src/store/run-command.ts";
import { ocrOptionsFrom } from "./ocr/ocr-engine.ts";
import { formatSummary, runIngest } from "./run-ingest.ts";

const USAGE = `Usage: npm run ingest -- [--corpus DIR] [--dry-run] [--reembed] [--json]

Reads every document in the corpus folder (default: corpus/), splits it into cited passages,
embeds them and stores them. Unchanged files are skipped; files gone from the folder are removed.
  --corpus DIR  the folder to ingest
  --dry-run     report what would change, write nothing
  --reembed     recompute every passage's vectors (after changing the embedder or BM25 settings)
  --json        print exactly one JSON object with the summary`;

const argsSchema = z.object({
  corpus: z.string().min(1).optional(),
  "dry-run": z.boolean().default(false),
  reembed: z.boolean().default(false),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

function parseCliArgs(argv: string[]) {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        corpus: { type: "string" },
        "dry-run": { type: "boolean" },
        reembed: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
    return argsSchema.parse(values);
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main() {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfigOrExit();
  const logger = createLogger(
    args.json ? (config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL) : config.LOG_LEVEL,
  );
  const corpusDir = args.corpus ?? config.CORPUS_DIR;

  const store = await openStore(config);
  const bar =
    process.stderr.isTTY && !args.json
      ? new cliProgress.SingleBar(
          {
            format: "{bar} {value}/{total} {file}",
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  try {
    const embedder = await createDenseEmbedder(config, logger);
    let started = false;
    const summary = await runIngest({
      store,
      corpusDir,
      embedder,
      logger,
      dryRun: args["dry-run"],
      reembed: args.reembed,
      ocr: ocrOptionsFrom(config),
      onProgress: (done, total, file) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, done, { file });
          started = true;
        } else {
          // The total grows as files are read: their passages, and pages to read by OCR.
          if (total !== bar.getTotal()) bar.setTotal(total);
          bar.update(done, { file });
        }
      },
    });
    bar?.stop();
    if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      const stats = await store.stats();
      process.stdout.write(`${formatSummary(summary, args["dry-run"])}\n`);
      process.stdout.write(
        `Store: ${describeStore(config)}, ${stats.documents} documents, ${stats.chunks} passages\n`,
      );
    }
    if (summary.documents.failed.length > 0) process.exitCode = 1;
  } catch (error) {
    bar?.stop();
    process.stderr.write(`Ingest failed: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  } finally {
    await store.db.close();
  }
}

await runCommand(main);
