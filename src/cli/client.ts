// HTTP client for the Trainyard REST API (Node's global fetch). Every failure becomes a CliError with
// exit code 3 and one line that says what went wrong: the API's own {"error": {...}} message, or which
// URL could not be reached.
import { CliError, EXIT_API } from "./exit-codes.js";

export interface ClientOptions {
  baseUrl: string;
  apiKey?: string;
}

interface ApiErrorBody {
  error?: { code?: string; message?: string; field?: string };
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  /** Sends a request; answers the response when its status is 2xx, throws a CliError otherwise. */
  async request(method: string, path: string, body?: unknown, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: init.signal });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach the Trainyard API at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (err as Error).message}); is it running? Set TRAINYARD_URL to point elsewhere`, EXIT_API);
    }
    if (!response.ok) throw await responseError(method, path, response);
    return response;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }
}

async function responseError(method: string, path: string, response: Response): Promise<CliError> {
  const text = await response.text().catch(() => "");
  let detail = text.trim().split("\n")[0]?.slice(0, 200) || response.statusText;
  try {
    const error = (JSON.parse(text) as ApiErrorBody).error;
    if (error?.message) detail = error.field ? `${error.message} (field ${error.field})` : error.message;
  } catch {
    // not JSON: keep the first line of the body
  }
  const hint = response.status === 401 ? " (set TRAINYARD_API_KEY to one of your tenant's API keys)" : "";
  return new CliError(`${method} ${path} failed with ${response.status}: ${detail}${hint}`, EXIT_API);
}
