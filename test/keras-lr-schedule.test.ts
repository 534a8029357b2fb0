// Keras' learning-rate schedules as an optimizer config's learningRate (cosineDecay, exponentialDecay): the
// same parameters, step by step, as tg.optim's CosineAnnealingLR / ExponentialLR (PyTorch's schedules) over
// the steps where they agree; the rate held after decaySteps as Keras does; saved with the model; bad configs.

import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { resolveOptimizer } from '../src/keras/optimizers.js';

/** Two identical parameter sets and a fixed loss whose gradient changes each step. */
function twins(): [tg.nn.Parameter[], tg.nn.Parameter[], (p: tg.nn.Parameter[]) => void] {
  const w0 = tg.randn([3, 2], { dtype: 'float64', generator: new tg.Generator(4) });
  const make = () => [new tg.nn.Parameter(w0.clone().value)];
  const target = tg.randn([3, 2], { dtype: 'float64', generator: new tg.Generator(5) });
  const backward = (p: tg.nn.Parameter[]) => { p[0].sub(target).pow(3).abs().sum().backward(); };
  return [make(), make(), backward];
}

type Stepper = { zeroGrad(): void; step(): void };

/**
 * `steps` steps of the Keras-configured optimizer and of the PyTorch-style one (its scheduler stepped after
 * each), each on its own twin parameters: after every step the two sets must agree.
 */
function lockstep(
  steps: number, [keras, a]: [Stepper, tg.nn.Parameter[]], [torch, b]: [Stepper, tg.nn.Parameter[]],
  sched: { step(): void }, backward: (p: tg.nn.Parameter[]) => void,
): void {
  for (let step = 0; step < steps; step++) {
    for (const [opt, p] of [[keras, a], [torch, b]] as const) {
      opt.zeroGrad();
      backward(p);
      opt.step();
    }
    sched.step();
    expect(a[0].sub(b[0]).abs().max().item()).toBeLessThan(1e-12);
  }
}

describe('learning-rate schedules in an optimizer config', () => {
  it("cosineDecay is Adam under CosineAnnealingLR stepped once per batch, then holds alpha · the initial rate", () => {
    const [a, b, backward] = twins();
    const keras = resolveOptimizer({ name: 'adam', epsilon: 1e-8, learningRate: { name: 'cosineDecay', initialLearningRate: 0.05, decaySteps: 8, alpha: 0.1 } }, a).optimizer;
    const torch = new tg.optim.Adam(b, { lr: 0.05 });
    const sched = new tg.optim.CosineAnnealingLR(torch, 8, 0.005);
    lockstep(8, [keras, a], [torch, b], sched, backward);
    const inner = (keras as unknown as { optimizer: tg.optim.Adam }).optimizer;
    for (let step = 8; step < 11; step++) {
      keras.zeroGrad();
      backward(a);
      keras.step();
      expect(inner.paramGroups[0].lr).toBeCloseTo(0.005, 15); // CosineAnnealingLR would climb back; Keras stays
    }
  });

  it('exponentialDecay with decaySteps 1 is ExponentialLR; staircase holds the rate for decaySteps steps', () => {
    const [a, b, backward] = twins();
    const keras = resolveOptimizer({ name: 'sgd', momentum: 0.9, learningRate: { name: 'exponentialDecay', initialLearningRate: 0.01, decaySteps: 1, decayRate: 0.8 } }, a).optimizer;
    const torch = new tg.optim.SGD(b, { lr: 0.01, momentum: 0.9 });
    const sched = new tg.optim.ExponentialLR(torch, 0.8);
    lockstep(6, [keras, a], [torch, b], sched, backward);
    const [c] = twins();
    const stair = resolveOptimizer({ name: 'sgd', learningRate: { name: 'exponentialDecay', initialLearningRate: 0.01, decaySteps: 3, decayRate: 0.5, staircase: true } }, c).optimizer;
    const lrs: number[] = [];
    for (let step = 0; step < 7; step++) {
      stair.zeroGrad();
      backward(c);
      stair.step();
      lrs.push((stair as unknown as { optimizer: tg.optim.SGD }).optimizer.paramGroups[0].lr);
    }
    expect(lrs).toEqual([0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025]);
  });

  it('is saved with the model and restored with it, defaults filled in', async () => {
    const model = tg.sequential([tg.layers.dense({ units: 1, inputShape: [2] })]);
    const schedule = { name: 'cosineDecay' as const, initialLearningRate: 0.01, decaySteps: 100 };
    model.compile({ optimizer: { name: 'adam', learningRate: schedule }, loss: 'meanSquaredError' });
    await model.fit(tg.randn([8, 2]), tg.randn([8, 1]), { epochs: 1, batchSize: 4, verbose: 0 });
    const { config } = model.toBytes();
    const saved = JSON.parse(config).compile.optimizer;
    expect(saved.learningRate).toEqual({ ...schedule, alpha: 0 });
    const back = tg.fromBytes(model.toBytes());
    expect(JSON.parse(back.toBytes().config).compile.optimizer).toEqual(saved);
  });

  it('refuses unknown schedules, unknown and missing options and bad values, naming them', () => {
    const params = [new tg.nn.Parameter(tg.zeros([2]).value)];
    const bad = (learningRate: unknown) => () => resolveOptimizer({ name: 'adam', learningRate } as never, params);
    expect(bad({ name: 'cosine', initialLearningRate: 0.1, decaySteps: 5 })).toThrow(/unknown learning-rate schedule "cosine" \(known: cosineDecay, exponentialDecay\)/);
    expect(bad({ name: 'cosineDecay', initialLearningRate: 0.1 })).toThrow('compile: optimizer adam: learning-rate schedule cosineDecay needs decaySteps');
    expect(bad({ name: 'cosineDecay', initialLearningRate: 0.1, decaySteps: 0 })).toThrow('option decaySteps must be a positive integer, got 0');
    expect(bad({ name: 'exponentialDecay', initialLearningRate: 0.1, decaySteps: 5, decayRate: 0.5, warmup: 3 })).toThrow(/has no option "warmup" \(options: initialLearningRate, decaySteps, decayRate, staircase\)/);
    expect(bad([0.1])).toThrow(/learningRate must be a number ≥ 0 or a schedule/);
  });
});
