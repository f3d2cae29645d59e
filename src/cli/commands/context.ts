// What every command gets: the API client and whether to print JSON for scripts.
import type { ApiClient } from "../client.js";

export interface CommandContext {
  client: ApiClient;
  json: boolean;
}
