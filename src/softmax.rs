//! Numerically stable softmax, log-softmax and the softmax's vector-Jacobian product.
//!
//! Every transcendental function here comes from the `libm` crate rather than `std`, so that a
//! seed gives the same bits natively and in `wasm32`: `std`'s `exp` and `ln` call the
//! platform's maths library, which may round the last bit differently.

/// Overwrites `values` with `softmax(values)` and returns `ln(sum_j exp(values_j))`.
///
/// `softmax(x)_j = exp(x_j - m) / sum_i exp(x_i - m)` with `m = max_i x_i`. Subtracting the
/// maximum keeps every `exp` argument at or below zero, so nothing overflows, and the largest
/// term is exactly 1, so the sum never underflows. A `-inf` entry (a masked category) gets
/// probability 0.
///
/// At least one entry must be finite and none may be NaN or `+inf`; otherwise the result is NaN.
/// [`Categorical::from_logits`](crate::Categorical::from_logits) checks this for you.
///
/// ```
/// let mut x = [0.0, 2.0_f64.ln(), f64::NEG_INFINITY];
/// let log_sum_exp = ils::softmax_in_place(&mut x);
/// assert!((x[0] - 1.0 / 3.0).abs() < 1e-15 && (x[1] - 2.0 / 3.0).abs() < 1e-15);
/// assert_eq!(x[2], 0.0);
/// assert!((log_sum_exp - 3.0_f64.ln()).abs() < 1e-15);
/// ```
pub fn softmax_in_place(values: &mut [f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = libm::exp(*v - max);
        sum += *v;
    }
    let inverse = 1.0 / sum;
    for v in values.iter_mut() {
        *v *= inverse;
    }
    max + libm::log(sum)
}

/// Writes `softmax(logits)` into `probs` and returns the log-sum-exp of `logits`.
///
/// See [`softmax_in_place`] for the formula and the conditions on `logits`.
///
/// # Panics
/// If the two slices differ in length.
pub fn softmax(logits: &[f64], probs: &mut [f64]) -> f64 {
    probs.copy_from_slice(logits);
    softmax_in_place(probs)
}

/// Writes `log_softmax(logits)_j = x_j - m - ln(sum_i exp(x_i - m))` into `log_probs`.
///
/// Computed directly rather than as `ln(softmax(x))`, so that a tiny probability keeps its
/// logarithm instead of rounding to `ln(0) = -inf`.
///
/// ```
/// let mut out = [0.0; 2];
/// ils::log_softmax(&[1e4, -1e4], &mut out);
/// assert_eq!(out, [0.0, -2e4]);
/// ```
///
/// # Panics
/// If the two slices differ in length.
pub fn log_softmax(logits: &[f64], log_probs: &mut [f64]) {
    assert_eq!(
        logits.len(),
        log_probs.len(),
        "log_softmax: length mismatch"
    );
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = logits.iter().map(|&x| libm::exp(x - max)).sum();
    let shift = max + libm::log(sum);
    for (out, &x) in log_probs.iter_mut().zip(logits) {
        *out = x - shift;
    }
}

/// Vector-Jacobian product of the softmax: given `p = softmax(x)` and `g = dL/dp`, writes
/// `dL/dx_j = p_j (g_j - sum_i p_i g_i)` into `grad_logits`.
///
/// A category with `p_j = 0` gets a zero gradient even when `g_j` is huge, as it should:
/// its logit has no effect on the output.
///
/// # Panics
/// If the slices differ in length.
pub fn softmax_backward(probs: &[f64], grad_probs: &[f64], grad_logits: &mut [f64]) {
    assert_eq!(
        probs.len(),
        grad_probs.len(),
        "softmax_backward: length mismatch"
    );
    assert_eq!(
        probs.len(),
        grad_logits.len(),
        "softmax_backward: length mismatch"
    );
    let mean: f64 = probs.iter().zip(grad_probs).map(|(p, g)| p * g).sum();
    for ((out, &p), &g) in grad_logits.iter_mut().zip(probs).zip(grad_probs) {
        *out = p * (g - mean);
    }
}

