/**
 * `rnn-wasm/sketch`: pen strokes — a mixture-density (MDN) head over an RNN, as Sketch-RNN
 * (Ha & Eck 2017) and handwriting generation (Graves 2013) model a pen. Each step is a stroke-5
 * point (Δx, Δy, p_down, p_up, p_end); the head predicts M bivariate Gaussians over the offset
 * and a 3-way pen state. Train with the Trainer's `{ type: 'mixtureDensity', components }` loss
 * (or {@link mdnLoss} on outputs you hold), then draw from scratch or continue the user's
 * strokes ({@link sampleSketch}, {@link SketchStream}). Stroke data: stroke-3 ⇄ stroke-5,
 * normalisation and Sketch-RNN's augmentations, SVG path data and polylines in, padded data sets
 * ({@link strokeDataset}); the Hershey stroke fonts as labelled glyph drawings
 * ({@link hersheyGlyphs}); a recogniser that involves no model ({@link nearestGlyph}, DTW of
 * resampled points). It shares the runtime of `rnn-wasm`: call its `init()` first.
 *
 * @example
 * ```ts
 * import { init, LSTM, Linear, Sequential } from 'rnn-wasm';
 * import { Trainer } from 'rnn-wasm/train';
 * import { mdnOutputSize, penDataset, sampleSketch } from 'rnn-wasm/sketch';
 * await init();
 * const model = new Sequential([new LSTM({ inputSize: 5, hiddenSize: 64, batchFirst: true, seed: 1 }),
 *   new Linear({ inFeatures: 64, outFeatures: mdnOutputSize(5), seed: 2 })]);
 * ```
 * @packageDocumentation
 */
import { registerSeq2Seq } from '../model/seq2seq.js';
import { registerMixtureDensity } from './mdn.js';

// this entry's side effects (package.json "sideEffects"): the Trainer knows the mixtureDensity
// loss and load() Seq2Seq files, also where the entry is imported bare (a worker's script)
registerMixtureDensity();
registerSeq2Seq();

export {
  MDN_BOUNDS, mdnOutputSize, mdnLoss, penDataset, type MdnLossOptions, type PenDatasetOptions,
} from './mdn.js';
export {
  SketchStream, sampleSketch, type PenModel, type SketchStreamOptions, type SketchSampleOptions, type SketchSample,
} from './sample.js';
export {
  toStroke5, toStroke3, strokeScale, normalize, augmentScale, dropPoints, toPolylines, fromPolylines, padStroke5, strokeDataset,
  type Stroke3, type Stroke5, type DrawingInput, type Polyline, type AugmentScaleOptions, type DropPointsOptions,
  type PolylineOptions, type PadStroke5Options, type PaddedStrokes, type StrokeDatasetOptions,
} from './strokes.js';
export { fromSvgPath, svgPathPolylines, type SvgPathOptions } from './svg.js';
export {
  hersheyData, hersheyFonts, hersheyGlyphs, type HersheyAlphabet, type HersheyFont, type HersheyGlyph, type HersheyData,
  type HersheyGlyphsOptions,
} from './hershey.js';
export {
  resampleStrokes, strokeTemplate, dtwDistance, nearestGlyph, glyphRecognizer, type ResampleOptions, type DtwOptions,
  type LabelledDrawing, type Recognition, type RecognizerOptions,
} from './dtw.js';
