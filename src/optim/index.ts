// tg.optim: optimizers (SGD, Adam, AdamW, RMSprop, Adagrad), learning-rate schedulers and gradient clipping.
// Each optimizer updates parameter storage in place from .grad, with PyTorch's update rules and defaults.

export {
  Optimizer, type BaseOptions, type OptimizerStateDict, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export {
  CosineAnnealingLR, ExponentialLR, LRScheduler, ReduceLROnPlateau, StepLR, type ReduceLROnPlateauOptions,
} from './lr-scheduler.js';
export { clipGradNorm, clipGradNorm_, clipGradValue, clipGradValue_, type ClipGradNormOptions } from './clip.js';
