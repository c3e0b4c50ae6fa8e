//! Exact draws from a categorical distribution, as an index or as a one-hot vector.

use rand::{Rng, RngExt};

use crate::error::ParameterError;
use crate::softmax::softmax;

/// A categorical distribution `Cat(pi)` over `K` categories.
///
/// Built from logits (`pi = softmax(logits)`) or from probabilities; either way the input is
/// checked once here, so drawing cannot fail afterwards.
///
/// ```
/// use rand::SeedableRng;
///
/// let cat = ils::Categorical::from_logits(&[0.0, f64::NEG_INFINITY, 1.0])?;
/// let mut rng = ils::Generator::seed_from_u64(7);
/// let mut one_hot = [0.0; 3];
/// let k = cat.sample_one_hot(&mut rng, &mut one_hot);
/// assert_ne!(k, 1, "a masked category is never drawn");
/// assert_eq!(one_hot[k], 1.0);
/// # Ok::<(), ils::ParameterError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Categorical {
    probs: Vec<f64>,
}

impl Categorical {
    /// `Cat(softmax(logits))`. Entries may be `-inf` (masked) but not NaN or `+inf`, and at
    /// least one must be finite.
    ///
    /// # Errors
    /// [`ParameterError::NotADistribution`] for an empty slice, a NaN or `+inf` logit, or
    /// all logits `-inf`.
    pub fn from_logits(logits: &[f64]) -> Result<Self, ParameterError> {
        if logits.is_empty() {
            return Err(ParameterError::NotADistribution("no categories"));
        }
        if logits.iter().any(|x| x.is_nan() || *x == f64::INFINITY) {
            return Err(ParameterError::NotADistribution("a logit is NaN or +inf"));
        }
        if logits.iter().all(|x| x.is_infinite()) {
            return Err(ParameterError::NotADistribution("every category is masked"));
        }
        let mut probs = vec![0.0; logits.len()];
        softmax(logits, &mut probs);
        Ok(Self { probs })
    }

    /// `Cat(probs)` for non-negative, finite `probs` that sum to 1 within `1e-9`.
    ///
    /// # Errors
    /// [`ParameterError::NotADistribution`] otherwise.
    pub fn from_probs(probs: &[f64]) -> Result<Self, ParameterError> {
        if probs.is_empty() {
            return Err(ParameterError::NotADistribution("no categories"));
        }
        if probs.iter().any(|p| !p.is_finite() || *p < 0.0) {
            return Err(ParameterError::NotADistribution(
                "a probability is negative or not finite",
            ));
        }
        let total: f64 = probs.iter().sum();
        if (total - 1.0).abs() > 1e-9 {
            return Err(ParameterError::NotADistribution(
                "probabilities do not sum to 1",
            ));
        }
        Ok(Self {
            probs: probs.to_vec(),
        })
    }

    /// The probabilities `pi`.
    pub fn probs(&self) -> &[f64] {
        &self.probs
    }

    /// Draws a category index `k ~ Cat(pi)`.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        sample_index(&self.probs, rng)
    }

    /// Draws `k ~ Cat(pi)`, writes the one-hot vector `e_k` into `one_hot` and returns `k`.
    ///
    /// # Panics
    /// If `one_hot` has a different length from the distribution.
    pub fn sample_one_hot<R: Rng + ?Sized>(&self, rng: &mut R, one_hot: &mut [f64]) -> usize {
        assert_eq!(one_hot.len(), self.probs.len(), "one-hot length mismatch");
        let k = self.sample(rng);
        write_one_hot(k, one_hot);
        k
    }
}

/// Draws `k ~ Cat(probs)` by inverting the cumulative distribution at one uniform draw.
///
/// `probs` must be non-negative with a sum of 1 up to rounding (as [`softmax`] gives); this is
/// the unchecked kernel behind [`Categorical::sample`], used in the training loop where the
/// probabilities come straight from a softmax.
pub fn sample_index<R: Rng + ?Sized>(probs: &[f64], rng: &mut R) -> usize {
    let u: f64 = rng.random();
    let mut cumulative = 0.0;
    let mut last_possible = 0;
    for (j, &p) in probs.iter().enumerate() {
        cumulative += p;
        if u < cumulative {
            return j;
        }
        if p > 0.0 {
            last_possible = j;
        }
    }
    // The probabilities summed to slightly less than 1 by rounding and `u` fell in the gap:
    // the draw belongs to the last category that has any mass, never to a masked one.
    last_possible
}

/// Writes the one-hot vector `e_k` into `out`.
fn write_one_hot(k: usize, out: &mut [f64]) {
    out.fill(0.0);
    out[k] = 1.0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Generator;
    use rand::SeedableRng;

    #[test]
    fn frequencies_match_probabilities() {
        let probs = [0.5, 0.25, 0.15, 0.1, 0.0];
        let cat = Categorical::from_probs(&probs).expect("valid probabilities");
        let mut rng = Generator::seed_from_u64(2024);
        let draws = 200_000;
        let mut counts = [0usize; 5];
        for _ in 0..draws {
            counts[cat.sample(&mut rng)] += 1;
        }
        // The standard error of a frequency is sqrt(p (1 - p) / n) <= 0.0012 here; allow
        // five standard errors, 0.006.
        for (count, p) in counts.iter().zip(probs) {
            let frequency = *count as f64 / draws as f64;
            assert!((frequency - p).abs() < 0.006, "{frequency} vs {p}");
        }
        assert_eq!(counts[4], 0, "a zero-probability category was drawn");
    }

    #[test]
    fn one_hot_marks_the_drawn_category() {
        let cat = Categorical::from_logits(&[f64::NEG_INFINITY, 0.0, f64::NEG_INFINITY])
            .expect("one finite logit");
        let mut rng = Generator::seed_from_u64(1);
        let mut one_hot = [7.0; 3];
        assert_eq!(cat.sample_one_hot(&mut rng, &mut one_hot), 1);
        assert_eq!(one_hot, [0.0, 1.0, 0.0]);
    }

    #[test]
    fn rounding_gap_never_selects_a_masked_category() {
        // Sums to 1 - 1e-12: a draw of u in the gap must land on index 1, not on index 2.
        let probs = [0.5, 0.5 - 1e-12, 0.0];
        struct Top; // always returns the largest u64, so u = 1 - 2^-53
        impl rand::TryRng for Top {
            type Error = core::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                Ok(u32::MAX)
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                Ok(u64::MAX)
            }
            fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
                dst.fill(0xff);
                Ok(())
            }
        }
        assert_eq!(sample_index(&probs, &mut Top), 1);
    }

    #[test]
    fn invalid_inputs_are_rejected() {
        assert!(Categorical::from_logits(&[]).is_err());
        assert!(Categorical::from_logits(&[0.0, f64::NAN]).is_err());
        assert!(Categorical::from_logits(&[0.0, f64::INFINITY]).is_err());
        assert!(Categorical::from_logits(&[f64::NEG_INFINITY; 2]).is_err());
        assert!(Categorical::from_probs(&[0.5, 0.6]).is_err());
        assert!(Categorical::from_probs(&[1.5, -0.5]).is_err());
        assert!(Categorical::from_probs(&[f64::NAN, 1.0]).is_err());
    }

    #[test]
    fn extreme_logits_give_a_valid_distribution() {
        let cat = Categorical::from_logits(&[1e4, -1e4, 1e4]).expect("finite logits");
        assert_eq!(cat.probs(), &[0.5, 0.0, 0.5]);
    }
}
