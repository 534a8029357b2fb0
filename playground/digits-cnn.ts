// The handwriting view's network, shared by the page (which loads its weights) and the script that
// trains it (scripts/train-playground-digits.ts): a small LeNet-style CNN built from tapegrad's nn layers.
//   [N, 1, 28, 28] → conv 5×5 → 8, ReLU, max-pool 2 → conv 5×5 → 16, ReLU, max-pool 2 → 128 → 10 logits
// 28×28 → 24×24 → 12×12 → 8×8 → 4×4; 37,610 parameters (151 KB as float32 safetensors).

import * as tg from '../src/index.js';

/** A fresh (untrained) copy of the handwriting CNN; its stateDict keys are the ones in assets/digits.safetensors. */
export function digitsCnn(): tg.nn.Sequential {
  const nn = tg.nn;
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(16 * 4 * 4, 128), new nn.ReLU(), new nn.Dropout(0.3),
    new nn.Linear(128, 10),
  );
}

/** The ten digit probabilities for one 28×28 image (values in [0, 1], row-major), in eval mode without the tape. */
export function readDigit(net: tg.nn.Module, pixels: Float32Array): Float32Array {
  net.eval();
  return tg.noGrad(() => net.call(tg.tensor(pixels, { shape: [1, 1, 28, 28] })).softmax(1).dataSync()) as Float32Array;
}
