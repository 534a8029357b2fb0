// The browser build's stand-in for node-fs.ts (scripts/build.mjs swaps it in): browsers have no file
// system to save into, so these say what to use instead; no Node built-in reaches a browser bundle.

import { ModelLoadError } from './errors.js';

const INSTEAD: Record<string, string> = {
  loadModel: 'model.toBytes() and tg.fromBytes()',
  save: 'model.toBytes() or tg.stateDictToBytes() (and tg.downloadBytes to save a file)',
  load: 'tg.stateDictFromBytes()',
};

const why = (where: string): never => {
  throw new ModelLoadError('NOT_NODE', `${where} needs Node's file system; in a browser use ${INSTEAD[where] ?? 'the bytes functions'}`);
};

/** Not available in a browser: throws NOT_NODE. */
export async function readFileChecked(_dir: string, _name: string, _maxBytes: number, where: string): Promise<Uint8Array> {
  return why(where);
}

/** Not available in a browser: throws NOT_NODE. */
export async function writeFilesAtomic(_dir: string, _files: [string, Uint8Array][], where: string): Promise<void> {
  return why(where);
}
