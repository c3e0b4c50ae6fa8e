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
    /// `x <- x - rate g / |g|`, with `|g|` the norm over every logit of every trial: a step of
    /// fixed length in the estimate's direction (none where the estimate is zero).
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

    /// The optimiser called `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// What an optimiser remembers between steps: Adam's moments, nothing for the others.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OptimiserState {
    optimiser: Optimiser,
    first: Vec<f64>,
    second: Vec<f64>,
    /// `beta1^t` and `beta2^t` after `t` steps, for Adam's bias correction.
    powers: (f64, f64),
}

impl OptimiserState {
    pub(crate) fn new(optimiser: Optimiser, size: usize) -> Self {
        let moments = if optimiser == Optimiser::Adam {
            size
        } else {
            0
        };
        Self {
            optimiser,
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
                let norm = libm::sqrt(gradients.iter().map(|g| g * g).sum::<f64>());
                if norm > 0.0 {
                    for (x, g) in logits.iter_mut().zip(gradients) {
                        *x -= rate * (g / norm);
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
        OptimiserState::new(Optimiser::Sgd, 2).apply(0.1, &mut x, &g);
        assert_close(&x, &[0.7, 1.4], 1e-15);

        // |g| = 5: a step of length 0.1 along -g / 5 = (-0.6, 0.8).
        let mut x = [1.0, 1.0];
        OptimiserState::new(Optimiser::NormalisedSgd, 2).apply(0.1, &mut x, &g);
        assert_close(&x, &[0.94, 1.08], 1e-15);

        // Adam's first step: m = 0.1 g, v = 0.001 g^2; corrected m / sqrt(v) = sign(g), so
        // each logit moves by rate / (1 + 1e-8 / |g|), against its gradient's sign.
        let mut x = [1.0, 1.0];
        OptimiserState::new(Optimiser::Adam, 2).apply(0.1, &mut x, &g);
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
            OptimiserState::new(optimiser, 2).apply(1.0, &mut x, &[0.0, 0.0]);
            assert_eq!(x, [0.5, -2.0], "{optimiser:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for optimiser in Optimiser::ALL {
            assert_eq!(Optimiser::from_name(optimiser.name()), Some(optimiser));
        }
        assert_eq!(Optimiser::from_name("rmsprop"), None);
    }
}
