// tg.baselines: traditional models to compare deep ones with (logistic regression is a one-layer
// tg.sequential with a softmax; the linear SVM is here).

export { LinearSVC, type LinearSVCOptions } from './linear-svm.js';
