// Maps the training module's validation failures onto API errors.
import { SpecError } from "../training/build.js";
import { badRequest, unprocessable } from "./errors.js";

/** `fieldOf` maps the training module's field names (e.g. "layers.2.in_features") onto the request's. */
export async function asApiErrors<T>(fn: () => Promise<T>, fieldOf: (field: string) => string = (f) => f): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SpecError) {
      const field = fieldOf(err.field);
      throw err.kind === "invalid" ? badRequest(err.message, field) : unprocessable(err.message, field);
    }
    throw err;
  }
}
