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

let schema: Promise<{ paths: Record<string, Record<string, unknown>> }> | null = null;

/** Whether this server answers GET ``path``, by its own OpenAPI document (read once): a list
 * endpoint may be newer than the server (asking would only log a 405 in the browser). */
export async function offers(path: string): Promise<boolean> {
  schema ??= fetch("/openapi.json").then((response) => response.json());
  return Boolean((await schema).paths[path]?.get);
}

/** A list in the API's one shape ({data, count}); null when this server does not offer it. */
export async function list<T>(path: string, params: Record<string, string | number | undefined>): Promise<{ data: T[]; count: number } | null> {
  if (!(await offers(path))) return null;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") query.set(key, String(value));
  const answer = await client.get<Record<number, { data: T[]; count: number }>, unknown, false>({ url: `${path}?${query}` });
  return unwrap(answer as Answer<{ data: T[]; count: number }>);
}
