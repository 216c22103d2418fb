import { parseArgs } from "node:util";
import { z } from "zod";
import { errorMessage } from "../src/error-message.ts";

/** Parses argv with node:util then zod; on error prints the message and usage, exits 2. */
export function parseCli<S extends z.ZodObject>(
  argv: string[],
  options: NonNullable<Parameters<typeof parseArgs>[0]>["options"],
  schema: S,
  usage: string,
): z.infer<S> {
  try {
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    return schema.parse(values);
  } catch (error) {
    const message =
      error instanceof z.ZodError
        ? error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")
        : errorMessage(error);
    process.stderr.write(`${message}\n\n${usage}\n`);
    process.exit(2);
  }
}
