// The sequence benchmark's workloads (bench/sequence.ts) against PyTorch from the same initial weights and data
// (test/fixtures/seq/bench-sgd-losses.json, written by scripts/fixtures/seq_bench.py): the first SGD step's loss
// in the default suite; all 100 steps with TAPEGRAD_SLOW_TESTS=1 (minutes on this machine).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Suite, tapegradStepper } from '../bench/sequence.js';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'seq', 'bench-sgd-losses.json'), 'utf8')) as Record<Suite, Record<string, number>>;
const slow = process.env.TAPEGRAD_SLOW_TESTS === '1';

describe('bench/sequence.ts workloads agree with PyTorch', () => {
  it.each(['lstm', 'transformer'] as const)('%s: the loss of the first SGD step', (suite) => {
    const loss = tapegradStepper(suite)();
    expect(Math.abs(loss - fixture[suite]['1']) / fixture[suite]['1']).toBeLessThan(1e-5);
  }, 120_000);

  // defined only when asked for, so the default suite neither runs nor skips it
  if (slow) {
    it.each(['lstm', 'transformer'] as const)('%s: the loss after 100 SGD steps (TAPEGRAD_SLOW_TESTS=1)', async (suite) => {
      const step = tapegradStepper(suite);
      let loss = NaN;
      for (let i = 0; i < 100; i++) {
        loss = step();
        await new Promise((resolve) => setImmediate(resolve)); // let vitest's worker answer its RPC between steps
      }
      expect(Math.abs(loss - fixture[suite]['100']) / fixture[suite]['100']).toBeLessThan(1e-3);
    }, 3_600_000);
  }
});
