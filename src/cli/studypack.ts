import { writeFile } from "node:fs/promises";
import { z } from "zod";
import { createApp } from "../app.ts";
import { loadConfigOrExit } from "../config.ts";
import { createLogger } from "../logger.ts";
import { runCommand } from "../store/run-command.ts";
import { parseCliArgs } from "./parse-cli.ts";

const USAGE = `Usage: npm run studypack -- ["chủ đề"] [--out file.md] [--seed 1]

A Markdown study pack for trainers: key points (each a cited quote), the targets concerning the
topic, five discussion questions, a ten-question quiz with its answer key, the sources with links.
Without a topic: the whole corpus. Printed to standard output unless --out is given.`;

const argsSchema = z.object({
  out: z.string().min(1).optional(),
  seed: z.coerce.number().int().default(1),
  help: z.boolean().default(false),
});

async function main() {
  const { values, positionals } = parseCliArgs(
    USAGE,
    { out: { type: "string" }, seed: { type: "string" }, help: { type: "boolean" } },
    argsSchema,
    { allowPositionals: true },
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  const app = await createApp(config, logger);
  try {
    const pack = await app.studyPacks.build(positionals.join(" "), { seed: values.seed });
    if (values.out) {
      await writeFile(values.out, pack.markdown, "utf8");
      process.stderr.write(
        `Đã ghi ${values.out}: ${pack.keyPoints.length} điểm chính, ${pack.targets.length} chỉ tiêu, ${pack.quiz.length} câu trắc nghiệm, ${pack.citations.length} nguồn.\n`,
      );
    } else {
      process.stdout.write(pack.markdown);
    }
    if (!pack.found) process.exitCode = 1;
  } finally {
    await app.close();
  }
}

await runCommand(main);
