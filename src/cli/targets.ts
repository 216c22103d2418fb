import { parseArgs } from "node:util";
import { z } from "zod";
import { createApp } from "../app.ts";
import { loadConfigOrExit } from "../config.ts";
import { formatTargetsText } from "../facts/format-targets.ts";
import { createLogger } from "../logger.ts";

const USAGE = `Usage: npm run targets -- [từ khóa] [--json]

Lists the targets and figures of the documents (chỉ tiêu), each with the sentence it comes from,
filtered by a keyword typed with or without diacritics.
  --json   print exactly one JSON array of {"value","kind","counts","qualifier","period","citation"}`;

const argsSchema = z.object({ json: z.boolean().default(false), help: z.boolean().default(false) });

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main() {
  let parsed: { values: unknown; positionals: string[] };
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: { json: { type: "boolean" }, help: { type: "boolean" } },
      allowPositionals: true,
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const values = argsSchema.parse(parsed.values);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  const app = await createApp(config, logger);
  try {
    const list = await app.targets.list(parsed.positionals.join(" "));
    process.stdout.write(values.json ? `${JSON.stringify(list.targets)}\n` : `${formatTargetsText(list)}\n`);
  } finally {
    await app.close();
  }
}

await main();
