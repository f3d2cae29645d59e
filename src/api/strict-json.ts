// Strict JSON bodies for the routes that take a definition (models, jobs). Fastify's validator
// coerces types ("4" -> 4, [4] -> 4), which querystrings need but a JSON body must not get: there a
// string where a number belongs is a 400. And a body nested thousands of levels deep would overflow
// the validator's stack, so it is refused before validation.
import { Ajv } from "ajv";
import type { FastifyInstance } from "fastify";
import { badRequest } from "./errors.js";

/** How deep objects and arrays may nest in a JSON body. */
export function jsonDepthLimit(maxModelDepth: number): number {
  // body > model > layers > layer, two levels per nested Sequential, then an argument's list.
  return 2 * maxModelDepth + 8;
}

/** The nesting depth of a parsed JSON value, counted without recursion; stops once past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Installs, for the routes of the calling plugin, body validation without coercion and the depth guard. */
export function strictJsonBodies(app: FastifyInstance, maxDepth: number): void {
  let compilers: { body: Ajv; other: Ajv } | undefined;
  const make = (coerceTypes: false | "array") => {
    const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, allowUnionTypes: true, validateFormats: false });
    for (const schema of Object.values(app.getSchemas())) ajv.addSchema(schema as object);
    return ajv;
  };
  app.setValidatorCompiler(({ schema, httpPart }) => {
    compilers ??= { body: make(false), other: make("array") };
    return (httpPart === "body" ? compilers.body : compilers.other).compile(schema);
  });
  app.addHook("preValidation", async (request) => {
    if (request.body !== undefined && jsonDepth(request.body, maxDepth) > maxDepth) throw badRequest(`the request body nests objects and arrays deeper than ${maxDepth} levels`);
  });
}
