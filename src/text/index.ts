// tg.text: turning text into features. A Tokenizer (with e-mail helpers), a Vocabulary fitted with
// document-frequency limits, and CountVectorizer / TfidfVectorizer producing float32 [nDocs, nFeatures] Tensors.

export { ENGLISH_STOP_WORDS, stripEmailHeaders, stripHtml, tokenize, Tokenizer, type ResolvedTokenizerOptions, type TokenizerOptions } from './tokenizer.js';
export { MAX_VOCABULARY, Vocabulary, type ResolvedVocabularyOptions, type VocabularyOptions } from './vocabulary.js';
export {
  CountVectorizer, TfidfVectorizer, type CountVectorizerOptions, type FromJSONOptions, type TfidfVectorizerOptions, type TokenizeFn,
} from './vectorizers.js';
export { MAX_DENSE_ELEMENTS, type SparseRows } from './sparse.js';
export { TextJSONError } from './json.js';
