// The Keras-style API: tg.sequential / tg.model, tg.layers.*, tg.callbacks.*, and saving / loading.
// compile, fit, evaluate, predict and summary are methods of the Model these return.

export { Model, model, sequential, type AnyModel, type CompileArgs, type FunctionalArgs, type ModelArgs, type PredictResult } from './model.js';
export { input, type InputArgs } from './functional.js';
export { SymbolicTensor } from './symbolic.js';
export type { FitArgs, EvaluateArgs } from './training.js';
export type { AdversarialOptions } from './adversarial.js';
export { History, type EvaluateLogs, type Logs } from './callbacks.js';
export type { MetricName } from './metrics.js';
export type { LossConfig, LossFunction, LossName, LossSpec } from './losses.js';
export type { LearningRateSchedule, OptimizerConfig, OptimizerLike, OptimizerName, OptimizerSpec } from './optimizers.js';
export { fromBytes, loadModel, type LoadOptions } from './loading.js';
export type { ModelBytes } from './saving.js';
export { ModelLoadError, type ModelLoadErrorCode } from './errors.js';
export * as layers from './layers-api.js';
export * as callbacks from './callbacks-api.js';
