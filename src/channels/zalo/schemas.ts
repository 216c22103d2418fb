import { z } from "zod";

/**
 * The shapes the Zalo Bot API sends and answers, checked with zod at the boundary. Only what the
 * bot reads is required; everything else passes through (`looseObject`), so a field Zalo adds
 * later does not break the channel.
 */

/** Zalo ids are strings; a number is accepted (and kept as its decimal string) to be lenient. */
const id = z.union([z.string().min(1).max(200), z.number().int().transform(String)]);

export const zaloMessageSchema = z.looseObject({
  message_id: id,
  /** milliseconds since the epoch */
  date: z.number().optional(),
  text: z.string().optional(),
  /** message.voice.received: where the recording (AAC) can be downloaded */
  voice_url: z.string().optional(),
  chat: z.looseObject({ id, chat_type: z.string().optional() }),
  from: z.looseObject({ id, display_name: z.string().optional(), is_bot: z.boolean().optional() }).optional(),
});

/** One incoming event: `message.text.received`, `message.image.received`, … */
export const zaloEventSchema = z.looseObject({
  event_name: z.string().min(1).max(200),
  /** absent on some events (e.g. `message.unsupported.received`) */
  message: zaloMessageSchema.optional(),
});

export type ZaloMessage = z.infer<typeof zaloMessageSchema>;
export type ZaloEvent = z.infer<typeof zaloEventSchema>;

/** What a webhook request carries: an event, flat (as sent) or wrapped in `{ok, result}` (as some docs show). */
export const webhookPayloadSchema = z.union([
  zaloEventSchema.transform((event) => [event]),
  z
    .looseObject({
      ok: z.boolean().optional(),
      result: z.union([zaloEventSchema.transform((event) => [event]), z.array(zaloEventSchema)]),
    })
    .transform((wrapped) => wrapped.result),
]);

/** Every Bot API reply: `{ok: true, result}` or `{ok: false, error_code, description}`. */
export const apiReplySchema = z.looseObject({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.looseObject({ retry_after: z.number().nonnegative().optional() }).optional(),
});

export const botInfoSchema = z.looseObject({
  id,
  account_name: z.string().optional(),
  display_name: z.string().optional(),
  name: z.string().optional(),
});
export type ZaloBotInfo = z.infer<typeof botInfoSchema>;

export const webhookInfoSchema = z.looseObject({
  url: z.string().optional(),
  updated_at: z.number().optional(),
});
export type ZaloWebhookInfo = z.infer<typeof webhookInfoSchema>;

export const sentMessageSchema = z.looseObject({
  message_id: id.optional(),
  date: z.number().optional(),
});
export type ZaloSentMessage = z.infer<typeof sentMessageSchema>;
