// Lets tfjs-wasm's threaded build start under Node (bench only). tfjs hands Emscripten its pthread
// worker script as a blob: URL and the main script as a Blob; Node's worker_threads cannot start a
// worker from a blob: URL (ERR_WORKER_PATH), and the worker cannot importScripts a Blob. Here the
// worker script is written to a temporary file that loads the main script from its file in the
// package, and URL.createObjectURL answers that file's path for the worker's Blob during init.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The code the worker runs to load the main script (a Blob on the web); replaced by a file load. */
const LOAD_MAIN =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

/**
 * Patches URL.createObjectURL so that the pthread worker's Blob (type application/javascript, the
 * only one tfjs makes with that type) becomes a file path. Returns the function that undoes it.
 */
export function patchWasmWorkerUrl(): () => void {
  const req = createRequire(import.meta.url);
  const wasmOut = join(req.resolve('@tensorflow/tfjs-backend-wasm'), '../../wasm-out');
  const { wasmWorkerContents } = req(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // tfjs escapes newlines the same way before making its Blob (they sit inside string literals)
  const src = wasmWorkerContents.replace(/\n/g, '\\n');
  if (!src.includes(LOAD_MAIN)) throw new Error('tfjs-wasm threads: the worker script is not the one this shim knows (tfjs version changed?)');
  const mainScript = join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-wasm-'));
  // workers may start (and read the file) any time the backend lives: removed when the process exits
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  writeFileSync(file, src.replace(LOAD_MAIN, `importScripts(${JSON.stringify(mainScript)});`));
  const original = URL.createObjectURL;
  URL.createObjectURL = (obj: Blob) => (obj instanceof Blob && obj.type === 'application/javascript' ? file : original(obj));
  return () => { URL.createObjectURL = original; };
}
