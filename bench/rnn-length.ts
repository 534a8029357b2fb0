// Does a recurrent layer's training step cost linear time in the sequence length? One LSTM forward + backward
// (hidden 32, input 32, batch 8) at lengths 25 to 200, timed interleaved so machine load falls on all alike, as
// milliseconds per time step; the last column divides each by the shortest length's (about 1 when linear, about
// L/25 when quadratic). Before the halving in src/nn/rnn.ts (timeSteps) each step's slice put its gradient into
// zeros of the whole sequence. Run: npx tsx bench/rnn-length.ts

import * as tg from 'tapegrad';
import { formatTable, timeInterleaved } from './common.js';

const LENGTHS = [25, 50, 100, 200];

function lstmStep(len: number): () => void {
  const lstm = new tg.nn.LSTM(32, 32, { batchFirst: true });
  const x = tg.randn([8, len, 32]);
  return () => {
    const [out] = lstm.call(x);
    out.sum().backward();
  };
}

const timings = timeInterleaved(Object.fromEntries(LENGTHS.map((l) => [`L${l}`, lstmStep(l)])) as Record<string, () => void>, { warmup: 1, minReps: 3, minMs: 0 });
const perStep = LENGTHS.map((l) => timings[`L${l}`].median / l);
console.log('LSTM (hidden 32, input 32, batch 8): forward + backward, median of interleaved runs');
console.log(formatTable(['sequence length', 'ms', 'ms per time step', 'per-step cost ÷ at L=25'],
  LENGTHS.map((l, i) => [String(l), timings[`L${l}`].median.toFixed(1), perStep[i].toFixed(3), `${(perStep[i] / perStep[0]).toFixed(2)}×`])));
