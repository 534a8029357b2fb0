// The Node helper of tg.onnx: export a model and write the .onnx file (node:fs is loaded only when called).

import type { Tensor } from '../autograd/tensor.js';
import type { Module } from '../nn/module.js';
import { exportModel, type ExportOptions, OnnxExportError } from './export.js';

/**
 * Exports `model` as {@link exportModel} does and writes the bytes to `path` (Node only); resolves to the
 * number of bytes written.
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const net = new tg.nn.Sequential(new tg.nn.Linear(4, 2), new tg.nn.Softmax());
 * const path = join(mkdtempSync(join(tmpdir(), 'tg-onnx-')), 'net.onnx');
 * await tg.onnx.exportToFile(net, tg.randn([1, 4]), path, { dynamicAxes: { input: [0] } });
 * ```
 */
export async function exportToFile(model: Module, sampleInput: Tensor | Tensor[], path: string, options: ExportOptions = {}): Promise<number> {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw new OnnxExportError('exportToFile: path must be a non-empty string');
  if (typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== 'string') {
    throw new OnnxExportError('exportToFile: needs Node; in a browser use tg.onnx.exportModel and keep the bytes');
  }
  const bytes = exportModel(model, sampleInput, options);
  const fs = await import('node:fs/promises');
  await fs.writeFile(path, bytes);
  return bytes.length;
}
