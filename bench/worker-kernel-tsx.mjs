// Worker entry for bench/worker-kernel.ts: registers tsx's loader in this thread (on Node 20 a
// loader does not carry over into workers), then runs the TypeScript file.
import { register } from 'tsx/esm/api';

register();
await import('./worker-kernel.ts');
