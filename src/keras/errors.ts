// Re-exports the model-loading error from io/errors.ts, where the file formats that throw it live.

export { ModelLoadError, type ModelLoadErrorCode } from '../io/errors.js';
