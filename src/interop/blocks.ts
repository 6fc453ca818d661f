// Weight layouts between frameworks: a row-major transpose, and gate blocks re-ordered (Keras,
// ONNX and PyTorch stack the same gates in different orders).

/** `rows × cols` row-major → `cols × rows`. */
export function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

/** Blocks of `block` floats re-ordered: block b of the result is block `order[b]` of `src`. */
export function permuteBlocks(src: Float32Array, order: readonly number[], block: number): Float32Array {
  const out = new Float32Array(order.length * block);
  order.forEach((from, b) => out.set(src.subarray(from * block, (from + 1) * block), b * block));
  return out;
}
