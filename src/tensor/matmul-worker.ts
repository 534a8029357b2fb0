// A worker thread of the threaded matmul (started by setNumThreads, see threads.ts): it sleeps on the
// control buffer, and when woken takes units of the product and multiplies them in the shared buffer.

import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { TypedArray } from './dtype.js';
import { DONE_BYTE_OFFSET, PARAMS_BYTE_OFFSET, PARAMS_LENGTH, workerLoop } from './threads.js';
// registers the convolution's units (threads.ts, registerUnitKernel), so this thread can run them too
import './conv.js';

interface Start {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

const start = workerData as Start;
const port = parentPort!;
const flags = new Int32Array(start.control);
const params = new Float64Array(start.control, PARAMS_BYTE_OFFSET, PARAMS_LENGTH);
const done = new Int32Array(start.control, DONE_BYTE_OFFSET);

let generation = 0;
let f32 = new Float32Array(start.data);
let f64 = new Float64Array(start.data);

/** The data buffer of `want` as the dtype's array, first taking the buffers posted since ours. */
function viewOf(want: number, float64: boolean): TypedArray {
  while (generation !== want) {
    const msg = receiveMessageOnPort(port);
    if (!msg) throw new Error(`matmul worker: data buffer generation ${want} was never posted`);
    const { data, generation: g } = msg.message as { data: SharedArrayBuffer; generation: number };
    f32 = new Float32Array(data);
    f64 = new Float64Array(data);
    generation = g;
  }
  return float64 ? f64 : f32;
}

port.postMessage('ready');
// The thread blocks here between products and never returns to its event loop; terminate() still stops it.
workerLoop(flags, done, params, viewOf);
