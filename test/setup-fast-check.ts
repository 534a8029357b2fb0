// Vitest setup: the seed of the fast-check properties. Locally each run draws new cases (fast-check's
// default), so the properties keep exploring; under CI (CI=true) the seed is fixed, so a run gives the same
// verdict when repeated. FC_SEED=<n> fixes it anywhere: the failure report prints the seed that reproduces it.

import fc from 'fast-check';

const fixed = process.env.FC_SEED ?? (process.env.CI ? '20261205' : undefined);
if (fixed !== undefined) {
  const seed = Number(fixed);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(fixed)}`);
  fc.configureGlobal({ seed });
}
