// tapegrad's public entry: `import * as tg from 'tapegrad'`.
// Tensors and their ops, the tape (backward, grad, noGrad), gradcheck, and the nn / optim namespaces.

export { Tensor, where, dispose, type Operand, type SortResult, type TensorContainer } from './autograd/tensor.js';
export * from './autograd/factory.js';
export * from './autograd/functions.js';
export { enableGrad, isGradEnabled, noGrad } from './autograd/mode.js';
export { customGrad } from './autograd/custom.js';
export * as autograd from './autograd/autograd-api.js';
export { type BackwardOptions } from './autograd/tape.js';
export { grad, type GradOptions } from './autograd/grad.js';
export { gradcheck, gradgradcheck, GradcheckError, type GradcheckOptions } from './autograd/gradcheck.js';
export { OPS, type OpName, type OpAttrs } from './autograd/ops.js';
export { defaultGenerator, Generator, manualSeed } from './tensor/random.js';
export type { DType, FloatDType, TypedArray } from './tensor/dtype.js';
export type { NormOrder } from './autograd/composites.js';
export { NDArray } from './tensor/ndarray.js';
export { LoadError } from './tensor/errors.js';
export { MAX_TENSOR_ELEMENTS } from './tensor/validate.js';
export { SafetensorsError, type SafetensorsErrorCode } from './io/safetensors.js';
export { setNumThreads, getNumThreads } from './tensor/threads.js';
export { cacheStats, emptyCache, setCacheLimit, type CacheStats } from './tensor/storage.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export { sequential, model, input, loadModel, fromBytes, Model, ModelLoadError, History, SymbolicTensor } from './keras/index.js';
export type {
  AdversarialOptions, AnyModel, CompileArgs, EvaluateArgs, EvaluateLogs, FitArgs, FunctionalArgs, InputArgs, LoadOptions, Logs, LossConfig, LossFunction, LossSpec,
  LearningRateSchedule, ModelArgs, ModelBytes, ModelLoadErrorCode, OptimizerConfig, OptimizerLike, OptimizerSpec, PredictResult,
} from './keras/index.js';
export type { StopInfo } from './keras/callbacks.js';
export * as layers from './keras/layers-api.js';
export { load, save, stateDictFromBytes, stateDictToBytes, type StateDictLoadOptions, type TensorDict } from './io/state-dict.js';
export * as callbacks from './keras/callbacks-api.js';

import { Tensor } from './autograd/tensor.js';
import { ndarrayFromScijs, type NdarrayLike } from './tensor/interop.js';
export type { NdarrayLike, ScijsNdarray } from './tensor/interop.js';

/** Wraps a scijs ndarray as a Tensor: zero-copy for Float32Array/Float64Array data, any strides. */
export function fromNdarray(nd: NdarrayLike, options: { requiresGrad?: boolean } = {}): Tensor {
  return new Tensor(ndarrayFromScijs(nd), options.requiresGrad ?? false);
}
export * as text from './text/index.js';
export { toDot, type DotOptions, type DotNames } from './autograd/dot.js';
export * as plot from './plot/index.js';
export * as metrics from './metrics/index.js';
export * as baselines from './baselines/index.js';
export * as robust from './robust/index.js';
export * as onnx from './onnx/index.js';
export { downloadBytes } from './io/download.js';
