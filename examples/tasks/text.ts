// A text file as a character-level language-modelling corpus, with the conventions of
// data/README.md: the vocabulary is the sorted set of the file's characters, the first 90% of the
// characters is the training split and the last 10% the validation split.
import { CharTokenizer } from '../../src/index.js';
import { readText } from '../../src/node.js';

export interface CharCorpus {
  tokenizer: CharTokenizer;
  /** Token ids of the training split (the first 90% of the characters). */
  train: Int32Array;
  /** Token ids of the validation split (the last 10%). */
  valid: Int32Array;
}

/** Read and split a text file (a path or a file: URL). */
export async function charCorpus(path: string | URL): Promise<CharCorpus> {
  const text = await readText(path);
  const tokenizer = CharTokenizer.fromText(text);
  const ids = tokenizer.encode(text);
  const cut = Math.floor(ids.length * 0.9);
  return { tokenizer, train: ids.subarray(0, cut), valid: ids.subarray(cut) };
}

// the unigram baseline lives in the library
export { unigramEntropy } from '../../src/index.js';
