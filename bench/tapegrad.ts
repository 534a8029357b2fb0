// tapegrad's side of the benchmarks: a stub until the tensor/autograd API lands.
// To fill in: mirror bench/tfjs.ts (same suites, keys and inputs from common.ts) and emit() a LibResult.

import { emit, newResult, parseCli } from './common.js';

// Protocol (see common.ts): accept --json --quick --suites a,b,c; time with timeit(); put metrics in
// res.results under the keys tfjs.ts uses ('matmul/256', 'add/1M', 'mlp/step', ...); build the MLP
// from mlpInit() (weights are [in, out]; transposeWeight() gives PyTorch's [out, in]) and call
// runMlpSuite() so step times, the loss trace and memory are measured the same way as for the others.
const args = parseCli();
const res = newResult('tapegrad');
res.note = 'not yet implemented';
emit(res, args.json);
