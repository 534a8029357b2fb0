// A Web Worker of the threaded matmul in browsers (started by thread-host.browser.ts, which inlines
// this file's bundle): it receives the shared buffers once, then, as the Node worker does, sleeps on
// the control buffer and multiplies the units it takes. It never returns to its event loop, so the
// data buffer is growable and grows in place instead of being sent again (threads.ts, growData).

import type { TypedArray } from './dtype.js';
import type { WorkerStart } from './thread-host.js';
import { DONE_BYTE_OFFSET, PARAMS_BYTE_OFFSET, PARAMS_LENGTH, workerLoop } from './threads.js';
// registers the convolution's units (threads.ts, registerUnitKernel), so this thread can run them too
import './conv.js';

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(v: unknown): void };

scope.onmessage = (e: MessageEvent) => {
  scope.onmessage = null;
  const start = e.data as WorkerStart;
  const flags = new Int32Array(start.control);
  const params = new Float64Array(start.control, PARAMS_BYTE_OFFSET, PARAMS_LENGTH);
  const done = new Int32Array(start.control, DONE_BYTE_OFFSET);
  // without a length, views of a growable buffer track its size as it grows
  const f32 = new Float32Array(start.data);
  const f64 = new Float64Array(start.data);
  const viewOf = (generation: number, float64: boolean): TypedArray => {
    if (generation !== 0) throw new Error('matmul worker: the data buffer was replaced, which a browser worker cannot receive');
    return float64 ? f64 : f32;
  };
  scope.postMessage('ready');
  workerLoop(flags, done, params, viewOf);
};
