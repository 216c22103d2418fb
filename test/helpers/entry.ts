import { fileURLToPath } from "node:url";

/** The project's entries that tests start as child processes (bundled by build-entries.ts). */
export const ENTRIES = [
  "src/main.ts",
  "src/cli/ask.ts",
  "src/cli/targets.ts",
  "src/cli/quiz.ts",
  "src/cli/studypack.ts",
  "src/cli/eval-viquad.ts",
  "ingest/cli.ts",
  "test/helpers/durability-child.ts",
] as const;

export type Entry = (typeof ENTRIES)[number];

/** Inside the project, so the bundles' external packages resolve from its node_modules. */
export const ENTRY_DIR = fileURLToPath(
  new URL("../../node_modules/.cache/sotay-test-entries/", import.meta.url),
);

export const entryFile = (entry: Entry) =>
  `${ENTRY_DIR}${entry.replaceAll("/", "__").replace(/\.ts$/, ".mjs")}`;

/** The node arguments that run `entry`: its bundle, or the source through tsx with SOTAY_TEST_TSX=1. */
export function entryArgs(entry: Entry): string[] {
  return process.env.SOTAY_TEST_TSX ? ["--import", "tsx", entry] : [entryFile(entry)];
}
