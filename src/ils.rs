//! Intermediate Loss Sampling: an exact one-hot forward pass and a gradient taken from an
//! intermediate loss, `KL(pi_D || pi)`, instead of from a relaxation.

use crate::error::ParameterError;
use crate::parameter;

/// The epsilon of the published reference in `-pi_D / (pi + epsilon)`: it keeps the gradient
/// finite where a probability has underflowed to zero.
pub const PUBLISHED_EPSILON: f64 = 1e-7;

/// How the gradient with respect to `pi` is brought to the logits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogitGradient {
    /// As in the published reference: the `pi`-gradient `-pi_D / (pi + epsilon)` is applied to
    /// the logits unchanged.
    #[default]
    Published,
    /// Chained through the softmax Jacobian:
    /// `dL/dlogits_j = pi_j (G_j - sum_i pi_i G_i)` with `G = -pi_D / (pi + epsilon)`.
    Exact,
}

/// The Intermediate Loss Sampling estimator (Algorithm 1 of the method).
///
/// Forward: an exact draw `z = e_k`, `k ~ Cat(pi)`, with no relaxation
/// (see [`sample_index`](crate::sample_index)). Backward, given `g = dL/dz`:
///
/// 1. `delta_j = g_j - g_k`: `g` pushed through the Jacobian of the normalisation
///    `h(v) = v / sum(v)` at the vertex `z = e_k`;
/// 2. one step from the vertex, `pi_D = h(z - alpha * delta)`, where the step size `alpha`
///    plays the part the temperature plays for Gumbel-Softmax;
/// 3. the gradient of the intermediate loss `KL(pi_D || pi)` with respect to `pi`, which is
///    `-pi_D / (pi + epsilon)` with `pi_D` held fixed, brought to the logits as
///    [`LogitGradient`] says.
///
/// ```
/// let ils = ils::Ils::new(0.1)?;
/// let probs = [0.5, 0.25, 0.25];
/// let grad_z = [0.0, -1.0, 1.0]; // dL/dz at the drawn vertex k = 0
/// let mut grad_logits = [0.0; 3];
/// ils.backward(&probs, 0, &grad_z, &mut grad_logits);
/// // delta = [0, -1, 1]; z - alpha delta = [1, 0.1, -0.1], which sums to 1, so
/// // pi_D = [1, 0.1, -0.1] and the gradient is -pi_D / (pi + 1e-7).
/// let expected = [-1.0 / (0.5 + 1e-7), -0.1 / (0.25 + 1e-7), 0.1 / (0.25 + 1e-7)];
/// for (a, b) in grad_logits.iter().zip(expected) {
///     assert!((a - b).abs() < 1e-15);
/// }
/// # Ok::<(), ils::ParameterError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ils {
    step_size: f64,
    epsilon: f64,
    logit_gradient: LogitGradient,
}

impl Ils {
    /// The estimator with step size `alpha`, the published epsilon and the published logit
    /// gradient.
    ///
    /// # Errors
    /// [`ParameterError`] if `alpha` is outside [`parameter::STEP_SIZE`].
    pub fn new(step_size: f64) -> Result<Self, ParameterError> {
        let step_size = parameter::STEP_SIZE.check(step_size)?;
        Ok(Self {
            step_size,
            epsilon: PUBLISHED_EPSILON,
            logit_gradient: LogitGradient::Published,
        })
    }

    /// The same estimator with another epsilon in `-pi_D / (pi + epsilon)`.
    ///
    /// # Errors
    /// [`ParameterError`] if `epsilon` is outside [`parameter::ILS_EPSILON`].
    pub fn with_epsilon(self, epsilon: f64) -> Result<Self, ParameterError> {
        let epsilon = parameter::ILS_EPSILON.check(epsilon)?;
        Ok(Self { epsilon, ..self })
    }

    /// The same estimator with another way of bringing the gradient to the logits.
    pub fn with_logit_gradient(self, logit_gradient: LogitGradient) -> Self {
        Self {
            logit_gradient,
            ..self
        }
    }

    /// The step size `alpha`.
    pub fn step_size(&self) -> f64 {
        self.step_size
    }

