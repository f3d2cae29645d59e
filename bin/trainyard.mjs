#!/usr/bin/env node
// Launcher for the `trainyard` CLI: the project runs its TypeScript through tsx at run time (as
// `npm start` does), so register tsx's loader, then hand over to src/cli/main.ts.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
