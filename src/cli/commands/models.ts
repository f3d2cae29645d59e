// trainyard models create model.json / models list.
import { usageError } from "../exit-codes.js";
import { readJsonFile } from "../files.js";
import { table } from "../format.js";
import { print, printJson } from "../output.js";
import type { Model } from "../types.js";
import type { CommandContext } from "./context.js";

export async function createModel(ctx: CommandContext, file: string): Promise<number> {
  const definition = await readJsonFile(file);
  if (typeof definition !== "object" || definition === null || Array.isArray(definition)) throw usageError(`${file} must hold a JSON object ({"name"?, "layers": [...]})`);
  const model = await ctx.client.json<Model>("POST", "/v1/models", definition);
  if (ctx.json) printJson(model);
  else print(`${model.id}\n${model.param_count} parameters\n${model.printout}`);
  return 0;
}

export async function listModels(ctx: CommandContext): Promise<number> {
  const page = await ctx.client.json<{ models: Model[] }>("GET", "/v1/models");
  if (ctx.json) printJson(page.models);
  else print(page.models.length ? table(["ID", "NAME", "PARAMETERS", "CREATED"], page.models.map((m) => [m.id, m.name ?? "-", String(m.param_count), m.created_at])) : "no models");
  return 0;
}
