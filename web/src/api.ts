// Requests to the API (same origin). Sends the stored key; on 401 asks for a key and tries again;
// any other error status becomes an ApiError carrying the API's own message.
import { h } from "./dom";
import { askForKey, storedKey } from "./key";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.message) return new ApiError(res.status, body.error.code ?? "error", body.error.message);
  } catch {
    // not the API's JSON error shape
  }
  return new ApiError(res.status, "http", `${res.status} ${res.statusText}`);
}

export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const headers = new Headers(init.headers);
    const key = storedKey();
    if (key) headers.set("authorization", `Bearer ${key}`);
    const res = await fetch(path, { ...init, headers });
    if (res.ok) return res;
    const error = await errorOf(res);
    if (res.status !== 401 || !(await askForKey(error.message))) throw error;
  }
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await apiFetch(path, { signal, cache: "no-store" })).json() as Promise<T>;
}

export async function postJson<T>(path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method: "POST" };
  if (body !== undefined) init.headers = { "content-type": "application/json" };
  if (body !== undefined) init.body = JSON.stringify(body);
  return (await apiFetch(path, init)).json() as Promise<T>;
}

/** Downloads through fetch (so the key header is sent) and hands the bytes to the browser as a file. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await apiFetch(path);
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError && err.status === 401) return `${err.message} (enter one with the API key button, top right)`;
  return err instanceof Error ? err.message : String(err);
}
