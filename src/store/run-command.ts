import { errorMessage } from "../error-message.ts";
import { isDatabaseUnreachable } from "./database.ts";
import { StoreUnavailableError } from "./open-store.ts";

/**
 * Runs a command-line entry (npm run ask, ingest, quiz …). When the database cannot be reached,
 * at start or half way, it says so in one line on standard error, without a stack trace, and
 * exits with 1; any other error is a bug and keeps its stack.
 */
export async function runCommand(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    if (isDatabaseUnreachable(error)) {
      process.stderr.write(
        `The database became unreachable: ${errorMessage(error)}. Check that PostgreSQL is running and DATABASE_URL is right, then run the command again.\n`,
      );
      process.exit(1);
    }
    throw error;
  }
}
