// Runs ship-reader-worker.ts from the sources (tests, `npm run dev`, the benchmark):
// a worker thread does not inherit tsx from its parent, so it registers it itself.
import { register } from "tsx/esm/api";

register();
await import("./ship-reader-worker.ts");
