// The browser build's stand-in for node-fs.ts (scripts/build.mjs swaps it in): browsers have no file
// system to save into, so these say what to use instead; no Node built-in reaches a browser bundle.

import { ModelLoadError } from '../keras/errors.js';

const why = (what: string): never => {
  throw new ModelLoadError('NOT_NODE', `${what} needs Node's file system; in a browser use model.toBytes() and tg.fromBytes() (and tg.downloadBytes to save a file)`);
};

/** Not available in a browser: throws NOT_NODE. */
export async function readModelFile(_dir: string, _name: string, _maxBytes: number): Promise<Uint8Array> {
  return why('loadModel');
}

/** Not available in a browser: throws NOT_NODE. */
export async function writeModelFiles(_dir: string, _files: [string, Uint8Array][]): Promise<void> {
  return why('save');
}
