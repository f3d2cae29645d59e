// `npm run test:faults`: tests that kill and restart real processes (workers, the API, Redis) and
// cut the database connection, and the load test. They take minutes, so `npm test` leaves them out.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    // One file at a time: each starts several processes on a 2-core machine.
    fileParallelism: false,
    include: ["test/faults/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
