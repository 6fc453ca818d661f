// Mixture density network (MDN) loss of Sketch-RNN (Ha & Eck 2017; Graves 2013): the negative
// log-likelihood of a pen step and its gradient w.r.t. the raw head outputs, in one pass.
//
// A row of head output has C = 6M + 3 values in the layout of Magenta's sketch_rnn
// `get_mixture_coef`: the 3 pen logits (down, up, end) first, then six blocks of M:
//   [0, 3) pen logits | π logits | μx | μy | σx raw | σy raw | ρ raw
// A target row is stroke-5: (Δx, Δy, p_down, p_up, p_end), the pen one-hot (checked by the caller).
//
// Transforms, with their bounds (the gradient is the exact derivative of what is computed, with
// torch.clamp's convention: the gradient passes where the value is inside the bounds, ends included):
//   log σ = max(raw, ln 1e-4)                  σ = exp(log σ) ≥ 1e-4
//   ρ     = clamp(tanh(raw), −R, R), R = 1 − 1e-6  so 1 − ρ² ≥ 2e-6 − 1e-12
//   log π = log_softmax(π logits);  pen log-probabilities = log_softmax(pen logits)
// Per row, in f64:
//   log N_j = −ln 2π − log σx_j − log σy_j − ½ ln(1 − ρ_j²) − Z_j / (2 (1 − ρ_j²)),
//   Z_j = z1² + z2² − 2 ρ_j z1 z2,  z1 = (Δx − μx_j)/σx_j,  z2 = (Δy − μy_j)/σy_j
//   L_s = −logsumexp_j(log π_j + log N_j)      (no ε inside a log: log-sum-exp)
//   L_p = −Σ_k p_k log softmax(pen logits)_k
//   loss_row = w_off · L_s + w_pen · L_p
// Returns Σ_rows loss_row (f64) and writes grad = scale · ∂(Σ loss_row)/∂out (f32, [N, C]).
// A row whose weight is 0 is not read for that term (its gradient there is 0), so padding may
// hold anything. w_off, w_pen: f32 [N]. ws: 7M + 3 f64 of workspace.


const LOG_2PI: f64 = 1.8378770664093453;
const LOG_SIGMA_MIN: f64 = -9.210340371976182; // ln 1e-4
const RHO_MAX: f64 = 1 - 1e-6;

// log Σ_k exp(v_k) over n f64 values at p (the maximum subtracted first)
function lse(p: usize, n: i32): f64 {
  let m: f64 = -Infinity, s: f64 = 0;
  for (let k = 0; k < n; k++) m = max(m, load<f64>(p + (<usize>k << 3)));
  for (let k = 0; k < n; k++) s += Math.exp(load<f64>(p + (<usize>k << 3)) - m);
  return m + Math.log(s);
}

export function mdn_nll(grad: usize, out: usize, target: usize, wOff: usize, wPen: usize, ws: usize, N: i32, M: i32, scale: f64): f64 {
  const C = 6 * M + 3, B4 = <usize>M << 2, B8 = <usize>M << 3;
  const a = ws + 6 * B8; // the row's pen and π logits as f64: [3 + M]
  let total: f64 = 0;
  for (let i = 0; i < N; i++) {
    const o = out + (<usize>(i * C) << 2), g = grad + (<usize>(i * C) << 2), y = target + <usize>(i * 20);
    const wo = <f64>load<f32>(wOff + (<usize>i << 2)), wp = <f64>load<f32>(wPen + (<usize>i << 2));
    memory.fill(g, 0, <usize>C << 2);
    for (let k = 0; k < 3 + M; k++) store<f64>(a + (<usize>k << 3), load<f32>(o + (<usize>k << 2)));
    // pen: cross-entropy of the pen logits against p
    if (wp != 0) {
      const lsp = lse(a, 3);
      const sp = <f64>load<f32>(y, 8) + <f64>load<f32>(y, 12) + <f64>load<f32>(y, 16);
      for (let k = 0; k < 3; k++) {
        const p = <f64>load<f32>(y + (<usize>k << 2), 8), v = load<f64>(a + (<usize>k << 3));
        total += wp * p * (lsp - v);
        store<f32>(g + (<usize>k << 2), <f32>(wp * scale * (Math.exp(v - lsp) * sp - p)));
      }
    }
    if (wo == 0) continue;
    // offsets: log-sum-exp over the components of log π_j + log N_j
    const dx = <f64>load<f32>(y), dy = <f64>load<f32>(y, 4);
    const lseA = lse(a + 24, M);
    for (let j = 0; j < M; j++) {
      const p = o + 12 + (<usize>j << 2), w = ws + (<usize>j << 3);
      const rs1 = <f64>load<f32>(p + 3 * B4), rs2 = <f64>load<f32>(p + 4 * B4), rr = <f64>load<f32>(p + 5 * B4);
      const s1 = max(rs1, LOG_SIGMA_MIN), s2 = max(rs2, LOG_SIGMA_MIN);
      const i1 = Math.exp(-s1), i2 = Math.exp(-s2);
      const e = Math.exp(-2 * abs(rr));
      const t = rr < 0 ? (e - 1) / (1 + e) : (1 - e) / (1 + e); // tanh
      const rho = min(max(t, -RHO_MAX), RHO_MAX);
      const q = 1 - rho * rho;
      const z1 = (dx - <f64>load<f32>(p + B4)) * i1, z2 = (dy - <f64>load<f32>(p + 2 * B4)) * i2;
      const Z = z1 * z1 + z2 * z2 - 2 * rho * z1 * z2;
      // ∂ log N_j / ∂(μx, μy, σx raw, σy raw, ρ raw), kept until the responsibilities are known
      const u1 = (z1 - rho * z2) / q, u2 = (z2 - rho * z1) / q;
      store<f64>(w, <f64>load<f32>(p) - LOG_2PI - s1 - s2 - 0.5 * Math.log(q) - Z / (2 * q));
      store<f64>(w + B8, u1 * i1);
      store<f64>(w + 2 * B8, u2 * i2);
      store<f64>(w + 3 * B8, rs1 >= LOG_SIGMA_MIN ? z1 * u1 - 1 : 0);
      store<f64>(w + 4 * B8, rs2 >= LOG_SIGMA_MIN ? z2 * u2 - 1 : 0);
      store<f64>(w + 5 * B8, abs(t) <= RHO_MAX ? (rho + z1 * z2 - rho * Z / q) / q * (1 - t * t) : 0);
    }
    const lseL = lse(ws, M);
    total += wo * (lseA - lseL);
    // ∂L_s/∂(π logit_j) = π_j − γ_j;  ∂L_s/∂θ_j = −γ_j ∂ log N_j/∂θ_j  (γ: the responsibilities)
    const c = wo * scale;
    for (let j = 0; j < M; j++) {
      const p = g + 12 + (<usize>j << 2), w = ws + (<usize>j << 3);
      const gam = Math.exp(load<f64>(w) - lseL);
      store<f32>(p, <f32>(c * (Math.exp(load<f64>(a + 24 + (<usize>j << 3)) - lseA) - gam)));
      for (let b: usize = 1; b < 6; b++) store<f32>(p + b * B4, <f32>(-c * gam * load<f64>(w + b * B8)));
    }
  }
  return total;
}
