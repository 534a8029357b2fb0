// tg.text: tokenizer cases, vocabulary limits and order, count and tf-idf values checked against small
// hand-computed examples, determinism, and the JSON round trip with malicious or malformed JSON refused.
import { describe, expect, test } from 'vitest';
import * as tg from 'tapegrad';

const { Tokenizer, Vocabulary, CountVectorizer, TfidfVectorizer, TextJSONError } = tg.text;

/** Rows of a 2-D tensor as plain number arrays. */
const rowsOf = (t: tg.Tensor): number[][] => t.toArray() as number[][];

function expectRowsClose(actual: number[][], expected: number[][], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    expect(row.length).toBe(expected[i].length);
    row.forEach((v, j) => expect(v, `row ${i}, column ${j}`).toBeCloseTo(expected[i][j], digits));
  });
}

describe('Tokenizer', () => {
  test('lowercases and splits on anything that is not a letter or digit', () => {
    expect(tg.text.tokenize("Hello, World! It's 2002... e-mail me@example.com")).toEqual(
      ['hello', 'world', 'it', 's', '2002', 'e', 'mail', 'me', 'example', 'com'],
    );
    expect(tg.text.tokenize('  ')).toEqual([]);
    expect(tg.text.tokenize('')).toEqual([]);
    expect(tg.text.tokenize('Café naïve ÜBER 東京 x²')).toEqual(['café', 'naïve', 'über', '東京', 'x²']);
    expect(tg.text.tokenize('Keep CASE', { lowercase: false })).toEqual(['Keep', 'CASE']);
  });

  test('drops stop words (compared after lowercasing) and short tokens', () => {
    const tok = new Tokenizer({ stopWords: 'english', minTokenLength: 2 });
    expect(tok.tokenize('The offer is FREE for a limited time: act now, I say!')).toEqual(['offer', 'free', 'limited', 'time', 'act', 'say']);
    expect(tg.text.tokenize('Buy CHEAP pills', { stopWords: ['Cheap'] })).toEqual(['buy', 'pills']);
    expect(tg.text.tokenize('a bb ccc', { minTokenLength: 3 })).toEqual(['ccc']);
    expect(tg.text.ENGLISH_STOP_WORDS).toContain('the');
  });

  test('stripHeaders drops the header block, keeping the (folded) Subject by default', () => {
    const mail = 'From: spammer@example.com\r\nSubject: Win a\r\n  prize\r\nX-Mailer: Bulk\r\n\r\nClick here.\n\nBye';
    expect(tg.text.tokenize(mail, { stripHeaders: true })).toEqual(['win', 'a', 'prize', 'click', 'here', 'bye']);
    expect(tg.text.tokenize(mail, { stripHeaders: true, keepSubject: false })).toEqual(['click', 'here', 'bye']);
    expect(tg.text.stripEmailHeaders('no blank line here')).toBe('no blank line here');
  });

  test('stripHtml removes tags, comments, scripts and styles, and decodes entities', () => {
    const html = '<html><style>p { color: red }</style><p>Fish&amp;chips</p><!-- hidden --><script>var x = 1;</script>caf&#233; &#x41;<br/>end';
    expect(tg.text.stripHtml(html).replace(/\s+/g, ' ').trim()).toBe('Fish&chips café A end');
    expect(tg.text.tokenize('<b>bold</b>word', { stripHtml: true })).toEqual(['bold', 'word']);
    expect(tg.text.tokenize('<b>bold</b>word')).toEqual(['b', 'bold', 'b', 'word']);
    expect(tg.text.stripHtml('&#9999999; &bogus;')).toBe('  &bogus;');
  });

  test('rejects bad options and non-string input', () => {
    expect(() => new Tokenizer({ minTokenLength: 0 })).toThrow(/minTokenLength must be a positive integer/);
    expect(() => new Tokenizer({ stopWords: 'french' as 'english' })).toThrow(/stopWords must be/);
    expect(() => new Tokenizer({ stripHtml: 'yes' as unknown as boolean })).toThrow(/stripHtml must be true or false/);
    expect(() => new Tokenizer().tokenize(42 as unknown as string)).toThrow(/expected a string, got number/);
  });
});

// Three documents used below. Token counts over the corpus: cat 3, ran 2, the 2, a 1, dog 1, sat 1.
const DOCS = ['The cat sat', 'the cat, cat ran', 'A dog ran'];
const TOKENS = DOCS.map((d) => tg.text.tokenize(d));

