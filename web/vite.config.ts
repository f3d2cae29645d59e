// Builds the dashboard (index.html + src/) into dist/web, which the API serves at `/` (src/api/dashboard.ts).
// Everything, uPlot included, is bundled: the page loads nothing from elsewhere.
import path from "node:path";
import { defineConfig } from "vite";

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: "/",
  publicDir: false,
  logLevel: "warn",
  build: {
    outDir: path.resolve(here, "../dist/web"),
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: true,
  },
});
