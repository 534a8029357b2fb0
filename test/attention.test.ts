// Sequence layers: LayerNorm, Embedding, MultiheadAttention, the transformer layers and the positional
// encoding: shapes, PyTorch's parameter names, masks (padding, causal) and the errors bad input gets.

import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';

const nn = tg.nn;

describe('LayerNorm', () => {
  it('normalises each row to mean 0 and variance 1, then applies weight and bias', () => {
    const norm = new nn.LayerNorm(4, { dtype: 'float64' });
    expect(norm.namedParameters().map(([k, p]) => [k, p.shape])).toEqual([['weight', [4]], ['bias', [4]]]);
    norm.weight!.value.data.set([1, 2, 3, 4]);
    norm.bias!.value.data.fill(0.5);
    const x = tg.randn([3, 4], { dtype: 'float64' });
    const y = norm.call(x).sub(0.5).div(tg.tensor([1, 2, 3, 4], { dtype: 'float64' }));
    for (const m of y.mean(-1).toArray() as number[]) expect(m).toBeCloseTo(0, 12);
    for (const v of y.var(-1, false, 0).toArray() as number[]) expect(v).toBeCloseTo(1, 4);
  });
  it('without elementwiseAffine has no parameters; errors name the layer and shapes', () => {
    expect(new nn.LayerNorm([2, 3], { elementwiseAffine: false }).parameters()).toHaveLength(0);
    expect(() => new nn.LayerNorm(4).call(tg.zeros([2, 3]))).toThrow(/^LayerNorm\(\[4\]\): input shape \[2,3\] does not end with \[4\]/);
    expect(() => new nn.LayerNorm(0)).toThrow(/LayerNorm: normalizedShape must be a positive integer, got 0/);
  });
});

describe('Embedding', () => {
  it('looks rows up; the padding row starts at zero and gets no gradient', () => {
    const emb = new nn.Embedding(6, 3, { paddingIdx: 0 });
    expect([...emb.weight.value.data.subarray(0, 3)]).toEqual([0, 0, 0]);
    const out = emb.call([[1, 0, 2], [0, 2, 2]]);
    expect(out.shape).toEqual([2, 3, 3]);
    expect(out.toArray()[0][0]).toEqual([...emb.weight.value.data.subarray(3, 6)].map((v) => Math.fround(v)));
    out.mul(tg.randn(out.shape)).sum().backward();
    const g = emb.weight.grad!.toArray() as number[][];
    expect(g[0]).toEqual([0, 0, 0]);
    expect(g[2].some((v) => v !== 0)).toBe(true);
    expect(g[3]).toEqual([0, 0, 0]);
  });
  it('a negative paddingIdx counts from the end, as in PyTorch', () => {
    expect(new nn.Embedding(5, 2, { paddingIdx: -1 }).paddingIdx).toBe(4);
  });
  it('rejects indices out of range or not integers, naming the layer', () => {
    const emb = new nn.Embedding(4, 2);
    expect(() => emb.call([1, 4])).toThrow(/^Embedding\(4, 2\): index 4 at position 1 of indices \[2\] is out of range; expected an integer in \[0, 4\)/);
    expect(() => emb.call(tg.tensor([[0.5]]))).toThrow(/^Embedding\(4, 2\): index 0.5 at position 0 of indices \[1,1\] is not an integer/);
    expect(() => new nn.Embedding(4, 2, { paddingIdx: 4 })).toThrow(/^Embedding: paddingIdx must be an integer in \[-4, 4\), got 4/);
  });
});

