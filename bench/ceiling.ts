// The speed ceiling: one MLP training step hand-written over Float32Arrays, with no tape and no tensors;
// its matrix products call tapegrad's GEMM kernel directly, so it isolates what the tape costs.
// Same math as PyTorch (mean softmax cross-entropy, Adam with bias correction); run directly for its benchmark.

import { gemm } from '../src/tensor/matmul.js';
import {
  MLP, benchConfig, mlpData, mlpInit, newResult, runAsScript, runMlpSuite, type CliArgs, type LibResult, type MLPInit,
} from './common.js';

/*
 * The three products of a dense layer go through tapegrad's own GEMM kernel (`gemm` in
 * src/tensor/matmul.ts), called directly on Float32Arrays: it is the fastest blocked, register-tiled
 * pure-JS kernel we have, so the ceiling's matmuls cost exactly what tapegrad's do, and the gap
 * between tapegrad's step and this one is what the tape, the tensors, the op dispatch and the unfused
 * elementwise ops cost. Everything around the products is fused by hand into one pass each, with
 * every buffer preallocated: bias and ReLU, the ReLU mask in backward, the bias gradient.
 */

/** Y[M,N] = X[M,K] · W[K,N] + bias, then ReLU if asked. */
function linearForward(
  X: Float32Array, W: Float32Array, bias: Float32Array, Y: Float32Array,
  M: number, K: number, N: number, relu: boolean,
): void {
  for (let i = 0; i < M; i++) Y.set(bias, i * N);
  gemm(M, N, K, X, 0, K, 1, W, 0, N, 1, Y, 0, N, true);
  if (relu) for (let p = 0; p < M * N; p++) if (!(Y[p] > 0)) Y[p] = 0;
}

/** GW[K,N] = Xᵀ · G and gb[N] = Σ_rows G, for X [M,K] and G [M,N]; Xᵀ is read through strides. */
function weightGrad(
  X: Float32Array, G: Float32Array, GW: Float32Array, gb: Float32Array,
  M: number, K: number, N: number,
): void {
  gb.fill(0);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) gb[j] += G[i * N + j];
  gemm(K, N, M, X, 0, 1, K, G, 0, N, 1, GW, 0, N, false);
}

/**
 * DX[M,K] = (G[M,N] · Wᵀ) ⊙ [H > 0], with W stored [K,N]: Wᵀ is read through strides, never built.
 * H is the ReLU output that fed this layer.
 */
function inputGradRelu(
  G: Float32Array, W: Float32Array, H: Float32Array, DX: Float32Array,
  M: number, K: number, N: number,
): void {
  gemm(M, K, N, G, 0, N, 1, W, 0, 1, N, DX, 0, K, false);
  for (let p = 0; p < M * K; p++) if (!(H[p] > 0)) DX[p] = 0;
}

/** Mean cross-entropy of softmax(logits) against labels; writes dLoss/dlogits = (p - onehot) / M. */
function softmaxCrossEntropy(
  logits: Float32Array, labels: Int32Array, dlogits: Float32Array, M: number, C: number,
): number {
  let total = 0;
  for (let i = 0; i < M; i++) {
    const o = i * C;
    let max = -Infinity;
    for (let j = 0; j < C; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    for (let j = 0; j < C; j++) {
      const e = Math.exp(logits[o + j] - max);
      dlogits[o + j] = e;
      sum += e;
    }
    const y = labels[i];
    total += Math.log(sum) + max - logits[o + y];
    const scale = 1 / (sum * M);
    for (let j = 0; j < C; j++) dlogits[o + j] *= scale;
    dlogits[o + y] -= 1 / M;
  }
  return total / M;
}

export interface CeilingMLP {
  /** One forward, backward and Adam update on a [batch, 784] input; returns the pre-update loss. */
  step(x: Float32Array, labels: Int32Array): number;
  /** The current parameters (live views, not copies). */
  params(): MLPInit;
}

export function createCeilingMLP(init: MLPInit, adam = MLP.adam): CeilingMLP {
  const [D0, D1, D2, D3] = MLP.sizes;
  const B = MLP.batch;
  const p = [init.w1, init.b1, init.w2, init.b2, init.w3, init.b3].map((a) => a.slice());
  const [w1, b1, w2, b2, w3, b3] = p;
  const g = p.map((a) => new Float32Array(a.length));
  const [gw1, gb1, gw2, gb2, gw3, gb3] = g;
  const m = p.map((a) => new Float32Array(a.length));
  const v = p.map((a) => new Float32Array(a.length));
  const h1 = new Float32Array(B * D1);
  const h2 = new Float32Array(B * D2);
  const logits = new Float32Array(B * D3);
  const dlogits = new Float32Array(B * D3);
  const dh2 = new Float32Array(B * D2);
  const dh1 = new Float32Array(B * D1);
  const { lr, beta1, beta2, eps } = adam;
  let t = 0;

  function adamUpdate(): void {
    t++;
    // PyTorch: p -= (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps), the same as the bias-corrected
    // m̂ / (sqrt(v̂) + eps) written out, with exact bias corrections. Arithmetic is in doubles, only
    // stored in float32; tfjs works in float32 and builds β^t by repeated float32 multiplication, so
    // after a few hundred steps its trajectory drifts measurably from this one.
    const stepSize = lr / (1 - beta1 ** t);
    const invSqrtBc2 = 1 / Math.sqrt(1 - beta2 ** t);
    for (let q = 0; q < p.length; q++) {
      const pq = p[q], gq = g[q], mq = m[q], vq = v[q];
      for (let i = 0; i < pq.length; i++) {
        const gi = gq[i];
        const mi = (mq[i] = beta1 * mq[i] + (1 - beta1) * gi);
        const vi = (vq[i] = beta2 * vq[i] + (1 - beta2) * gi * gi);
        pq[i] -= (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
      }
    }
  }

  return {
    step(x, labels) {
      if (x.length !== B * D0 || labels.length !== B) throw new RangeError(`ceiling MLP expects a batch of ${B}`);
      linearForward(x, w1, b1, h1, B, D0, D1, true);
      linearForward(h1, w2, b2, h2, B, D1, D2, true);
      linearForward(h2, w3, b3, logits, B, D2, D3, false);
      const loss = softmaxCrossEntropy(logits, labels, dlogits, B, D3);
      weightGrad(h2, dlogits, gw3, gb3, B, D2, D3);
      inputGradRelu(dlogits, w3, h2, dh2, B, D2, D3);
      weightGrad(h1, dh2, gw2, gb2, B, D1, D2);
      inputGradRelu(dh2, w2, h1, dh1, B, D1, D2);
      weightGrad(x, dh1, gw1, gb1, B, D0, D1);
      adamUpdate();
      return loss;
    },
    params: () => ({ w1, b1, w2, b2, w3, b3 }),
  };
}

async function main(args: CliArgs): Promise<LibResult> {
  const cfg = benchConfig(args.quick, args.mlpSteps);
  const res = newResult('ceiling');
  res.note = 'hand-written Float32Array MLP step (mlp suite only)';
  const init = mlpInit();
  const data = mlpData();
  if (args.suites.has('mlp')) runMlpSuite(cfg, () => createCeilingMLP(init), data, res);
  return res;
}

runAsScript(import.meta.url, () => 'ceiling', main);
