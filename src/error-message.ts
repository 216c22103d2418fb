/** What was thrown, as one line of text for a log field or a user-facing reason: an Error's message, anything else as a string. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
