// Tests for the shared argument checks (checkInt, checkOptions, suggestKey) and the one loading-error
// class that everything thrown while loading derives from (issue 10, item 9).

import { describe, expect, test } from 'vitest';
import * as tg from '../../src/index.js';
import { checkInt, checkOptions, editDistance, suggestKey } from '../../src/tensor/validate.js';

describe('checkInt', () => {
  test('returns an integer in range', () => {
    expect(checkInt('op', 'n', 3, { min: 0, max: 3 })).toBe(3);
    expect(checkInt('op', 'n', -2)).toBe(-2);
  });
  test.each([0.5, NaN, Infinity, -Infinity, 2 ** 53])('refuses %s, naming the op, the argument and the value', (v) => {
    expect(() => checkInt('slice', 'start', v)).toThrow(new RangeError(`slice: start must be an integer, got ${v}`));
  });
  test('refuses values outside the range and non-numbers', () => {
    expect(() => checkInt('narrow', 'length', -1, { min: 0 })).toThrow('narrow: length must be a non-negative integer, got -1');
    expect(() => checkInt('narrow', 'start', 5, { min: 0, max: 4 })).toThrow('narrow: start must be an integer in [0, 4], got 5');
    expect(() => checkInt('op', 'n', '3')).toThrow(TypeError);
  });
});

describe('checkOptions', () => {
  const known = ['lr', 'momentum', 'weightDecay', 'nesterov'];
  test('passes known keys, undefined and null', () => {
    expect(() => checkOptions('SGD', { lr: 1, weightDecay: 0 }, known)).not.toThrow();
    expect(() => checkOptions('SGD', undefined, known)).not.toThrow();
  });
  test('an unknown key lists the known ones and suggests the likely one', () => {
    expect(() => checkOptions('SGD', { learningRate: 0.5 }, known)).toThrow(
      'SGD: unknown option "learningRate" (did you mean "lr"?); known options: lr, momentum, weightDecay, nesterov',
    );
    expect(() => checkOptions('SGD', { weight_decay: 0.1 }, known)).toThrow('(did you mean "weightDecay"?)');
    expect(() => checkOptions('SGD', { momentun: 0.1 }, known)).toThrow('(did you mean "momentum"?)');
    expect(() => checkOptions('SGD', { zzz: 0.1 }, known)).toThrow(/unknown option "zzz"; known/);
  });
  test('refuses a non-object', () => {
    expect(() => checkOptions('SGD', 0.1, known)).toThrow('SGD: options must be an object, got 0.1');
    expect(() => checkOptions('SGD', [1], known)).toThrow(TypeError);
  });
  test('suggestKey and editDistance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(suggestKey('batch_size', ['batchSize', 'shuffle'])).toBe('batchSize');
    expect(suggestKey('epsilon', ['eps', 'lr'])).toBe('eps');
    expect(suggestKey('completelyDifferent', ['eps', 'lr'])).toBeUndefined();
  });
});

describe('one error class for loading (item 9)', () => {
  test('a truncated weights file is a ModelLoadError and a LoadError, with a code', () => {
    const good = tg.sequential([tg.layers.dense({ units: 1, inputShape: [2] })]).toBytes();
    let caught: unknown;
    try {
      tg.fromBytes({ config: good.config, weights: good.weights.slice(0, good.weights.length - 3) });
    } catch (e) {
      caught = e;
    }
    // the guide's advice: `if (!(e instanceof tg.ModelLoadError)) throw e` must not rethrow this
    expect(caught).toBeInstanceOf(tg.ModelLoadError);
    expect(caught).toBeInstanceOf(tg.LoadError);
    expect(caught).toBeInstanceOf(tg.SafetensorsError);
    expect((caught as tg.LoadError).code).toBe('BAD_OFFSETS'); // the header's offsets point past the end
  });
  test('a bad saved vectorizer is a LoadError with a code', () => {
    let caught: unknown;
    try {
      tg.text.CountVectorizer.fromJSON('{not json');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(tg.text.TextJSONError);
    expect(caught).toBeInstanceOf(tg.LoadError);
    expect((caught as tg.LoadError).code).toBe('BAD_JSON');
  });
});
