// tg.autograd: the PyTorch-style names for custom gradients (tg.autograd.Function and its ctx) and the tape calls.

export { CustomFunction as Function, customGrad, FunctionCtx, type CustomGradients, type CustomGradResult } from './custom.js';
export { grad } from './grad.js';
export { gradcheck, gradgradcheck } from './gradcheck.js';
