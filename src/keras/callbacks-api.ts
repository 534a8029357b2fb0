// tg.callbacks: callbacks for model.fit (Keras names). Any object with onEpochEnd, onBatchEnd, ... works too.
// earlyStopping stops when the monitored log stops improving and can restore the best weights.

export { augment } from './augment.js';
export { Callback, earlyStopping, EarlyStopping, History, type BatchData, type BatchTensors, type CallbackHooks, type EarlyStoppingOptions, type Logs } from './callbacks.js';