    /// The epsilon in `-pi_D / (pi + epsilon)`.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// How the gradient reaches the logits.
    pub fn logit_gradient(&self) -> LogitGradient {
        self.logit_gradient
    }

    /// Writes the intermediate target `pi_D = h(e_k - alpha * delta)`, `delta_j = g_j - g_k`,
    /// into `target`.
    ///
    /// `pi_D` sums to 1 but is not always a distribution: an entry is negative where
    /// `g_j > g_k`, and if `alpha * sum_j delta_j = 1` the normalisation divides by zero and the
    /// result is not finite.
    ///
    /// # Panics
    /// If the slices differ in length or `drawn` is out of range.
    pub fn intermediate_target(&self, drawn: usize, grad_draw: &[f64], target: &mut [f64]) {
        assert_eq!(grad_draw.len(), target.len(), "ILS: length mismatch");
        let g_k = grad_draw[drawn];
        let mut total = 0.0;
        for (j, (v, &g)) in target.iter_mut().zip(grad_draw).enumerate() {
            let vertex = if j == drawn { 1.0 } else { 0.0 };
            *v = vertex - self.step_size * (g - g_k);
            total += *v;
        }
        let inverse = 1.0 / total;
        for v in target.iter_mut() {
            *v *= inverse;
        }
    }

