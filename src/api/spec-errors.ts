// Maps the training module's validation failures onto API errors.
import { SpecError } from "../training/build.js";
import { EngineUnavailableError } from "../training/torch.js";
import { ApiError, badRequest, unavailable, unprocessable } from "./errors.js";

/** `fieldOf` maps the training module's field names (e.g. "layers.2.in_features") onto the request's. */
export async function asApiErrors<T>(fn: () => Promise<T>, fieldOf: (field: string) => string = (f) => f): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SpecError) {
      const field = fieldOf(err.field);
      throw err.kind === "invalid" ? badRequest(err.message, field) : unprocessable(err.message, field);
    }
    if (err instanceof EngineUnavailableError) throw unavailable(err.message);
    if (err instanceof ApiError) throw err;
    throw err;
  }
}
