// tg.metrics: scores computed from predictions (plain numbers in, plain numbers out), with scikit-learn's
// names and semantics: classification scores, the report, threshold curves, calibration.

export type { MetricInput } from './labels.js';
export {
  accuracyScore, classificationReport, confusionMatrix, f1Score, fbetaScore, precisionRecallFscoreSupport, precisionScore,
  recallScore, topKAccuracy, type Average, type ClassScores, type ConfusionMatrixOptions, type ReportOptions, type ScoreOptions,
} from './classification.js';
export {
  auc, averagePrecisionScore, precisionRecallCurve, rocAucScore, rocCurve, type CurveOptions, type PrecisionRecallCurve,
  type RocAucOptions, type RocCurve,
} from './curves.js';
export { calibrationCurve, expectedCalibrationError, reliability, type Reliability } from './calibration.js';
