import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  /**
   * Values that must never be written (bot tokens, API keys, webhook secrets, the database
   * password): redaction by key name cannot catch them inside an error message or a URL, so every
   * line is scrubbed of them before it is written.
   */
  secrets?: readonly (string | undefined)[];
}

/** Secrets shorter than this are not scrubbed: replacing "ab" everywhere would garble the log. */
const MIN_SECRET_LENGTH = 6;

/**
 * The forms a secret can take in a JSON log line: as is, percent-encoded (in a URL), and
 * JSON-escaped (inside a string value).
 */
function secretForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      forms.add(form);
      forms.add(JSON.stringify(form).slice(1, -1));
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A destination that writes each line with every form of every secret replaced. */
function scrubbing(destination: DestinationStream, secrets: string[]): DestinationStream {
  return {
    write(line: string) {
      let out = line;
      for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join("[redacted]");
      destination.write(out);
    },
  };
}

/**
 * Structured logs on standard error (standard output is for what the user asked for, e.g. the
 * JSON of `--json`). Anything that looks like a credential is redacted by key name, and the
 * configured secret values wherever they appear.
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  options: LoggerOptions = {},
): Logger {
  const target = destination ?? pino.destination({ dest: 2, sync: true });
  const secrets = secretForms(options.secrets ?? []);
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
    secrets.length > 0 ? scrubbing(target, secrets) : target,
  );
}
