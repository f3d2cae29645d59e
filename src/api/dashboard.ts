// The web dashboard at `/`: the Vite bundle of web/ (built into dist/web by `npm run build`, which
// `npm ci` runs), served by @fastify/static. One route per built file (no catch-all), so unknown paths
// still get the API's 404 shape. Hashed assets never change, so browsers keep them for a year;
// index.html is revalidated on every load so a new build shows at once, and its Content-Security-Policy
// lets the page load nothing from elsewhere (everything ships in the bundle).
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync } from "fastify";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..").replace(/[\\/]dist$/, "");

/** Where `npm run build` puts the dashboard bundle. */
export const DASHBOARD_DIR = path.join(projectRoot, "dist", "web");

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";
export const DASHBOARD_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface DashboardOptions {
  /** The built bundle's directory (default DASHBOARD_DIR). */
  root?: string;
}

export const dashboardRoutes: FastifyPluginAsync<DashboardOptions> = async (app, opts) => {
  const root = opts.root ?? DASHBOARD_DIR;
  if (!existsSync(path.join(root, "index.html"))) {
    const message = `The dashboard was not built (${path.join(root, "index.html")} is missing): run \`npm run build\` and restart. The API itself works: /v1, /docs, /openapi.json.\n`;
    app.log.warn({ root }, "dashboard bundle missing; / answers 503 until it is built");
    app.get("/", { schema: { hide: true } }, async (_request, reply) => reply.code(503).header("cache-control", REVALIDATE).type("text/plain; charset=utf-8").send(message));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: "/",
    wildcard: false,
    cacheControl: false, // set per file below
    setHeaders(reply, file) {
      const hashed = path.relative(root, file).startsWith(`assets${path.sep}`);
      reply.header("cache-control", hashed ? IMMUTABLE : REVALIDATE);
      reply.header("x-content-type-options", "nosniff");
      if (file.endsWith(".html")) reply.header("content-security-policy", DASHBOARD_CSP);
    },
  });
};
