import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Structured logs on standard error (standard output is for what the user asked for, e.g. the
 * JSON of `--json`). Anything that looks like a credential is redacted by key name.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          "apiKey",
          "token",
          "password",
          "secret",
          "secret_token",
          "*.apiKey",
          "*.token",
          "*.password",
          "*.secret",
          "*.secret_token",
          // grammY's errors carry the payload of the failed call (setWebhook's holds the secret)
          "err.payload.secret_token",
          "headers.authorization",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination({ dest: 2, sync: true }),
  );
}
