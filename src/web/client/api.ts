import type { Answer } from "../../contract/answer.ts";

export type { Answer, Citation } from "../../contract/answer.ts";

/** GET /api/passages/:chunkId (see CorpusStore.getPassage) */
export interface PassageText {
  chunkId: string;
  ordinal: number;
  headingPath: string[];
  text: string;
  sentences: { start: number; end: number; caption: boolean }[];
  /** for a PDF or a scan */
  pages?: { first: number; last: number };
}

export interface PassageView {
  passage: PassageText;
  document: {
    path: string;
    title: string;
    url?: string | null;
    publisher?: string | null;
    published?: string | null;
    /** read by OCR */
    scanned?: boolean;
  };
  previous?: PassageText;
  next?: PassageText;
}

/** GET /api/documents */
export interface DocumentSummary {
  path: string;
  title: string;
  publisher: string | null;
  published: string | null;
  url: string | null;
  passages: number;
  /** read by OCR */
  scanned?: boolean;
}

/** A failure to show the user as is: always a Vietnamese sentence. */
export class ApiError extends Error {
  override name = "ApiError";
}

const OFFLINE_TEXT = "Không kết nối được với máy chủ. Bạn kiểm tra kết nối mạng rồi thử lại.";

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { accept: "application/json", ...(init.headers as Record<string, string> | undefined) },
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(OFFLINE_TEXT);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    body = undefined;
  }
  if (!response.ok) {
    const message =
      body && typeof body === "object" && typeof (body as { error?: unknown }).error === "string"
        ? (body as { error: string }).error
        : `Máy chủ báo lỗi (mã ${response.status}). Bạn vui lòng thử lại sau.`;
    throw new ApiError(message);
  }
  if (body === undefined || body === null || typeof body !== "object") {
    throw new ApiError("Máy chủ trả lời không đúng định dạng. Bạn vui lòng thử lại sau.");
  }
  return body as T;
}

export async function ask(question: string, conversationId: string, signal?: AbortSignal): Promise<Answer> {
  const answer = await request<Answer>("/api/ask", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ question, conversationId }),
    signal,
  });
  if (typeof answer.answer !== "string" || !Array.isArray(answer.citations)) {
    throw new ApiError("Máy chủ trả lời không đúng định dạng. Bạn vui lòng thử lại sau.");
  }
  return answer;
}

export function getPassage(chunkId: string, signal?: AbortSignal): Promise<PassageView> {
  return request<PassageView>(`/api/passages/${encodeURIComponent(chunkId)}`, { signal });
}

export async function listDocuments(): Promise<DocumentSummary[]> {
  const body = await request<{ documents?: DocumentSummary[] }>("/api/documents");
  return Array.isArray(body.documents) ? body.documents : [];
}

export type { TargetList } from "../../facts/targets.ts";
export type { Quiz, QuizQuestion } from "../../quiz/types.ts";

/** GET /api/targets: the targets whose words include the keyword (all of them without one). */
export function listTargets(keyword: string): Promise<import("../../facts/targets.ts").TargetList> {
  return request(`/api/targets?q=${encodeURIComponent(keyword)}`);
}

/** GET /api/quiz: a quiz about the topic (the whole corpus without one). */
export function getQuiz(topic: string, seed: number): Promise<import("../../quiz/types.ts").Quiz> {
  return request(`/api/quiz?topic=${encodeURIComponent(topic)}&count=5&seed=${seed}`);
}

/** Where the study pack of a topic is downloaded from. */
export function studyPackUrl(topic: string): string {
  return topic.trim() ? `/api/studypack?topic=${encodeURIComponent(topic.trim())}` : "/api/studypack";
}

export type { Stats } from "../../store/stats-store.ts";

/** The trainers' statistics, with the admin token (GET /api/stats). */
export function getStats(
  token: string,
  query: { days: number; channel: string },
  signal?: AbortSignal,
): Promise<import("../../store/stats-store.ts").Stats> {
  return request(`/api/stats?days=${query.days}&channel=${encodeURIComponent(query.channel)}`, {
    headers: { authorization: `Bearer ${token}` },
    ...(signal ? { signal } : {}),
  });
}

/** The statistics as a CSV file (a Blob to save), with the admin token. */
export async function getStatsCsv(token: string, query: { days: number; channel: string }): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(
      `/api/stats?days=${query.days}&channel=${encodeURIComponent(query.channel)}&format=csv`,
      { headers: { authorization: `Bearer ${token}` } },
    );
  } catch {
    throw new ApiError(OFFLINE_TEXT);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: string } | undefined;
    throw new ApiError(body?.error ?? `Máy chủ báo lỗi (mã ${response.status}). Bạn vui lòng thử lại sau.`);
  }
  return response.blob();
}
