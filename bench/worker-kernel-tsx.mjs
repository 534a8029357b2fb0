// Worker entry for bench/worker-kernel.ts and bench/worker-wake.ts: registers tsx's loader in this thread (on
// Node 20 a loader does not carry over into workers), then runs the TypeScript file workerData.entry names.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData?.entry ?? './worker-kernel.ts');
