import { client } from "./client/client.gen";

// The generated client's answers as values or an ApiError carrying the API's error code (the
// key of the translated message).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

export function unwrap<T>(answer: Answer<T>): T {
  if (answer.error !== undefined || answer.data === undefined) {
    const body = (answer.error ?? {}) as { error?: { code?: string; message?: string } };
    const status = answer.response?.status ?? 0;
    throw new ApiError(status, body.error?.code ?? (status ? "http_error" : "network"), body.error?.message ?? "");
  }
  return answer.data;
}

/** A list the API may not offer yet (GET /trades?…, /receivables?…): null when it answers 404/405. */
export async function list<T>(path: string, params: Record<string, string | number | undefined>): Promise<{ data: T[]; count: number } | null> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") query.set(key, String(value));
  const answer = await client.get<Record<number, { data: T[]; count: number }>, unknown, false>({ url: `${path}?${query}` });
  if (answer.response && [404, 405].includes(answer.response.status)) return null;
  return unwrap(answer as Answer<{ data: T[]; count: number }>);
}
