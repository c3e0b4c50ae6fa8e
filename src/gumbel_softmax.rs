//! The Gumbel-Softmax relaxation and its straight-through ("hard") variant.

use rand::distr::Open01;
use rand::{Rng, RngExt};

use crate::error::ParameterError;
use crate::parameter;
use crate::softmax::{argmax, softmax_backward, softmax_in_place};

/// The Gumbel-Softmax estimator: the relaxed sample `y = softmax((logits + g) / T)` with
/// `g_j ~ Gumbel(0, 1)` independent, differentiated exactly.
///
/// Its backward pass is the vector-Jacobian product
/// `dL/dlogits_j = y_j (dL/dy_j - sum_i y_i dL/dy_i) / T`.
/// The straight-through variant uses the one-hot `e_k`, `k = argmax_j y_j`, as its forward
/// value (an exact draw from `Cat(softmax(logits))`, by the Gumbel-max trick) and the same
/// relaxed backward pass.
///
/// ```
/// use rand::SeedableRng;
///
/// let gs = ils::GumbelSoftmax::new(0.5)?;
/// let mut rng = ils::Generator::seed_from_u64(3);
/// let mut y = [0.0; 3];
/// let k = gs.sample(&[1.0, 0.0, -1.0], &mut rng, &mut y);
/// assert!((y.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// assert!(y.iter().all(|&p| p <= y[k]));
/// # Ok::<(), ils::ParameterError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GumbelSoftmax {
    temperature: f64,
    straight_through: bool,
}

impl GumbelSoftmax {
    /// The relaxed estimator at temperature `T`.
    ///
    /// # Errors
    /// [`ParameterError`] if `T` is outside [`parameter::TEMPERATURE`].
    pub fn new(temperature: f64) -> Result<Self, ParameterError> {
        let temperature = parameter::TEMPERATURE.check(temperature)?;
        Ok(Self {
            temperature,
            straight_through: false,
        })
    }

    /// The same estimator with a one-hot forward value (`true`) or the relaxed one (`false`).
    pub fn with_straight_through(self, straight_through: bool) -> Self {
        Self {
            straight_through,
            ..self
        }
    }

    /// The temperature `T`.
    pub fn temperature(&self) -> f64 {
        self.temperature
    }

    /// Whether the forward value is the one-hot argmax rather than the relaxed sample.
    pub fn is_straight_through(&self) -> bool {
        self.straight_through
    }

    /// Writes the relaxed sample `y = softmax((logits + g) / T)` into `relaxed` and returns
    /// `k = argmax_j y_j`, which is distributed as `Cat(softmax(logits))`.
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn sample<R: Rng + ?Sized>(
        &self,
        logits: &[f64],
        rng: &mut R,
        relaxed: &mut [f64],
    ) -> usize {
        assert_eq!(
            logits.len(),
            relaxed.len(),
            "Gumbel-Softmax: length mismatch"
        );
        for (y, &x) in relaxed.iter_mut().zip(logits) {
            *y = (x + sample_gumbel(rng)) / self.temperature;
        }
        // The argmax of the scaled logits is the argmax of their softmax; take it before the
        // softmax, where ties are rarer than after rounding to probabilities.
        let k = argmax(relaxed);
        softmax_in_place(relaxed);
        k
    }

    /// Writes `dL/dlogits` into `grad_logits`, given the relaxed sample `relaxed` from
    /// [`sample`](Self::sample) and `grad_sample = dL/dy` at the forward value. For the
    /// straight-through variant `grad_sample` is the gradient at the one-hot vector, and the
    /// product is still taken with the relaxed sample's Jacobian.
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn backward(&self, relaxed: &[f64], grad_sample: &[f64], grad_logits: &mut [f64]) {
        softmax_backward(relaxed, grad_sample, grad_logits);
        let inverse = 1.0 / self.temperature;
        for g in grad_logits.iter_mut() {
            *g *= inverse;
        }
    }
}

