// tg.robust: adversarial examples (fgsm, pgd), robust accuracy and robustness curves, and adversarial
// training as a fit() callback. Threat model and figures: docs/guide-robustness.md.

export { fgsm, pgd, type FgsmOptions, type PgdOptions } from './attacks.js';
export { accuracyOn, robustAccuracy, robustnessCurve, type AttackSpec, type RobustnessCurve } from './evaluate.js';
export { adversarialTraining, type AdversarialTrainingOptions } from './training.js';
export type { AttackLoss } from './target.js';
export { corruptionAccuracy, type CorruptionEvalOptions, type CorruptionResult } from './corruption.js';