describe('Vocabulary', () => {
  test('orders tokens by corpus count, ties in code-unit order', () => {
    const v = Vocabulary.fit(TOKENS);
    expect(v.tokens).toEqual(['cat', 'ran', 'the', 'a', 'dog', 'sat']);
    expect(v.size).toBe(6);
    expect(v.indexOf('the')).toBe(2);
    expect(v.indexOf('unicorn')).toBe(-1);
    expect(v.tokenAt(5)).toBe('sat');
    expect(v.encode(['dog', 'unicorn', 'cat'])).toEqual([4, 0]);
    expect(v.decode([4, 0])).toEqual(['dog', 'cat']);
    expect(() => v.tokenAt(6)).toThrow(/out of range/);
  });

  test('minDf, maxDf (counts and fractions) and maxFeatures', () => {
    expect(Vocabulary.fit(TOKENS, { minDf: 2 }).tokens).toEqual(['cat', 'ran', 'the']);
    expect(Vocabulary.fit(TOKENS, { minDf: 0.5 }).tokens).toEqual(['cat', 'ran', 'the']); // df ≥ 1.5
    expect(Vocabulary.fit(TOKENS, { maxDf: 0.5 }).tokens).toEqual(['a', 'dog', 'sat']); // df ≤ 1.5
    expect(Vocabulary.fit(TOKENS, { maxDf: 2 }).tokens).toEqual(['cat', 'ran', 'the', 'a', 'dog', 'sat']);
    expect(Vocabulary.fit(TOKENS, { maxFeatures: 2 }).tokens).toEqual(['cat', 'ran']);
    expect(Vocabulary.fit(TOKENS, { maxFeatures: 100 }).size).toBe(6);
  });

  test('is the same whatever the order of the documents', () => {
    const a = Vocabulary.fit(TOKENS, { maxFeatures: 4 }).tokens;
    const b = Vocabulary.fit([...TOKENS].reverse(), { maxFeatures: 4 }).tokens;
    expect(b).toEqual(a);
  });

  test('an oovToken takes index 0 and stands for unknown and dropped tokens', () => {
    const v = Vocabulary.fit(TOKENS, { minDf: 2, oovToken: '<unk>' });
    expect(v.tokens).toEqual(['<unk>', 'cat', 'ran', 'the']);
    expect(v.indexOf('sat')).toBe(0);
    expect(v.encode(['cat', 'zebra'])).toEqual([1, 0]);
  });

  test('rejects bad limits and empty results', () => {
    expect(() => Vocabulary.fit(TOKENS, { minDf: 1.5 })).toThrow(/minDf must be a fraction in \[0, 1\) or a document count/);
    expect(() => Vocabulary.fit(TOKENS, { maxDf: 0 })).toThrow(/maxDf must be/);
    expect(() => Vocabulary.fit(TOKENS, { maxFeatures: 0 })).toThrow(/maxFeatures must be an integer/);
    expect(() => Vocabulary.fit(TOKENS, { minDf: 3, maxDf: 0.5 })).toThrow(/allows fewer documents/);
    expect(() => Vocabulary.fit(TOKENS, { minDf: 4 })).toThrow(/no token is left/);
    expect(() => Vocabulary.fit([])).toThrow(/no documents/);
    expect(() => new Vocabulary(['a', 'a'])).toThrow(/listed twice/);
  });
});

describe('CountVectorizer', () => {
  test('counts tokens per document, columns in vocabulary order', () => {
    const cv = new CountVectorizer();
    const x = cv.fitTransform(DOCS);
    expect(x.shape).toEqual([3, 6]);
    expect(x.dtype).toBe('float32');
    expect(cv.featureNames()).toEqual(['cat', 'ran', 'the', 'a', 'dog', 'sat']);
    expect(rowsOf(x)).toEqual([
      [1, 0, 1, 0, 0, 1],
      [2, 1, 1, 0, 0, 0],
      [0, 1, 0, 1, 1, 0],
    ]);
    // unknown words are ignored; an empty text gives a zero row
    expect(rowsOf(cv.transform(['cat dog unicorn cat', '']))).toEqual([[2, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0]]);
  });

  test('binary marks presence; fit + transform equals fitTransform', () => {
    const cv = new CountVectorizer({ binary: true });
    expect(rowsOf(cv.fitTransform(DOCS))[1]).toEqual([1, 1, 1, 0, 0, 0]);
    expect(rowsOf(new CountVectorizer().fit(DOCS).transform(DOCS))).toEqual(rowsOf(new CountVectorizer().fitTransform(DOCS)));
  });

  test('an oov column counts unknown tokens; a custom tokenizer function works', () => {
    const cv = new CountVectorizer({ oovToken: '<unk>', minDf: 2 });
    expect(rowsOf(cv.fitTransform(DOCS))).toEqual([[1, 1, 0, 1], [0, 2, 1, 1], [2, 0, 1, 0]]);
    const byChar = new CountVectorizer({ tokenizer: (t) => [...t] });
    expect(byChar.fitTransform(['aab', 'b']).toArray()).toEqual([[2, 1], [0, 1]]);
  });

  test('explains misuse', () => {
    expect(() => new CountVectorizer().transform(DOCS)).toThrow(/not fitted yet/);
    expect(() => new CountVectorizer().fit([1 as unknown as string])).toThrow(/text 0 is not a string/);
    expect(() => new CountVectorizer().fit('abc' as unknown as string[])).toThrow(/expected an array of strings/);
  });
});

