import type { z } from "zod";

/** The 400 message for a request that fails its schema: the first issue, with its field. */
export function invalidRequestMessage(error: z.ZodError, whole = "query"): string {
  const issue = error.issues[0];
  return `Yêu cầu không hợp lệ: ${issue?.path.join(".") || whole}: ${issue?.message ?? "invalid"}`;
}