describe('MultiheadAttention', () => {
  it("has PyTorch's parameter names and shapes", () => {
    const mha = new nn.MultiheadAttention(8, 2);
    expect(mha.namedParameters().map(([k, p]) => [k, p.shape])).toEqual([
      ['in_proj_weight', [24, 8]], ['in_proj_bias', [24]], ['out_proj.weight', [8, 8]], ['out_proj.bias', [8]],
    ]);
    const kv = new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5 });
    expect(kv.namedParameters().map(([k]) => k)).toEqual(['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
  });
  it('returns [output, weights] in both layouts; batchFirst and seq-first agree', () => {
    tg.manualSeed(3);
    const a = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    const b = new nn.MultiheadAttention(8, 2);
    b.loadStateDict(a.stateDict());
    const x = tg.randn([3, 5, 8]);
    const [oa, wa] = a.call(x, x, x);
    const [ob, wb] = b.call(x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1));
    expect(oa.shape).toEqual([3, 5, 8]);
    expect(wa!.shape).toEqual([3, 5, 5]);
    expect(ob.transpose(0, 1).toArray()).toEqual(oa.toArray());
    expect(wb!.toArray()).toEqual(wa!.toArray());
    const [, perHead] = a.call(x, x, x, { averageAttnWeights: false });
    expect(perHead!.shape).toEqual([3, 2, 5, 5]);
    expect(a.call(x, x, x, { needWeights: false })[1]).toBeNull();
    const [unb, wu] = a.call(x.slice(0, 0, 1).squeeze(0), x.slice(0, 0, 1).squeeze(0), x.slice(0, 0, 1).squeeze(0));
    expect(unb.shape).toEqual([5, 8]);
    expect(wu!.shape).toEqual([5, 5]);
  });
  it('padded keys get exactly zero weight, and changing them changes nothing', () => {
    const mha = new nn.MultiheadAttention(8, 4, { batchFirst: true });
    const x = tg.randn([2, 4, 8]);
    const keyPaddingMask = [[false, false, true, true], [false, false, false, true]];
    const [out, w] = mha.call(x, x, x, { keyPaddingMask, averageAttnWeights: false });
    const weights = w!.toArray() as number[][][][];
    for (const head of weights[0]) for (const row of head) expect([row[2], row[3]]).toEqual([0, 0]);
    for (const head of weights[1]) for (const row of head) expect(row[3]).toBe(0);
    // change the padded key/value rows: the unpadded queries' outputs are untouched
    const y = x.clone();
    y.value.data.fill(7, 3 * 8, 4 * 8); // batch 0, position 3
    const [out2] = mha.call(x, y, y, { keyPaddingMask });
    expect(out2.slice(0, 0, 1).toArray()).toEqual(out.slice(0, 0, 1).toArray());
  });
  it('a boolean attnMask hides pairs (true = not allowed) and a float one is added', () => {
    const mha = new nn.MultiheadAttention(4, 1);
    const x = tg.randn([3, 1, 4]);
    const [, wb] = mha.call(x, x, x, { attnMask: [[false, true, true], [false, false, true], [false, false, false]] });
    const [, wc] = mha.call(x, x, x, { isCausal: true });
    const [, wf] = mha.call(x, x, x, { attnMask: tg.tensor([[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]) });
    expect(wb!.toArray()).toEqual(wc!.toArray());
    expect(wf!.toArray()).toEqual(wc!.toArray());
    expect((wc!.toArray() as number[][][])[0][0]).toEqual([1, 0, 0]);
  });
  it('bad input gets errors that name the layer and the shapes', () => {
    expect(() => new nn.MultiheadAttention(10, 3)).toThrow(/^MultiheadAttention: embedDim 10 is not divisible by numHeads 3/);
    const mha = new nn.MultiheadAttention(4, 2, { batchFirst: true });
    const x = tg.zeros([2, 3, 4]);
    expect(() => mha.call(x, x, x, { keyPaddingMask: [[false, false, false], [true, true, true]] }))
      .toThrow(/masks every key of batch row 1; PyTorch returns NaN for such a row/);
    expect(() => mha.call(x, tg.zeros([3, 2, 4]), tg.zeros([3, 2, 4])))
      .toThrow(/^MultiheadAttention\(embedDim=4, numHeads=2, batchFirst=true\): inputs must share the batch size .*layout \[batch, seq, feature\]; got query \[2,3,4\], key \[3,2,4\]/);
    expect(() => mha.call(tg.zeros([2, 0, 4]), x, x)).toThrow(/sequences of length 0 cannot be attended; got query \[2,0,4\]/);
    expect(() => mha.call(tg.zeros([2, 3, 5]), x, x)).toThrow(/expected feature sizes embedDim 4, kdim 4, vdim 4; got query \[2,3,5\]/);
    expect(() => mha.call(x, x, x, { keyPaddingMask: [[false, false]] })).toThrow(/keyPaddingMask must be \[batch, S\] = \[2,3\], got \[1,2\]/);
    expect(() => mha.call(x, x, x, { attnMask: [[false]] })).toThrow(/attnMask must be \[L, S\] = \[3,3\] or \[batch·numHeads, L, S\] = \[4,3,3\], got \[1,1\]/);
  });
});

