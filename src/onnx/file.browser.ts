// The browser build's stand-in for file.ts (scripts/build.mjs swaps it in): no file system, so exportToFile
// says what to use instead, and no Node built-in reaches the browser bundle.

import type { Tensor } from '../autograd/tensor.js';
import type { Module } from '../nn/module.js';
import { type ExportOptions, OnnxExportError } from './export.js';

/** Not available in a browser: throws, pointing to tg.onnx.exportModel and tg.downloadBytes. */
export async function exportToFile(_model: Module, _sampleInput: Tensor | Tensor[], _path: string, _options: ExportOptions = {}): Promise<number> {
  throw new OnnxExportError('exportToFile: needs Node; in a browser use tg.onnx.exportModel and tg.downloadBytes(bytes, "model.onnx")');
}
