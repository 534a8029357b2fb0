// tg.onnx: export a model to ONNX (bytes anywhere, a file in Node), to serve it with ONNX Runtime.

export { exportModel, OnnxExportError, type ExportOptions } from './export.js';
export { exportToFile } from './file.js';
