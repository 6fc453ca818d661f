/**
 * `rnn-wasm/seq2seq`: conditioned sequence models — captioning-style decoders started from a
 * feature vector, and encoder–decoders — with generation by greedy, sampled or beam search
 * decoding. It shares the runtime of `rnn-wasm`: call its `init()` first. Importing this entry
 * also lets `load()` read Seq2Seq files.
 *
 * @example
 * ```ts
 * import { init, Embedding, LSTM, Linear } from 'rnn-wasm';
 * import { Seq2Seq } from 'rnn-wasm/seq2seq';
 * await init();
 * const model = new Seq2Seq({ conditionSize: 64, embedding: new Embedding({ numEmbeddings: 30, embeddingDim: 16 }),
 *   decoder: new LSTM({ inputSize: 16, hiddenSize: 128 }), head: new Linear({ inFeatures: 128, outFeatures: 30 }) });
 * ```
 * @packageDocumentation
 */
import { registerSeq2Seq } from './model/seq2seq.js';

// this entry's side effect (package.json "sideEffects"): load() and save() know Seq2Seq files
registerSeq2Seq();

export {
  Seq2Seq, type Seq2SeqParts, type Seq2SeqOptions, type Seq2SeqBatch, type Seq2SeqGradients, type Seq2SeqStream, type ConditionInput,
} from './model/seq2seq.js';
export type { GenerateOptions, Generated } from './model/generate.js';
