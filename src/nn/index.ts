// tg.nn: neural-network building blocks.
// Module and Parameter, layers and containers, `init` and `functional` (stateless activations and losses).

export * as functional from './functional.js';
export * as init from './init.js';
export { Module, Parameter, type StateDict } from './module.js';
export { Dropout, Flatten, Identity, Linear, type DropoutOptions, type LinearOptions } from './layers.js';
export { ELU, GELU, LeakyReLU, LogSoftmax, ReLU, ReLU6, SELU, Sigmoid, SiLU, Softmax, Softplus, Tanh } from './activations.js';
export { ModuleList, Sequential } from './container.js';
export {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d,
  ConvTranspose1d, ConvTranspose2d, Dropout2d, GroupNorm, MaxPool1d, MaxPool2d, Upsample,
  type BatchNormLayerOptions, type ConvLayerOptions, type ConvTransposeLayerOptions,
} from './image-layers.js';
export { erf, erfc, gelu, normalCdf, type GeluApproximate } from './erf.js';
export { type AnyModule } from './module.js';
export { Embedding, LayerNorm, type EmbeddingLayerOptions, type LayerNormOptions } from './sequence-layers.js';
export {
  MultiheadAttention, type AttentionResult, type MultiheadAttentionForwardOptions, type MultiheadAttentionOptions,
} from './attention.js';
export {
  CausalTransformerBlock, sinusoidalPositionalEncoding, TransformerEncoder, TransformerEncoderLayer,
  type PositionalEncodingOptions, type TransformerEncoderForwardOptions, type TransformerEncoderLayerOptions,
  type TransformerEncoderOptions,
} from './transformer.js';
export {
  GRU, GRUCell, LSTM, LSTMCell, padSequence, RNN, RNNCell,
  type CellOptions, type ElmanRNNOptions, type LSTMState, type RNNForwardOptions, type RNNOptions,
} from './rnn.js';