describe('TfidfVectorizer', () => {
  // n = 3 documents; df(cat) = df(ran) = df(the) = 2, df(a) = df(dog) = df(sat) = 1.
  const idf2 = Math.log(4 / 3) + 1; // ln((1 + 3) / (1 + 2)) + 1 = 1.287682...
  const idf1 = Math.log(4 / 2) + 1; // ln((1 + 3) / (1 + 1)) + 1 = 1.693147...

  test('smooth idf and L2 rows (scikit-learn defaults) match the hand computation', () => {
    const tf = new TfidfVectorizer();
    const x = tf.fitTransform(DOCS);
    expect(Array.from(tf.idf!)).toEqual([idf2, idf2, idf2, idf1, idf1, idf1]);
    expect(idf2).toBeCloseTo(1.2876821, 7);
    expect(idf1).toBeCloseTo(1.6931472, 7);
    // row 0 = (idf2, 0, idf2, 0, 0, idf1) / ‖·‖; row 1 = (2, 1, 1) · idf2 / (√6 · idf2)
    expectRowsClose(rowsOf(x), [
      [0.5178561, 0, 0.5178561, 0, 0, 0.6809186],
      [2 / Math.sqrt(6), 1 / Math.sqrt(6), 1 / Math.sqrt(6), 0, 0, 0],
      [0, 0.4736296, 0, 0.622766, 0.622766, 0],
    ]);
    for (const row of rowsOf(x)) expect(Math.hypot(...row)).toBeCloseTo(1, 6);
  });

  test('sublinear tf, no smoothing, L1 and no norm', () => {
    const sub = rowsOf(new TfidfVectorizer({ sublinearTf: true }).fitTransform(DOCS))[1];
    const raw = [(1 + Math.log(2)) * idf2, idf2, idf2]; // tf 2 → 1 + ln 2
    const len = Math.hypot(...raw);
    expectRowsClose([sub], [[...raw.map((v) => v / len), 0, 0, 0]]);

    const plain = new TfidfVectorizer({ smoothIdf: false, norm: null });
    const x = rowsOf(plain.fitTransform(DOCS));
    const i2 = Math.log(3 / 2) + 1;
    const i1 = Math.log(3) + 1;
    expectRowsClose(x, [[i2, 0, i2, 0, 0, i1], [2 * i2, i2, i2, 0, 0, 0], [0, i2, 0, i1, i1, 0]], 5);

    const l1 = rowsOf(new TfidfVectorizer({ useIdf: false, norm: 'l1' }).fitTransform(DOCS));
    expectRowsClose(l1, [[1 / 3, 0, 1 / 3, 0, 0, 1 / 3], [0.5, 0.25, 0.25, 0, 0, 0], [0, 1 / 3, 0, 1 / 3, 1 / 3, 0]]);
  });

  test('idf comes from the training texts only; transform is deterministic', () => {
    const tf = new TfidfVectorizer().fit(DOCS);
    const a = tf.transform(['dog dog cat', 'zebra']);
    const b = tf.transform(['dog dog cat', 'zebra']);
    expect(rowsOf(a)).toEqual(rowsOf(b));
    const len = Math.hypot(idf2, 2 * idf1);
    expectRowsClose(rowsOf(a), [[idf2 / len, 0, 0, 0, (2 * idf1) / len, 0], [0, 0, 0, 0, 0, 0]]);
    expect(rowsOf(new TfidfVectorizer().fitTransform([...DOCS].reverse())).reverse()).toEqual(rowsOf(new TfidfVectorizer().fitTransform(DOCS)));
  });

  test('transformSparse stores only the non-zero entries', () => {
    const s = new TfidfVectorizer({ norm: null, useIdf: false }).fit(DOCS).transformSparse(DOCS);
    expect(Array.from(s.indptr)).toEqual([0, 3, 6, 9]);
    expect(Array.from(s.indices)).toEqual([0, 2, 5, 0, 1, 2, 1, 3, 4]);
    expect(Array.from(s.values)).toEqual([1, 1, 1, 2, 1, 1, 1, 1, 1]);
  });

  test('rejects bad options', () => {
    expect(() => new TfidfVectorizer({ norm: 'l3' as 'l2' })).toThrow(/norm must be 'l1', 'l2' or null/);
    expect(() => new TfidfVectorizer({ sublinearTf: 1 as unknown as boolean })).toThrow(/sublinearTf must be true or false/);
  });
});

