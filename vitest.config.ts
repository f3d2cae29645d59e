import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The machine has 2 cores; integration tests start real processes.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        // Everything, on the backend the engine picks (native when the addon is built).
        extends: true,
        test: { name: "default", include: ["test/**/*.test.ts"] },
      },
      {
        // The engine's own tests again on the TypeScript reference backend, so both backends run them.
        extends: true,
        test: { name: "engine-ts", include: ["test/engine/**/*.test.ts"], env: { TRAINYARD_BACKEND: "ts" } },
      },
    ],
  },
});