/// Index of the largest value; the first one on ties. `values` must not be empty.
pub(crate) fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (j, &v) in values.iter().enumerate().skip(1) {
        if v > values[best] {
            best = j;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{assert_close, numeric_gradient};

    #[test]
    fn softmax_of_hand_computed_vector() {
        // softmax([1, 2, 3]) = [e, e^2, e^3] / (e + e^2 + e^3) = [1, e, e^2] / (1 + e + e^2).
        let e = std::f64::consts::E;
        let z = 1.0 + e + e * e;
        let mut probs = [0.0; 3];
        let lse = softmax(&[1.0, 2.0, 3.0], &mut probs);
        assert_close(&probs, &[1.0 / z, e / z, e * e / z], 1e-15);
        // ln(e + e^2 + e^3) = 1 + ln(1 + e + e^2)
        assert_close(&[lse], &[1.0 + z.ln()], 1e-15);
    }

    #[test]
    fn softmax_is_shift_invariant_at_extreme_logits() {
        // Without subtracting the max, exp(1e4) overflows to inf and the result is NaN.
        let mut probs = [0.0; 3];
        let lse = softmax(&[1e4, 1e4, 1e4 - 2.0_f64.ln()], &mut probs);
        assert_close(&probs, &[0.4, 0.4, 0.2], 1e-11);
        assert_close(&[lse], &[1e4 + 2.5_f64.ln()], 1e-12);

        let lse = softmax(&[-1e4, -1e4 + 3.0_f64.ln()], &mut probs[..2]);
        assert_close(&probs[..2], &[0.25, 0.75], 1e-11);
        assert_close(&[lse], &[-1e4 + 4.0_f64.ln()], 1e-12);

        // 2e4 apart: the small probability underflows to exactly zero, never NaN.
        softmax(&[1e4, -1e4], &mut probs[..2]);
        assert_eq!(&probs[..2], &[1.0, 0.0]);
    }

    #[test]
    fn masked_categories_get_zero_probability() {
        let mut probs = [0.0; 4];
        softmax(
            &[f64::NEG_INFINITY, 0.0, f64::NEG_INFINITY, 0.0],
            &mut probs,
        );
        assert_eq!(probs, [0.0, 0.5, 0.0, 0.5]);

        let mut log_probs = [0.0; 4];
        log_softmax(
            &[f64::NEG_INFINITY, 0.0, f64::NEG_INFINITY, 0.0],
            &mut log_probs,
        );
        let ln_half = -(2.0_f64.ln());
        assert_eq!(log_probs[0], f64::NEG_INFINITY);
        assert_close(&log_probs[1..2], &[ln_half], 1e-15);
    }

    #[test]
    fn log_softmax_keeps_tiny_probabilities() {
        // ln(softmax) would give ln(0) = -inf for the second entry.
        let mut out = [0.0; 3];
        log_softmax(&[0.0, -800.0, 0.0], &mut out);
        let ln2 = 2.0_f64.ln();
        assert_close(&out, &[-ln2, -800.0 - ln2, -ln2], 1e-12);
    }

    #[test]
    fn softmax_backward_matches_finite_differences() {
        let logits = [0.3, -1.2, 2.0, 0.0];
        let weights = [1.0, -2.0, 0.5, 3.0]; // L(p) = sum_j w_j p_j, so dL/dp = w
        let mut probs = [0.0; 4];
        softmax(&logits, &mut probs);
        let mut grad = [0.0; 4];
        softmax_backward(&probs, &weights, &mut grad);

        let loss = |x: &[f64]| {
            let mut p = [0.0; 4];
            softmax(x, &mut p);
            p.iter().zip(&weights).map(|(p, w)| p * w).sum::<f64>()
        };
        assert_close(&grad, &numeric_gradient(loss, &logits), 1e-8);
    }

    #[test]
    fn argmax_takes_first_of_ties() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, -1.0]), 1);
        assert_eq!(argmax(&[f64::NEG_INFINITY, -5.0]), 1);
    }
}
