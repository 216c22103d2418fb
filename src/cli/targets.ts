import { z } from "zod";
import { createApp } from "../app.ts";
import { loadConfigOrExit } from "../config.ts";
import { formatTargetsText } from "../facts/format-targets.ts";
import { createLogger } from "../logger.ts";
import { runCommand } from "../store/run-command.ts";
import { parseCliArgs } from "./parse-cli.ts";

const USAGE = `Usage: npm run targets -- [từ khóa] [--json]

Lists the targets and figures of the documents (chỉ tiêu), each with the sentence it comes from,
filtered by a keyword typed with or without diacritics.
  --json   print exactly one JSON array of {"value","kind","counts","qualifier","period","citation"}`;

const argsSchema = z.object({ json: z.boolean().default(false), help: z.boolean().default(false) });

async function main() {
  const { values, positionals } = parseCliArgs(
    USAGE,
    { json: { type: "boolean" }, help: { type: "boolean" } },
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
    const list = await app.targets.list(positionals.join(" "));
    process.stdout.write(values.json ? `${JSON.stringify(list.targets)}\n` : `${formatTargetsText(list)}\n`);
  } finally {
    await app.close();
  }
}

await runCommand(main);