describe('transformer layers', () => {
  it("TransformerEncoder stacks copies with PyTorch's names; post-norm and pre-norm both run", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, dropout: 0 });
    const enc = new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(8) });
    const names = enc.namedParameters().map(([k]) => k);
    expect(names.slice(0, 12)).toEqual([
      'layers.0.self_attn.in_proj_weight', 'layers.0.self_attn.in_proj_bias', 'layers.0.self_attn.out_proj.weight', 'layers.0.self_attn.out_proj.bias',
      'layers.0.linear1.weight', 'layers.0.linear1.bias', 'layers.0.linear2.weight', 'layers.0.linear2.bias',
      'layers.0.norm1.weight', 'layers.0.norm1.bias', 'layers.0.norm2.weight', 'layers.0.norm2.bias',
    ]);
    expect(names.slice(-2)).toEqual(['norm.weight', 'norm.bias']);
    // copies start equal but do not share storage
    const p0 = enc.layers[0].linear1.weight;
    const p1 = enc.layers[1].linear1.weight;
    expect(p1.toArray()).toEqual(p0.toArray());
    p0.value.data[0] += 1;
    expect(p1.value.data[0]).not.toBe(p0.value.data[0]);
    const x = tg.randn([2, 5, 8]);
    expect(enc.call(x, { srcKeyPaddingMask: [[false, false, false, false, true], [false, false, false, false, false]] }).shape).toEqual([2, 5, 8]);
    const pre = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, normFirst: true, activation: 'gelu' });
    expect(pre.call(tg.randn([5, 2, 8])).shape).toEqual([5, 2, 8]);
  });
  it('a causal block hides the future: changing a later token leaves earlier outputs bitwise unchanged', () => {
    const block = new nn.CausalTransformerBlock(8, 2, { dimFeedforward: 16 });
    const x = tg.randn([2, 6, 8]);
    const y = x.clone();
    for (let b = 0; b < 2; b++) y.value.data.fill(3, (b * 6 + 4) * 8, (b * 6 + 5) * 8); // token 4
    const ox = block.call(x).toArray() as number[][][];
    const oy = block.call(y).toArray() as number[][][];
    for (let b = 0; b < 2; b++) {
      expect(oy[b].slice(0, 4)).toEqual(ox[b].slice(0, 4));
      expect(oy[b][4]).not.toEqual(ox[b][4]);
    }
    // and the gradient of an early output does not reach later inputs
    const xi = tg.randn([1, 5, 8], { requiresGrad: true });
    block.call(xi).slice(1, 0, 2).sum().backward();
    const g = xi.grad!.toArray() as number[][][];
    expect(g[0].slice(2).flat().every((v) => v === 0)).toBe(true);
    expect(g[0][0].some((v) => v !== 0)).toBe(true);
  });
  it('the sinusoidal positional encoding matches its formula', () => {
    const pe = nn.sinusoidalPositionalEncoding(4, 6, { dtype: 'float64' }).toArray() as number[][];
    expect(pe[0]).toEqual([0, 1, 0, 1, 0, 1]);
    expect(pe[3][2]).toBeCloseTo(Math.sin(3 / 10000 ** (2 / 6)), 12);
    expect(pe[2][5]).toBeCloseTo(Math.cos(2 / 10000 ** (4 / 6)), 12);
    expect(() => nn.sinusoidalPositionalEncoding(0, 4)).toThrow(/sinusoidalPositionalEncoding: length must be a positive integer, got 0/);
  });
});

describe('tg.plot.attentionSvg', () => {
  it('draws one cell per weight, labelled, and names bad shapes', () => {
    const svg = tg.plot.attentionSvg(tg.tensor([[0.25, 0.75], [1, 0]]), { rowLabels: ['a', 'b'], title: 'w' });
    expect(svg.match(/<rect x=/g)).toHaveLength(4);
    expect(svg).toContain('0.75');
    expect(svg).toContain('fill-opacity="0.750"');
    expect(() => tg.plot.attentionSvg(tg.zeros([2]))).toThrow(/^attentionSvg: expected weights \[queries, keys\], got \[2\]/);
    expect(() => tg.plot.attentionSvg(tg.zeros([2, 2]), { rowLabels: ['a'] })).toThrow(/1 row labels and 1 column labels for weights \[2,2\]/);
  });
});
