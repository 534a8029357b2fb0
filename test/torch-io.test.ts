// PyTorch in and out, from fixtures made once by scripts/fixtures/torch_io.py (tests never run Python):
// weights PyTorch saved load into the same tg.nn architecture and give PyTorch's outputs; the files
// tapegrad writes loaded into PyTorch with strict names and shapes and gave tapegrad's outputs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tg from 'tapegrad';
import { describe, expect, it } from 'vitest';
import { tapegradFixture, TORCH_MODELS } from '../scripts/fixtures/torch-models.js';

const dir = fileURLToPath(new URL('./fixtures/torch/', import.meta.url));
const json = (p: string) => JSON.parse(readFileSync(join(dir, p), 'utf8'));
const asTensor = (e: { shape: number[]; data: number[] }) => tg.tensor(e.data, { shape: e.shape });

/** The largest elementwise |a − b| / max(|b|, 1e-3). */
function maxRel(a: tg.Tensor, b: tg.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]) / Math.max(Math.abs(y[i]), 1e-3));
  return m;
}

describe.each(Object.keys(TORCH_MODELS))('%s', (name) => {
  it('weights PyTorch saved (safetensors) load into the tg.nn architecture and give PyTorch\'s outputs', async () => {
    const model = TORCH_MODELS[name].build().eval();
    model.loadStateDict(await tg.load(join(dir, `${name}.safetensors`)), { strict: true });
    const { input, output } = json(`${name}.json`);
    expect(maxRel(tg.noGrad(() => model.call(asTensor(input))), asTensor(output))).toBeLessThan(1e-5);
  });

  it('the file tapegrad writes is the one PyTorch loaded (strict names and shapes) and ran to tapegrad\'s outputs', () => {
    const fx = tapegradFixture(name);
    // today's writer gives the committed bytes, so the PyTorch run below still speaks for it
    expect(Buffer.from(fx.bytes).equals(readFileSync(join(dir, 'from-tapegrad', `${name}.safetensors`)))).toBe(true);
    const evidence = json(`from-tapegrad/${name}.torch.json`);
    expect(evidence.loadStateDict).toBe('strict');
    expect(evidence.names).toEqual(Object.fromEntries([...fx.model.stateDict()].map(([k, t]) => [k, t.shape])));
    expect(maxRel(asTensor(evidence.output), fx.output)).toBeLessThan(1e-5);
  });
});
