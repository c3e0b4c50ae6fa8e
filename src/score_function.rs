//! The score-function estimator (REINFORCE) with a running-mean baseline: an exact one-hot
//! draw, and an unbiased estimate of the gradient of the loss's expectation over that draw.

use crate::error::ParameterError;
use crate::parameter;

/// The score-function estimator, `(L(z) - b) * d ln pi_k / d logits`, with a running-mean
/// baseline `b`.
///
/// Forward: an exact draw `z = e_k`, `k ~ Cat(pi)`, `pi = softmax(logits)`, with no relaxation
/// (see [`sample_index`](crate::sample_index)). Backward, given the loss value `L(e_k)`:
///
/// `dL/dlogits = (L(e_k) - b) (e_k - pi)`,
///
/// since `d ln pi_k / d logits = e_k - pi`. Its expectation over `k` is
/// `sum_k pi_k L(e_k) (e_k - pi)`, the exact gradient of the *sampled objective*
/// `E_z[L(z)] = sum_k pi_k L(e_k)`, whatever `b` is, as long as `b` does not depend on the
/// draw it is used with. The baseline therefore only lowers the variance. It is the running
/// mean of earlier losses, updated after each use:
///
/// `b <- beta b + (1 - beta) L(e_k)`,
///
/// with the baseline decay `beta` in `[0, 1)`: `beta = 0` makes the baseline the previous
/// loss; `beta` near 1 averages over about `1 / (1 - beta)` draws.
///
/// ```
/// let sf = ils::ScoreFunction::new(0.5)?;
/// let probs = [0.5, 0.25, 0.25];
/// let mut baseline = 1.0;
/// let mut grad_logits = [0.0; 3];
/// // The draw k = 1 cost 3, one more than the baseline expected.
/// sf.backward(&probs, 1, 3.0, &mut baseline, &mut grad_logits);
/// // (3 - 1) (e_1 - pi) = 2 [-0.5, 0.75, -0.25]
/// assert_eq!(grad_logits, [-1.0, 1.5, -0.5]);
/// // The baseline moved half way to the loss: 0.5 * 1 + 0.5 * 3.
/// assert_eq!(baseline, 2.0);
/// # Ok::<(), ils::ParameterError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreFunction {
    baseline_decay: f64,
}

impl ScoreFunction {
    /// The estimator with baseline decay `beta`.
    ///
    /// # Errors
    /// [`ParameterError`] if `beta` is outside [`parameter::BASELINE_DECAY`].
    pub fn new(baseline_decay: f64) -> Result<Self, ParameterError> {
        let baseline_decay = parameter::BASELINE_DECAY.check(baseline_decay)?;
        Ok(Self { baseline_decay })
    }

    /// The baseline decay `beta`.
    pub fn baseline_decay(&self) -> f64 {
        self.baseline_decay
    }

    /// Writes `(loss - b) (e_k - pi)` into `grad_logits`, given the probabilities `pi` the
    /// draw came from, the drawn index `k` and the loss at the drawn vertex, `L(e_k)`; then
    /// moves the baseline, `b <- beta b + (1 - beta) loss`.
    ///
    /// # Panics
    /// If the slices differ in length or `drawn` is out of range.
    pub fn backward(
        &self,
        probs: &[f64],
        drawn: usize,
        loss: f64,
        baseline: &mut f64,
        grad_logits: &mut [f64],
    ) {
        assert_eq!(
            probs.len(),
            grad_logits.len(),
            "score function: length mismatch"
        );
        assert!(
            drawn < probs.len(),
            "score function: drawn index out of range"
        );
        let advantage = loss - *baseline;
        for (j, (g, &p)) in grad_logits.iter_mut().zip(probs).enumerate() {
            let vertex = if j == drawn { 1.0 } else { 0.0 };
            *g = advantage * (vertex - p);
        }
        *baseline = self.baseline_decay * *baseline + (1.0 - self.baseline_decay) * loss;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Generator;
    use crate::categorical::sample_index;
    use crate::softmax::{softmax, softmax_backward};
    use rand::SeedableRng;

    #[test]
    fn backward_by_hand() {
        // pi = [0.1, 0.2, 0.3, 0.4], k = 3, L = 0.5, b = 2: (0.5 - 2) (e_3 - pi)
        // = -1.5 [-0.1, -0.2, -0.3, 0.6] = [0.15, 0.3, 0.45, -0.9].
        let sf = ScoreFunction::new(0.9).expect("valid decay");
        let mut baseline = 2.0;
        let mut grad = [0.0; 4];
        sf.backward(&[0.1, 0.2, 0.3, 0.4], 3, 0.5, &mut baseline, &mut grad);
        crate::test_util::assert_close(&grad, &[0.15, 0.3, 0.45, -0.9], 1e-15);
        // b = 0.9 * 2 + 0.1 * 0.5 = 1.85
        crate::test_util::assert_close(&[baseline], &[1.85], 1e-15);
    }

    #[test]
    fn zero_decay_keeps_the_last_loss() {
        let sf = ScoreFunction::new(0.0).expect("zero is allowed");
        let mut baseline = 7.0;
        let mut grad = [0.0; 2];
        sf.backward(&[0.5, 0.5], 0, 3.0, &mut baseline, &mut grad);
        // (3 - 7) (e_0 - pi) = -4 [0.5, -0.5]
        assert_eq!(grad, [-2.0, 2.0]);
        assert_eq!(baseline, 3.0);
    }

    #[test]
    fn mean_estimate_is_the_sampled_objective_gradient() {
        // L(e_k) = w_k for fixed w: the sampled objective is sum_k pi_k w_k, whose exact
        // gradient in the logits is softmax_backward(pi, w).
        let logits = [0.3, -0.7, 1.2, 0.0];
        let losses = [2.0, -1.0, 0.5, 3.0];
        let mut probs = [0.0; 4];
        softmax(&logits, &mut probs);
        let mut exact = [0.0; 4];
        softmax_backward(&probs, &losses, &mut exact);

        let sf = ScoreFunction::new(0.9).expect("valid decay");
        let mut rng = Generator::seed_from_u64(17);
        let draws = 200_000;
        let mut baseline = 0.0;
        let (mut sum, mut sum_sq) = ([0.0; 4], [0.0; 4]);
        let mut grad = [0.0; 4];
        for _ in 0..draws {
            let k = sample_index(&probs, &mut rng);
            sf.backward(&probs, k, losses[k], &mut baseline, &mut grad);
            for j in 0..4 {
                sum[j] += grad[j];
                sum_sq[j] += grad[j] * grad[j];
            }
        }
        let n = draws as f64;
        for j in 0..4 {
            let mean = sum[j] / n;
            let standard_error = ((sum_sq[j] / n - mean * mean) / n).sqrt();
            // Five standard errors (about 0.005 here): a miss means a bias, not bad luck.
            assert!(
                (mean - exact[j]).abs() < 5.0 * standard_error,
                "entry {j}: {mean} vs {} (standard error {standard_error})",
                exact[j]
            );
        }
    }

    #[test]
    fn baseline_decay_is_checked() {
        for bad in [-1e-9, 1.0, 1.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(ScoreFunction::new(bad).is_err(), "{bad} accepted");
        }
        assert!(ScoreFunction::new(0.999).is_ok());
        assert!(ScoreFunction::new(0.999_999).is_err());
        let message = ScoreFunction::new(1.0).expect_err("1 rejected").to_string();
        assert_eq!(message, "baseline decay must be from 0 to 0.999, got 1");
    }
}
