// Entry of the matmul worker when tapegrad runs from its TypeScript sources (tsx, vitest): registers
// tsx's loader in this thread (on Node 20 a loader does not carry over into workers), then runs the worker.
import { register } from 'tsx/esm/api';

register();
await import('./matmul-worker.ts');
