import { z } from "zod";
import type { Config } from "../config.ts";

/**
 * Speech to text for voice questions, through an OpenAI-compatible
 * `POST {TRANSCRIPTION_BASE_URL}/audio/transcriptions` (multipart: `file`, `model`, `language`),
 * which OpenAI, whisper.cpp's server and faster-whisper servers all speak. The audio is sent and
 * forgotten: it is never written to disk, logged or kept.
 */
export interface Transcriber {
  readonly limits: TranscriptionLimits;
  /** The words spoken, trimmed ("" when nothing was heard). */
  transcribe(audio: AudioClip): Promise<string>;
}

export interface TranscriptionLimits {
  /** longest voice message taken, in seconds (checked where the channel says how long it is) */
  maxSeconds: number;
  /** largest voice message downloaded, in bytes */
  maxBytes: number;
}

export interface AudioClip {
  bytes: Uint8Array;
  /** with the extension the server reads the format from: "voice.ogg", "voice.aac" */
  fileName: string;
  mimeType?: string;
}

export interface TranscriberOptions {
  /** base URL ending in /v1 */
  baseUrl: string;
  model: string;
  /** sent as a bearer token; never logged nor put in an error message */
  apiKey?: string;
  timeoutMs: number;
  limits: TranscriptionLimits;
  /** ISO 639-1 language of the questions (Vietnamese): no guessing from a few seconds of speech */
  language?: string;
}

/** The transcription could not be had: the message says why, and holds no key, URL or audio. */
export class TranscriptionError extends Error {
  override name = "TranscriptionError";
}

const responseSchema = z.looseObject({ text: z.string() });

export function createTranscriber(options: TranscriberOptions): Transcriber {
  const endpoint = `${options.baseUrl.replace(/\/+$/, "")}/audio/transcriptions`;
  return {
    limits: options.limits,
    async transcribe(audio) {
      if (audio.bytes.byteLength > options.limits.maxBytes) {
        throw new TranscriptionError(`the audio is larger than ${options.limits.maxBytes} bytes`);
      }
      const form = new FormData();
      const blob = new Blob([audio.bytes], audio.mimeType ? { type: audio.mimeType } : {});
      form.append("file", blob, audio.fileName);
      form.append("model", options.model);
      form.append("language", options.language ?? "vi");
      form.append("response_format", "json");
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: "POST",
          body: form,
          headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        const timedOut = error instanceof Error && error.name === "TimeoutError";
        throw new TranscriptionError(
          timedOut
            ? `the transcription server did not answer within ${options.timeoutMs} ms`
            : "the transcription server could not be reached",
          { cause: error },
        );
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new TranscriptionError(`the transcription server answered HTTP ${response.status}`);
      }
      const parsed = responseSchema.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) throw new TranscriptionError("the transcription server's answer has no text");
      return parsed.data.text.normalize("NFC").replace(/\s+/g, " ").trim();
    },
  };
}

/** The transcriber of the configuration, or undefined when TRANSCRIPTION_BASE_URL is not set. */
export function transcriberFromConfig(
  config: Pick<
    Config,
    | "TRANSCRIPTION_BASE_URL"
    | "TRANSCRIPTION_MODEL"
    | "TRANSCRIPTION_API_KEY"
    | "TRANSCRIPTION_TIMEOUT_MS"
    | "TRANSCRIPTION_MAX_SECONDS"
    | "TRANSCRIPTION_MAX_BYTES"
  >,
): Transcriber | undefined {
  if (!config.TRANSCRIPTION_BASE_URL) return undefined;
  return createTranscriber({
    baseUrl: config.TRANSCRIPTION_BASE_URL,
    model: config.TRANSCRIPTION_MODEL,
    apiKey: config.TRANSCRIPTION_API_KEY,
    timeoutMs: config.TRANSCRIPTION_TIMEOUT_MS,
    limits: { maxSeconds: config.TRANSCRIPTION_MAX_SECONDS, maxBytes: config.TRANSCRIPTION_MAX_BYTES },
  });
}

/** The voice message is larger than the cap: the user is told the limit. */
export class AudioTooLargeError extends TranscriptionError {
  override name = "AudioTooLargeError";
}

/**
 * Downloads a voice message (from the URL a chat platform gives) into memory, refusing more than
 * `maxBytes` whether or not the server declares a length. Only http(s).
 */
export async function downloadAudio(url: string, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  if (!/^https?:\/\//i.test(url)) throw new TranscriptionError("the voice message has no http(s) address");
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new TranscriptionError("the voice message could not be downloaded", { cause: error });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {});
    throw new TranscriptionError(`the voice message could not be downloaded (HTTP ${response.status})`);
  }
  const tooLarge = () => new AudioTooLargeError(`the voice message is larger than ${maxBytes} bytes`);
  if (Number(response.headers.get("content-length") ?? "0") > maxBytes) {
    await response.body.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AudioTooLargeError) throw error;
    throw new TranscriptionError("the voice message could not be downloaded", { cause: error });
  }
  return Buffer.concat(chunks);
}
