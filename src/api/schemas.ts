// JSON schemas shared by the routes (request and response). Field names are snake_case throughout.
// Requests use the strict per-class schemas of src/training/arguments.ts; responses the loose ones here.
import { requestSchemas } from "../training/arguments.js";

const argValue = {
  description: "a constructor argument: a number, boolean, string, null or a list of them",
  anyOf: [{ type: ["number", "boolean", "string", "null"] }, { type: "array", maxItems: 64, items: { type: ["number", "boolean", "string", "null"] } }],
};

export const layerSchema = {
  $id: "Layer",
  type: "object",
  description: 'a module of an nn.Sequential: {"type": PyTorch class name, ...its constructor arguments}; type "Sequential" nests "layers"',
  required: ["type"],
  properties: {
    type: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z][A-Za-z0-9]*$" },
    layers: { type: "array", maxItems: 1000, items: { $ref: "Layer#" } },
  },
  additionalProperties: argValue,
} as const;

export const classSpecSchema = {
  $id: "ClassSpec",
  type: "object",
  description: '{"type": PyTorch class name, ...its constructor arguments}',
  required: ["type"],
  properties: { type: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z][A-Za-z0-9]*$" } },
  additionalProperties: argValue,
} as const;

export const tensorShapesSchema = {
  type: "object",
  additionalProperties: {
    type: "object",
    properties: {
      dtype: { type: "string" },
      shape: { type: "array", items: { type: "integer" } },
      min: { type: "integer", description: "integer labels (y, y_test): the smallest" },
      max: { type: "integer", description: "integer labels (y, y_test): the largest; class-index losses need the model's output size above it" },
    },
  },
} as const;

/** Ids are cuids; anything else (a NUL byte, which PostgreSQL refuses in text, say) is a 400 before the database sees it. */
export const idString = { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" } as const;
/** Free text that is stored (names): any characters but NUL, which PostgreSQL cannot hold in text or jsonb. */
export const storedText = (maxLength: number) => ({ type: "string", maxLength, pattern: "^[^\\u0000]*$" }) as const;

export const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: idString },
} as const;

export const sharedSchemas = [layerSchema, classSpecSchema, ...requestSchemas];
