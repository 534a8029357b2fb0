// Two moons, as the browser tests train them (on the page and in the worker): an MLP that reaches
// ≥ 95% test accuracy. `onEpoch` is called after each epoch.
import * as tg from 'tapegrad';

export async function trainMoons(onEpoch = () => {}) {
  const { x, y } = tg.data.makeMoons(400, { noise: 0.1, seed: 0 });
  const { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 0.3, stratify: y, seed: 0 });
  const model = tg.sequential([
    tg.layers.dense({ units: 16, activation: 'relu', inputShape: [2], generator: new tg.Generator(1) }),
    tg.layers.dense({ units: 16, activation: 'relu', generator: new tg.Generator(2) }),
    tg.layers.dense({ units: 1, activation: 'sigmoid', generator: new tg.Generator(3) }),
  ]);
  model.compile({ optimizer: { name: 'adam', learningRate: 0.02 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const epochs = 40;
  for (let e = 0; e < epochs; e++) {
    await model.fit(xTrain, yTrain, { epochs: 1, batchSize: 32, seed: e, verbose: 0 });
    onEpoch(e + 1, epochs);
  }
  return { model, xTest, accuracy: model.evaluate(xTest, yTest).accuracy };
}
