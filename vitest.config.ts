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
        // The fault and load tests run on their own: `npm run test:faults` (vitest.faults.config.ts).
        // (An exclude list here would replace the command line's --exclude, which .ci/run uses.)
        test: { name: "default", include: ["test/*.test.ts", "test/!(faults)/**/*.test.ts"] },
      },
      {
        // The engine's own tests again on the TypeScript reference backend, so both backends run them.
        extends: true,
        test: { name: "engine-ts", include: ["test/engine/**/*.test.ts"], env: { TRAINYARD_BACKEND: "ts" } },
      },
      {
        // nn's layer and optimizer tests on the TypeScript backend too (the default project runs them on native).
        extends: true,
        test: { name: "nn-ts", include: ["test/nn/layers.test.ts", "test/nn/torch-parity-layers.test.ts", "test/nn/optim.test.ts", "test/nn/torch-parity-optim.test.ts"], env: { TRAINYARD_BACKEND: "ts" } },
      },
    ],
  },
});
