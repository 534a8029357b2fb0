// tg.layers.textVectorization (Keras' TextVectorization): adapt, standardize and split, the four output modes,
// outputSequenceLength, maxTokens, saving the vocabulary (toJSON / fromJSON), errors, and feeding an embedding.

import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';

const TEXTS = ['The cat sat.', 'The dog sat down!', 'A cat, a dog; a bird?'];

describe('tg.layers.textVectorization', () => {
  it('adapt learns the vocabulary by frequency (ties in first-seen order) behind "" and "[UNK]"', () => {
    const v = tg.layers.textVectorization();
    v.adapt(TEXTS);
    // counts: a 3, the 2, cat 2, sat 2, dog 2, down 1, bird 1
    expect(v.getVocabulary()).toEqual(['', '[UNK]', 'a', 'the', 'cat', 'sat', 'dog', 'down', 'bird']);
    const ids = v.call(['the CAT flew', 'a']);
    expect(ids.dtype).toBe('int32');
    expect(ids.toArray()).toEqual([[3, 4, 1], [2, 0, 0]]);
  });

  it('outputSequenceLength pads with 0 or cuts; maxTokens counts the special tokens', () => {
    const v = tg.layers.textVectorization({ maxTokens: 4, outputSequenceLength: 3 }).adapt(TEXTS);
    expect(v.getVocabulary()).toEqual(['', '[UNK]', 'a', 'the']);
    expect(v.call(['a the cat a the', 'the']).toArray()).toEqual([[2, 3, 1], [3, 0, 0]]);
  });

  it('standardize and split: lower only, characters, none', () => {
    expect(tg.layers.textVectorization({ standardize: 'lower' }).tokenize('Hi, there!')).toEqual(['hi,', 'there!']);
    expect(tg.layers.textVectorization({ standardize: 'strip_punctuation' }).tokenize('Hi, there!')).toEqual(['Hi', 'there']);
    expect(tg.layers.textVectorization({ split: 'character' }).tokenize('Ab c')).toEqual(['a', 'b', ' ', 'c']);
    expect(tg.layers.textVectorization({ standardize: null, split: null }).tokenize('As Is.')).toEqual(['As Is.']);
  });

  it('multi_hot, count and tf_idf rows over ["[UNK]", ...vocabulary]', () => {
    const mh = tg.layers.textVectorization({ outputMode: 'multi_hot', maxTokens: 4 }).adapt(TEXTS);
    expect(mh.getVocabulary()).toEqual(['[UNK]', 'a', 'the', 'cat']);
    expect(mh.call(['a a zebra the']).toArray()).toEqual([[1, 1, 1, 0]]);
    const count = tg.layers.textVectorization({ outputMode: 'count', maxTokens: 4 }).adapt(TEXTS);
    expect(count.call(['a a zebra the']).toArray()).toEqual([[1, 2, 1, 0]]);
    const padded = tg.layers.textVectorization({ outputMode: 'count', maxTokens: 20, padToMaxTokens: true }).adapt(TEXTS);
    expect(padded.call(['a']).shape).toEqual([1, 20]);
    const tfidf = tg.layers.textVectorization({ outputMode: 'tf_idf', maxTokens: 4 }).adapt(TEXTS);
    // idf = log(1 + documents / (1 + documents holding the token)); '[UNK]' gets the mean of the others
    const idf = (df: number) => Math.log(1 + 3 / (1 + df));
    const [a, the, cat] = [idf(1), idf(2), idf(2)];
    const row = (tfidf.call(['a a zebra the']).toArray() as number[][])[0];
    const want = [(a + the + cat) / 3, 2 * a, the, 0];
    row.forEach((x, j) => expect(x).toBeCloseTo(want[j], 6));
  });

  it('toJSON / fromJSON keep the config, vocabulary and idf weights', () => {
    for (const outputMode of ['int', 'tf_idf'] as const) {
      const v = tg.layers.textVectorization({ outputMode, maxTokens: 6, name: 'vec' }).adapt(TEXTS);
      const back = tg.layers.TextVectorization.fromJSON(v.toJSON());
      expect(back.getVocabulary()).toEqual(v.getVocabulary());
      expect(back.config.name).toBe('vec');
      expect(back.call(['a dog and the cat']).toArray()).toEqual(v.call(['a dog and the cat']).toArray());
    }
    const fixed = tg.layers.textVectorization({ vocabulary: ['x', 'y'], outputSequenceLength: 2 });
    expect(fixed.call(['y z']).toArray()).toEqual([[3, 1]]);
  });

  it('errors name the layer and the field', () => {
    expect(() => tg.layers.textVectorization({ outputMode: 'one_hot' as never })).toThrow(/textVectorization: outputMode must be one of 'int', 'multi_hot', 'count', 'tf_idf', got "one_hot"/);
    expect(() => tg.layers.textVectorization({ maxTokenz: 3 } as never)).toThrow(/textVectorization has an unknown field "maxTokenz" \(did you mean "maxTokens"\?\)/);
    expect(() => tg.layers.textVectorization({ outputMode: 'count', outputSequenceLength: 5 })).toThrow(/outputSequenceLength is for outputMode 'int', not 'count'/);
    expect(() => tg.layers.textVectorization({ vocabulary: ['a', 'a'] })).toThrow(/textVectorization: vocabulary has a repeated token/);
    expect(() => tg.layers.textVectorization({ outputMode: 'tf_idf', vocabulary: ['a', 'b'], idfWeights: [1] })).toThrow(/needs one idf weight per vocabulary token \(2\), got 1/);
    expect(() => tg.layers.textVectorization().call(['a'])).toThrow(/textVectorization: no vocabulary yet; call adapt/);
    expect(() => tg.layers.TextVectorization.fromJSON('{"className":"Dense","config":{}}')).toThrow(/expected \{ className: 'TextVectorization', config \}, got "Dense"/);
    expect(() => tg.layers.TextVectorization.fromJSON('{"className":"TextVectorization","config":{"maxTokens":-1}}')).toThrow(/textVectorization: maxTokens must be a positive integer, got -1/);
  });

  it('its int ids feed embedding({ maskZero }) and a recurrent layer', () => {
    const v = tg.layers.textVectorization({ outputSequenceLength: 6 }).adapt(TEXTS);
    tg.manualSeed(1);
    const model = tg.sequential([
      tg.layers.embedding({ inputDim: v.vocabularySize(), outputDim: 4, maskZero: true, inputShape: [6] }),
      tg.layers.gru({ units: 3 }),
    ]);
    const padded = model.predict(v.call(['the cat sat'])).toArray() as number[][];
    const short = tg.layers.textVectorization({ outputSequenceLength: 3, vocabulary: v.getVocabulary() });
    expect(short.getVocabulary()).toEqual(v.getVocabulary());
    const gru = model.layers[1] as tg.layers.GRU;
    const emb = model.layers[0] as tg.layers.Embedding;
    const alone = gru.call(emb.call(short.call(['the cat sat']))).toArray() as number[][];
    padded[0].forEach((x, j) => expect(x).toBeCloseTo(alone[0][j], 6));
  });
});