    /// Writes the estimated `dL/dlogits` into `grad_logits`, given the probabilities `pi` the
    /// draw came from, the drawn index `k`, and `grad_draw = dL/dz` at `z = e_k`.
    ///
    /// # Panics
    /// If the slices differ in length or `drawn` is out of range.
    pub fn backward(
        &self,
        probs: &[f64],
        drawn: usize,
        grad_draw: &[f64],
        grad_logits: &mut [f64],
    ) {
        assert_eq!(probs.len(), grad_logits.len(), "ILS: length mismatch");
        self.intermediate_target(drawn, grad_draw, grad_logits);
        // d KL(pi_D || pi) / d pi_j = -pi_D_j / pi_j, with pi_D held fixed.
        for (g, &p) in grad_logits.iter_mut().zip(probs) {
            *g = -*g / (p + self.epsilon);
        }
        if self.logit_gradient == LogitGradient::Exact {
            // softmax_backward reads its input gradient and writes the output separately;
            // the chain rule needs G twice (per entry and in the mean), so take the mean first.
            let mean: f64 = probs
                .iter()
                .zip(grad_logits.iter())
                .map(|(p, g)| p * g)
                .sum();
            for (g, &p) in grad_logits.iter_mut().zip(probs) {
                *g = p * (*g - mean);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::softmax::softmax_backward;
    use crate::test_util::{assert_close, numeric_gradient};

    /// The exact-chain gradient computed another way, through [`softmax_backward`].
    fn exact_by_softmax_backward(probs: &[f64], grad_probs: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; probs.len()];
        softmax_backward(probs, grad_probs, &mut out);
        out
    }

    const PROBS: [f64; 4] = [0.1, 0.2, 0.3, 0.4];
    // dL/dz at the vertex k = 2.
    const GRAD: [f64; 4] = [-2.0, 0.5, 1.0, 3.0];

    #[test]
    fn intermediate_target_by_hand() {
        // delta = g - g_k = [-3, -0.5, 0, 2]; with alpha = 0.1:
        // e_2 - alpha delta = [0.3, 0.05, 1, -0.2], sum 1.15,
        // pi_D = [0.3, 0.05, 1, -0.2] / 1.15.
        let ils = Ils::new(0.1).expect("valid step size");
        let mut target = [0.0; 4];
        ils.intermediate_target(2, &GRAD, &mut target);
        let expected = [0.3 / 1.15, 0.05 / 1.15, 1.0 / 1.15, -0.2 / 1.15];
        assert_close(&target, &expected, 1e-15);
    }

    #[test]
    fn published_gradient_by_hand() {
        // -pi_D / (pi + 1e-7), with pi_D from the test above.
        let ils = Ils::new(0.1).expect("valid step size");
        let mut grad = [0.0; 4];
        ils.backward(&PROBS, 2, &GRAD, &mut grad);
        let pi_d = [0.3 / 1.15, 0.05 / 1.15, 1.0 / 1.15, -0.2 / 1.15];
        let expected: Vec<f64> = pi_d
            .iter()
            .zip(PROBS)
            .map(|(d, p)| -d / (p + 1e-7))
            .collect();
        assert_close(&grad, &expected, 1e-14);
        // The numbers themselves, worked on paper to seven digits: -0.2608696 / 0.1000001,
        // -0.04347826 / 0.2000001, -0.8695652 / 0.3000001 and 0.1739130 / 0.4000001.
        assert_close(&grad, &[-2.608693, -0.2173912, -2.898550, 0.4347825], 1e-6);
    }

    #[test]
    fn exact_gradient_by_hand() {
        // G = -pi_D / (pi + eps) as above; the chain through the softmax gives
        // pi_j (G_j - sum_i pi_i G_i). With eps = 0 the mean is -sum_j pi_D_j = -1 exactly,
        // so the result is pi_j G_j + pi_j = pi_j - pi_D_j.
        let ils = Ils::new(0.1)
            .and_then(|ils| ils.with_epsilon(1e-15))
            .expect("valid parameters")
            .with_logit_gradient(LogitGradient::Exact);
        let mut grad = [0.0; 4];
        ils.backward(&PROBS, 2, &GRAD, &mut grad);
        let pi_d = [0.3 / 1.15, 0.05 / 1.15, 1.0 / 1.15, -0.2 / 1.15];
        let expected: Vec<f64> = PROBS.iter().zip(pi_d).map(|(p, d)| p - d).collect();
        assert_close(&grad, &expected, 1e-14);

        // With the published epsilon the same path agrees with softmax_backward.
        let ils = ils.with_epsilon(PUBLISHED_EPSILON).expect("valid epsilon");
        ils.backward(&PROBS, 2, &GRAD, &mut grad);
        let g: Vec<f64> = pi_d
            .iter()
            .zip(PROBS)
            .map(|(d, p)| -d / (p + 1e-7))
            .collect();
        assert_close(&grad, &exact_by_softmax_backward(&PROBS, &g), 1e-15);
    }

    #[test]
    fn exact_gradient_is_kl_gradient_in_logits() {
        // d/dx KL(pi_D || softmax(x)) = softmax(x) - pi_D when pi_D sums to 1: check the exact
        // chain (eps -> 0) against finite differences of the intermediate loss itself.
        let logits = [0.2_f64, -0.4, 0.9, 0.1];
        let mut probs = [0.0; 4];
        crate::softmax(&logits, &mut probs);
        let ils = Ils::new(0.05)
            .and_then(|ils| ils.with_epsilon(1e-15))
            .expect("valid parameters")
            .with_logit_gradient(LogitGradient::Exact);
        let mut pi_d = [0.0; 4];
        ils.intermediate_target(1, &GRAD, &mut pi_d);
        let mut grad = [0.0; 4];
        ils.backward(&probs, 1, &GRAD, &mut grad);

        // Cross-entropy part only: the entropy of pi_D does not depend on x.
        let loss = |x: &[f64]| {
            let mut log_p = [0.0; 4];
            crate::log_softmax(x, &mut log_p);
            -pi_d.iter().zip(log_p).map(|(d, lp)| d * lp).sum::<f64>()
        };
        assert_close(&grad, &numeric_gradient(loss, &logits), 1e-8);
    }

    #[test]
    fn zero_step_size_targets_the_vertex() {
        let ils = Ils::new(0.0).expect("zero is allowed");
        let mut target = [0.0; 4];
        ils.intermediate_target(3, &GRAD, &mut target);
        assert_eq!(target, [0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn parameters_are_checked() {
        for bad in [-1e-9, f64::NAN, f64::INFINITY, 2e6] {
            assert!(Ils::new(bad).is_err(), "step size {bad} accepted");
        }
        let ils = Ils::new(0.01).expect("valid step size");
        for bad in [0.0, -1.0, f64::NAN] {
            assert!(ils.with_epsilon(bad).is_err(), "epsilon {bad} accepted");
        }
    }
}
