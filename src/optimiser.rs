//! How a gradient estimate becomes a change of the logits: plain SGD (published), SGD on the
//! gradient divided by its norm, or Adam. The last two remove the scale of an estimator's
//! update, so that estimators can be compared by the direction of their updates alone.

/// Adam's usual constants: the decay of the first and second moments and the epsilon added
/// to the second moment's root.
const ADAM_BETA1: f64 = 0.9;
const ADAM_BETA2: f64 = 0.999;
const ADAM_EPSILON: f64 = 1e-8;

/// An update rule for the logits, given a gradient estimate `g` for all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Optimiser {
    /// `x <- x - rate g`, as published.
    #[default]
    Sgd,
    /// `x <- x - rate Pg / |Pg|`, where `P` removes each trial's all-ones part (which changes
    /// no probability) and the norm is over every logit of every trial: a step of fixed length
    /// along the part of the estimate that changes the probabilities (none where that part is
    /// zero). Normalising the whole estimate instead would let an estimate with a large
    /// all-ones part, as ILS's published update has, move the probabilities less per step.
    NormalisedSgd,
    /// Adam with its usual constants (0.9, 0.999, 1e-8) and bias correction.
    Adam,
}

impl Optimiser {
    /// Every optimiser, in the order a selector lists them.
    pub const ALL: [Self; 3] = [Self::Sgd, Self::NormalisedSgd, Self::Adam];

    /// The name used in links and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sgd => "sgd",
            Self::NormalisedSgd => "normalised-sgd",
            Self::Adam => "adam",
        }
    }

    /// How a reader is told the optimiser: "plain SGD", "normalised SGD", "Adam".
    pub fn title(self) -> &'static str {
        match self {
            Self::Sgd => "plain SGD",
            Self::NormalisedSgd => "normalised SGD",
            Self::Adam => "Adam",
        }
    }

    /// The optimiser called `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// What an optimiser remembers between steps: Adam's moments, nothing for the others.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OptimiserState {
    optimiser: Optimiser,
    /// `K`, the length of each trial's row, for normalised SGD's projection.
    categories: usize,
    first: Vec<f64>,
    second: Vec<f64>,
    /// `beta1^t` and `beta2^t` after `t` steps, for Adam's bias correction.
    powers: (f64, f64),
}

impl OptimiserState {
    /// The state for `size` logits in rows of `categories`.
    pub(crate) fn new(optimiser: Optimiser, size: usize, categories: usize) -> Self {
        let moments = if optimiser == Optimiser::Adam {
            size
        } else {
            0
        };
        Self {
            optimiser,
            categories: categories.max(1),
            first: vec![0.0; moments],
            second: vec![0.0; moments],
            powers: (1.0, 1.0),
        }
    }

    /// Moves `logits` against `gradients` by the rule, at `rate`.
    pub(crate) fn apply(&mut self, rate: f64, logits: &mut [f64], gradients: &[f64]) {
        match self.optimiser {
            Optimiser::Sgd => {
                for (x, g) in logits.iter_mut().zip(gradients) {
                    *x -= rate * g;
                }
            }
            Optimiser::NormalisedSgd => {
                let k = self.categories;
                let row_mean = |row: &[f64]| row.iter().sum::<f64>() / k as f64;
                let mut squared = 0.0;
                for row in gradients.chunks(k) {
                    let mean = row_mean(row);
                    squared += row.iter().map(|g| (g - mean) * (g - mean)).sum::<f64>();
                }
                let norm = libm::sqrt(squared);
                if norm > 0.0 {
                    let rows = logits.chunks_mut(k).zip(gradients.chunks(k));
                    for (x_row, g_row) in rows {
                        let mean = row_mean(g_row);
                        for (x, g) in x_row.iter_mut().zip(g_row) {
                            *x -= rate * ((g - mean) / norm);
                        }
                    }
                }
            }
            Optimiser::Adam => {
                self.powers = (self.powers.0 * ADAM_BETA1, self.powers.1 * ADAM_BETA2);
                let (first_bias, second_bias) = (1.0 - self.powers.0, 1.0 - self.powers.1);
                let moments = self.first.iter_mut().zip(self.second.iter_mut());
                for ((x, g), (m, v)) in logits.iter_mut().zip(gradients).zip(moments) {
                    *m = ADAM_BETA1 * *m + (1.0 - ADAM_BETA1) * g;
                    *v = ADAM_BETA2 * *v + (1.0 - ADAM_BETA2) * g * g;
                    let step = (*m / first_bias) / (libm::sqrt(*v / second_bias) + ADAM_EPSILON);
                    *x -= rate * step;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::assert_close;

    #[test]
    fn each_rule_by_hand() {
        let g = [3.0, -4.0];

        let mut x = [1.0, 1.0];
        OptimiserState::new(Optimiser::Sgd, 2, 2).apply(0.1, &mut x, &g);
        assert_close(&x, &[0.7, 1.4], 1e-15);

        // Two trials of K = 2: rows (1, 3) and (2, 2) lose their means (2 and 2), leaving
        // Pg = (-1, 1, 0, 0) of length sqrt(2); a step of length 0.1 sqrt(2) along -Pg moves
        // the first row by (0.1, -0.1) and the second, all-ones only, not at all.
        let mut x = [1.0, 1.0, 5.0, 5.0];
        let rate = 0.1 * 2f64.sqrt();
        OptimiserState::new(Optimiser::NormalisedSgd, 4, 2).apply(
            rate,
            &mut x,
            &[1.0, 3.0, 2.0, 2.0],
        );
        assert_close(&x, &[1.1, 0.9, 5.0, 5.0], 1e-15);

        // Adam's first step: m = 0.1 g, v = 0.001 g^2; corrected m / sqrt(v) = sign(g), so
        // each logit moves by rate / (1 + 1e-8 / |g|), against its gradient's sign.
        let mut x = [1.0, 1.0];
        OptimiserState::new(Optimiser::Adam, 2, 2).apply(0.1, &mut x, &g);
        let expected = [
            1.0 - 0.1 / (1.0 + 1e-8 / 3.0),
            1.0 + 0.1 / (1.0 + 1e-8 / 4.0),
        ];
        assert_close(&x, &expected, 1e-14);
    }

    #[test]
    fn a_zero_gradient_moves_nothing() {
        for optimiser in Optimiser::ALL {
            let mut x = [0.5, -2.0];
            OptimiserState::new(optimiser, 2, 2).apply(1.0, &mut x, &[0.0, 0.0]);
            assert_eq!(x, [0.5, -2.0], "{optimiser:?}");
        }
        // Nor, under normalised SGD, does an estimate that is all-ones in each trial.
        let mut x = [0.5, -2.0];
        OptimiserState::new(Optimiser::NormalisedSgd, 2, 2).apply(1.0, &mut x, &[3.0, 3.0]);
        assert_eq!(x, [0.5, -2.0]);
        {}
    }

    #[test]
    fn names_round_trip() {
        for optimiser in Optimiser::ALL {
            assert_eq!(Optimiser::from_name(optimiser.name()), Some(optimiser));
        }
        assert_eq!(Optimiser::from_name("rmsprop"), None);
    }
}
