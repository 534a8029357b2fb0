// The speed ceiling: one MLP training step hand-written over Float32Arrays, with no tape and no tensors.
// Same math as PyTorch (mean softmax cross-entropy, Adam with bias correction); run directly for its benchmark.

import { pathToFileURL } from 'node:url';
import { MLP, benchConfig, emit, mlpData, mlpInit, newResult, parseCli, runMlpSuite, type MLPInit } from './common.js';

// Rows of the k dimension per block: a KC × N panel of B stays hot in cache while every group of
// rows of A streams past it.
const KC = 128;

/**
 * C[M,N] += A[M,K] · B[K,N]. B and C are row-major; A is read through strides (element (i,k) at
 * A[i*rs + k*cs]), so passing a row-major matrix with rs = 1, cs = rows reads its transpose without
 * copying it. i-k-j order with a 4×4 register block: four rows of C each take four rows of B per
 * pass, so one load/store of C covers four multiply-adds.
 */
function gemmAcc(
  A: Float32Array, rs: number, cs: number, B: Float32Array, C: Float32Array,
  M: number, K: number, N: number,
): void {
  for (let k0 = 0; k0 < K; k0 += KC) {
    const k1 = Math.min(K, k0 + KC);
    const k4 = k0 + ((k1 - k0) & ~3);
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      const c0 = i * N, c1 = c0 + N, c2 = c1 + N, c3 = c2 + N;
      const r0 = i * rs, r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
      for (let k = k0; k < k4; k += 4) {
        const q0 = k * cs, q1 = q0 + cs, q2 = q1 + cs, q3 = q2 + cs;
        const a00 = A[r0 + q0], a01 = A[r0 + q1], a02 = A[r0 + q2], a03 = A[r0 + q3];
        const a10 = A[r1 + q0], a11 = A[r1 + q1], a12 = A[r1 + q2], a13 = A[r1 + q3];
        const a20 = A[r2 + q0], a21 = A[r2 + q1], a22 = A[r2 + q2], a23 = A[r2 + q3];
        const a30 = A[r3 + q0], a31 = A[r3 + q1], a32 = A[r3 + q2], a33 = A[r3 + q3];
        const w0 = k * N, w1 = w0 + N, w2 = w1 + N, w3 = w2 + N;
        for (let j = 0; j < N; j++) {
          const b0 = B[w0 + j], b1 = B[w1 + j], b2 = B[w2 + j], b3 = B[w3 + j];
          C[c0 + j] += a00 * b0 + a01 * b1 + a02 * b2 + a03 * b3;
          C[c1 + j] += a10 * b0 + a11 * b1 + a12 * b2 + a13 * b3;
          C[c2 + j] += a20 * b0 + a21 * b1 + a22 * b2 + a23 * b3;
          C[c3 + j] += a30 * b0 + a31 * b1 + a32 * b2 + a33 * b3;
        }
      }
      for (let k = k4; k < k1; k++) {
        const q = k * cs, w = k * N;
        const a0 = A[r0 + q], a1 = A[r1 + q], a2 = A[r2 + q], a3 = A[r3 + q];
        for (let j = 0; j < N; j++) {
          const b = B[w + j];
          C[c0 + j] += a0 * b;
          C[c1 + j] += a1 * b;
          C[c2 + j] += a2 * b;
          C[c3 + j] += a3 * b;
        }
      }
    }
    for (; i < M; i++) {
      const c0 = i * N, r0 = i * rs;
      for (let k = k0; k < k1; k++) {
        const a = A[r0 + k * cs], w = k * N;
        for (let j = 0; j < N; j++) C[c0 + j] += a * B[w + j];
      }
    }
  }
}

/** Y[M,N] = X[M,K] · W[K,N] + bias, then ReLU if asked. */
function linearForward(
  X: Float32Array, W: Float32Array, bias: Float32Array, Y: Float32Array,
  M: number, K: number, N: number, relu: boolean,
): void {
  for (let i = 0; i < M; i++) Y.set(bias, i * N);
  gemmAcc(X, K, 1, W, Y, M, K, N);
  if (relu) for (let p = 0; p < M * N; p++) if (!(Y[p] > 0)) Y[p] = 0;
}

/** GW[K,N] = Xᵀ · G and gb[N] = Σ_rows G, for X [M,K] and G [M,N]; Xᵀ is read through strides. */
function weightGrad(
  X: Float32Array, G: Float32Array, GW: Float32Array, gb: Float32Array,
  M: number, K: number, N: number,
): void {
  gb.fill(0);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) gb[j] += G[i * N + j];
  GW.fill(0);
  gemmAcc(X, 1, K, G, GW, K, M, N);
}

/**
 * DX[M,K] = (G[M,N] · Wᵀ) ⊙ [H > 0], with W stored [K,N]: every output is a dot product of a G row
 * and a W row, both contiguous, so Wᵀ is never built. H is the ReLU output that fed this layer.
 */
function inputGradRelu(
  G: Float32Array, W: Float32Array, H: Float32Array, DX: Float32Array,
  M: number, K: number, N: number,
): void {
  for (let i = 0; i < M; i++) {
    const g = i * N, d = i * K;
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const w0 = k * N, w1 = w0 + N, w2 = w1 + N, w3 = w2 + N;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < N; j++) {
        const gj = G[g + j];
        s0 += gj * W[w0 + j];
        s1 += gj * W[w1 + j];
        s2 += gj * W[w2 + j];
        s3 += gj * W[w3 + j];
      }
      DX[d + k] = H[d + k] > 0 ? s0 : 0;
      DX[d + k + 1] = H[d + k + 1] > 0 ? s1 : 0;
      DX[d + k + 2] = H[d + k + 2] > 0 ? s2 : 0;
      DX[d + k + 3] = H[d + k + 3] > 0 ? s3 : 0;
    }
    for (; k < K; k++) {
      const w0 = k * N;
      let s0 = 0;
      for (let j = 0; j < N; j++) s0 += G[g + j] * W[w0 + j];
      DX[d + k] = H[d + k] > 0 ? s0 : 0;
    }
  }
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

function main(): void {
  const args = parseCli();
  const cfg = benchConfig(args.quick, args.mlpSteps);
  const res = newResult('ceiling');
  res.note = 'hand-written Float32Array MLP step (mlp suite only)';
  const init = mlpInit();
  const data = mlpData();
  if (args.suites.has('mlp')) runMlpSuite(cfg, () => createCeilingMLP(init), data, res);
  emit(res, args.json);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