describe('JSON round trip', () => {
  const opts = { tokenizer: { stopWords: ['the'], stripHtml: true }, minDf: 1, maxFeatures: 5, oovToken: '<unk>', sublinearTf: true } as const;

  test('a saved TfidfVectorizer transforms exactly like the original', () => {
    const tf = new TfidfVectorizer(opts).fit(DOCS);
    const text = JSON.stringify(tf);
    const back = TfidfVectorizer.fromJSON(text);
    const probe = ['<i>cat</i> the dog ran ran', 'zebra sat'];
    expect(rowsOf(back.transform(probe))).toEqual(rowsOf(tf.transform(probe)));
    expect(back.featureNames()).toEqual(tf.featureNames());
    expect(Array.from(back.idf!)).toEqual(Array.from(tf.idf!));
    expect(JSON.stringify(back)).toBe(text);
    // a parsed value works as well as text
    expect(TfidfVectorizer.fromJSON(JSON.parse(text)).vocabulary.tokens).toEqual(tf.vocabulary.tokens);
  });

  test('CountVectorizer, unfitted vectorizers, Vocabulary, and tokenizer functions', () => {
    const cv = new CountVectorizer({ binary: true }).fit(DOCS);
    expect(rowsOf(CountVectorizer.fromJSON(JSON.stringify(cv)).transform(DOCS))).toEqual(rowsOf(cv.transform(DOCS)));
    expect(TfidfVectorizer.fromJSON(JSON.stringify(new TfidfVectorizer())).fitted).toBe(false);
    const v = Vocabulary.fit(TOKENS, { oovToken: '?' });
    expect(Vocabulary.fromJSON(JSON.stringify(v)).tokens).toEqual(v.tokens);
    const fn = (t: string) => t.split(' ');
    const custom = JSON.stringify(new CountVectorizer({ tokenizer: fn }).fit(DOCS));
    expect(() => CountVectorizer.fromJSON(custom)).toThrow(/pass it as \{ tokenizer \}/);
    expect(CountVectorizer.fromJSON(custom, { tokenizer: fn }).vocabulary.size).toBe(8);
  });

  test('malicious and malformed JSON is refused with a TextJSONError', () => {
    const good = JSON.parse(JSON.stringify(new TfidfVectorizer().fit(DOCS)));
    const bad = (patch: (o: Record<string, any>) => void): string => {
      const o = structuredClone(good);
      patch(o);
      return JSON.stringify(o);
    };
    const cases: [string, RegExp][] = [
      ['{"__proto__": {"polluted": true}, "format": "tapegrad.text"}', /key "__proto__" is not allowed/],
      [JSON.stringify(good).replace('"vocabulary":{', '"vocabulary":{"__proto__":{"x":1},'), /key "__proto__" is not allowed/],
      [bad((o) => { o.tokenizer.constructor = { prototype: {} }; }), /key "constructor" is not allowed/],
      ['not json', /not valid JSON/],
      ['[]', /expected an object/],
      [bad((o) => { o.format = 'other'; }), /expected format "tapegrad.text"/],
      [bad((o) => { o.kind = 'CountVectorizer'; }), /holds a CountVectorizer, not a TfidfVectorizer/],
      [bad((o) => { o.extra = 1; }), /unexpected field "extra"/],
      [bad((o) => { o.idf.pop(); }), /idf has 5 values for 6 vocabulary entries/],
      [bad((o) => { o.idf[0] = -3; }), /idf\[0\]: expected a finite number ≥ 1/],
      [bad((o) => { o.idf[1] = '2'; }), /idf\[1\]/],
      [bad((o) => { o.vocabulary.words[2] = 'cat'; }), /listed twice/],
      [bad((o) => { o.vocabulary.words[0] = 7; }), /words\[0\]: expected a string/],
      [bad((o) => { o.vocabularyOptions.maxFeatures = -1; }), /maxFeatures must be an integer/],
      [bad((o) => { o.tokenizer.minTokenLength = 0; }), /minTokenLength/],
      [bad((o) => { o.norm = 'l7'; }), /norm must be/],
      [bad((o) => { o.useIdf = false; }), /idf must be null when useIdf is false/],
      ['{"a":'.repeat(40) + '1' + '}'.repeat(40), /nested deeper/],
    ];
    for (const [input, message] of cases) {
      let caught: unknown = null;
      try {
        TfidfVectorizer.fromJSON(input);
      } catch (e) {
        caught = e;
      }
      expect(caught, input.slice(0, 80)).toBeInstanceOf(TextJSONError);
      expect((caught as Error).message, input.slice(0, 80)).toMatch(message);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => Vocabulary.fromJSON('{"words": [], "oovToken": null}')).toThrow(/the vocabulary is empty/);
  });
});
