// Maps the training module's validation failures onto API errors.
import { SpecError } from "../training/build.js";
import { EngineUnavailableError } from "../training/torch.js";
import { ApiError, badRequest, unavailable, unprocessable } from "./errors.js";

export async function asApiErrors<T>(fn: () => Promise<T>, fieldPrefix = ""): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SpecError) {
      const field = fieldPrefix + err.field;
      throw err.kind === "invalid" ? badRequest(err.message, field) : unprocessable(err.message, field);
    }
    if (err instanceof EngineUnavailableError) throw unavailable(err.message);
    if (err instanceof ApiError) throw err;
    throw err;
  }
}