/// Draws `g ~ Gumbel(0, 1)` as `-ln(-ln(u))` with `u` uniform on the open interval (0, 1).
///
/// The interval excludes both ends because `u = 0` makes the inner logarithm `-inf` and `u = 1`
/// makes the outer one `ln(0)`. `rand_distr::Gumbel` computes the same formula with `std`'s
/// logarithm, whose last bit differs between platforms; this uses `libm` so that a seed gives
/// the same bits natively and in the browser.
pub fn sample_gumbel<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u: f64 = rng.sample(Open01);
    -libm::log(-libm::log(u))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Generator;
    use crate::softmax::softmax;
    use crate::test_util::{assert_close, numeric_gradient};
    use rand::SeedableRng;

    /// The loss `L(y) = sum_j w_j ln(y_j + 0.1)`, smooth and non-linear in `y`.
    fn loss(y: &[f64], w: &[f64]) -> f64 {
        y.iter().zip(w).map(|(y, w)| w * (y + 0.1).ln()).sum()
    }

    #[test]
    fn backward_matches_finite_differences() {
        let logits = [0.4, -0.3, 1.1, 0.0];
        let gumbel = [0.2, 1.3, -0.5, 0.7]; // a fixed noise draw, so y is a function of logits
        let w = [1.0, -0.5, 2.0, 0.3];
        for temperature in [0.1, 1.0, 10.0] {
            let gs = GumbelSoftmax::new(temperature).expect("valid temperature");
            let relaxed_at = |x: &[f64]| {
                let scaled: Vec<f64> = x
                    .iter()
                    .zip(&gumbel)
                    .map(|(x, g)| (x + g) / temperature)
                    .collect();
                let mut y = vec![0.0; 4];
                softmax(&scaled, &mut y);
                y
            };
            let y = relaxed_at(&logits);
            let grad_y: Vec<f64> = y.iter().zip(&w).map(|(y, w)| w / (y + 0.1)).collect();
            let mut grad = [0.0; 4];
            gs.backward(&y, &grad_y, &mut grad);

            let numeric = numeric_gradient(|x| loss(&relaxed_at(x), &w), &logits);
            assert_close(&grad, &numeric, 1e-6);
        }
    }

    #[test]
    fn argmax_of_relaxed_sample_is_categorical() {
        // Gumbel-max: k = argmax(logits + g) ~ Cat(softmax(logits)), whatever T is.
        let logits = [0.0, 1.0, -1.0];
        let mut probs = [0.0; 3];
        softmax(&logits, &mut probs);
        let gs = GumbelSoftmax::new(5.0).expect("valid temperature");
        let mut rng = Generator::seed_from_u64(11);
        let mut y = [0.0; 3];
        let mut counts = [0usize; 3];
        let draws = 100_000;
        for _ in 0..draws {
            counts[gs.sample(&logits, &mut rng, &mut y)] += 1;
        }
        // Standard error at most sqrt(0.25 / 1e5) = 0.0016; five of them: 0.008.
        for (c, p) in counts.iter().zip(probs) {
            assert!((*c as f64 / draws as f64 - p).abs() < 0.008);
        }
    }

    #[test]
    fn gumbel_mean_and_variance() {
        // Gumbel(0, 1) has mean gamma = 0.5772... and variance pi^2 / 6 = 1.6449...
        let mut rng = Generator::seed_from_u64(5);
        let n = 200_000;
        let draws: Vec<f64> = (0..n).map(|_| sample_gumbel(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        // Standard error of the mean: sqrt(1.645 / 2e5) = 0.0029; allow 0.015.
        assert!((mean - 0.577_215_664_9).abs() < 0.015, "mean {mean}");
        // The sample variance's standard error is sigma^2 sqrt((2 + 12/5) / n) = 0.0077 (12/5 is
        // the excess kurtosis); allow 0.04.
        assert!(
            (var - std::f64::consts::PI.powi(2) / 6.0).abs() < 0.04,
            "var {var}"
        );
    }

    #[test]
    fn temperature_is_checked() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-7, 1e7] {
            assert!(GumbelSoftmax::new(bad).is_err(), "{bad} accepted");
        }
        assert!(GumbelSoftmax::new(1e-6).is_ok());
    }
}
