import { type ParseArgsConfig, parseArgs } from "node:util";
import type { z } from "zod";
import { errorMessage } from "../error-message.ts";

/**
 * A command's arguments: `node:util` parses them, zod checks them. An unknown option or a bad
 * value stops the command with exit code 2, one line naming it, and the usage text.
 */
export function parseCliArgs<S extends z.ZodType>(
  usage: string,
  options: NonNullable<ParseArgsConfig["options"]>,
  schema: S,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
): { values: z.infer<S>; positionals: string[] } {
  const fail = (message: string): never => {
    process.stderr.write(`${message}\n\n${usage}\n`);
    process.exit(2);
  };
  let parsed: { values: unknown; positionals: string[] };
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options, allowPositionals });
  } catch (error) {
    return fail(errorMessage(error));
  }
  const checked = schema.safeParse(parsed.values);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return fail(`Invalid --${issue?.path.join(".")}: ${issue?.message}`);
  }
  return { values: checked.data, positionals: parsed.positionals };
}
