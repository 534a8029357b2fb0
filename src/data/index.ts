// tg.data: getting data ready for training. Splitting, shuffling, mini-batches, one-hot labels,
// feature scaling fitted on the training rows, and seeded toy data sets (moons, circles, spirals, blobs).

export type { DataInput, NumericArray, RandomSource } from './arrays.js';
export { trainTestSplit, shuffle, type TrainTestSplit, type TrainTestSplitOptions } from './split.js';
export { DataLoader, type Batch, type DataLoaderOptions } from './loader.js';
export { oneHot, StandardScaler, MinMaxScaler, standardize, minMaxScale } from './preprocess.js';
export { makeMoons, makeCircles, makeSpirals, makeBlobs, type Dataset, type DatasetOptions } from './datasets.js';
export { kFold, type Fold, type KFoldOptions } from './kfold.js';
export * as corruptions from './corruptions.js';
export type { DataFormat, FillMode, ImageOptions, Interpolation } from './image.js';
export * as transforms from './transforms.js';
