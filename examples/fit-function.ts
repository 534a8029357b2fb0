// Fits y = sin(x) on [-3, 3] with a one-hidden-layer network, using only tensors and the tape:
// forward pass, loss, backward(), and the update θ ← θ − α·∂J/∂θ written out by hand.

import * as tg from 'tapegrad';

export function fitFunction({ steps = 2000, hidden = 32, lr = 0.05, log = console.log } = {}): number[] {
  tg.manualSeed(0);
  const x = tg.linspace(-3, 3, 128).reshape([128, 1]);
  const y = x.sin();
  // weights and biases of the hidden and output layers
  const w1 = tg.randn([1, hidden]).mul(1.0).requiresGrad_();
  const b1 = tg.zeros([hidden], { requiresGrad: true });
  const w2 = tg.randn([hidden, 1]).mul(Math.sqrt(1 / hidden)).requiresGrad_();
  const b2 = tg.zeros([1], { requiresGrad: true });
  const params = [w1, b1, w2, b2];
  const losses: number[] = [];
  for (let step = 0; step <= steps; step++) {
    const hiddenOut = x.matmul(w1).add(b1).tanh(); // input layer → hidden layer
    const pred = hiddenOut.matmul(w2).add(b2); // hidden layer → output layer
    const loss = tg.nn.functional.mseLoss(pred, y);
    for (const p of params) p.grad = null;
    loss.backward();
    tg.noGrad(() => {
      for (const p of params) p.value = p.sub(p.grad!.mul(lr)).value; // θ ← θ − α·∂J/∂θ
    });
    if (step % (steps / 10) === 0) {
      losses.push(loss.item());
      log(`step ${String(step).padStart(5)}  loss ${loss.item().toFixed(6)}`);
    }
  }
  return losses;
}

if (import.meta.url === `file://${process.argv[1]}`) fitFunction();
