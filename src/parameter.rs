//! Every setting's allowed values, defined once. The estimators, the toy problem, the command
//! line and the page all check against these and keep no ranges of their own.

use crate::error::ParameterError;

/// A named setting and the values it may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Parameter {
    /// How messages name it: `step size`.
    pub name: &'static str,
    /// How links and the page name it: `step_size`.
    pub key: &'static str,
    pub min: f64,
    pub max: f64,
    /// Whether only whole numbers are allowed.
    pub whole: bool,
}

/// Gumbel-Softmax temperature `T`. Below `1e-6`, `(logits + g) / T` overflows for ordinary
/// logits; above `1e6` every relaxed sample is uniform to within rounding.
pub const TEMPERATURE: Parameter = real("temperature", "temperature", 1e-6, 1e6);
/// ILS step size `alpha`; 0 makes the intermediate target the drawn vertex itself.
pub const STEP_SIZE: Parameter = real("step size", "step_size", 0.0, 1e6);
/// The SGD learning rate. Large values make a run diverge, which is reported, not hidden.
pub const LEARNING_RATE: Parameter = real("learning rate", "learning_rate", 1e-9, 1e3);
/// The epsilon in the loss's `ln(draw + epsilon)`; published 1e-8.
pub const LOSS_EPSILON: Parameter = real("loss epsilon", "loss_epsilon", 1e-15, 1.0);
/// The epsilon in ILS's `-pi_D / (pi + epsilon)`; published 1e-7.
pub const ILS_EPSILON: Parameter = real("ILS epsilon", "ils_epsilon", 1e-15, 1.0);
/// Score-function baseline decay `beta`: the baseline moves as `b <- beta b + (1 - beta) L`.
/// At 1 it would never move from its start.
pub const BASELINE_DECAY: Parameter = real("baseline decay", "baseline_decay", 0.0, 0.999);
/// Gradient estimates drawn per measurement by the diagnostics. The page measures at 15 points
/// per panel, so 1e5 estimates there take a few seconds at the published size.
pub const ESTIMATES: Parameter = whole("estimates", "estimates", 2.0, 1e5);
/// Parameter values in one diagnostics sweep.
pub const SWEEP_POINTS: Parameter = whole("sweep points", "sweep_points", 2.0, 1000.0);
/// SGD steps in a run.
pub const STEPS: Parameter = whole("steps", "steps", 0.0, 1e7);
/// SGD steps per run in a learning-rate search: its score is a mean over the steps, so a run
/// needs at least one.
pub const TUNING_STEPS: Parameter = whole("steps", "steps", 1.0, 1e7);
/// Seeds per point of a learning-rate search, which uses seeds 0, 1, 2, ... up to one fewer.
pub const TUNING_SEEDS: Parameter = whole("seeds", "seeds", 1.0, 1000.0);
/// `K`, categories per distribution. The upper bounds of `K` and `N` keep one step of the
/// largest problem (1e5 logits) within a few milliseconds, so the page stays responsive.
pub const CATEGORIES: Parameter = whole("categories", "categories", 2.0, 1000.0);
/// `N`, target distributions (trials).
pub const TRIALS: Parameter = whole("trials", "trials", 1.0, 100.0);
/// The seed. It stops at 2^53 - 1, the largest whole number a browser's number input (and
/// JavaScript) holds exactly, so that every run can be shared as a link.
pub const SEED: Parameter = whole("seed", "seed", 0.0, 9_007_199_254_740_991.0);

const fn real(name: &'static str, key: &'static str, min: f64, max: f64) -> Parameter {
    Parameter {
        name,
        key,
        min,
        max,
        whole: false,
    }
}

const fn whole(name: &'static str, key: &'static str, min: f64, max: f64) -> Parameter {
    Parameter {
        name,
        key,
        min,
        max,
        whole: true,
    }
}

impl Parameter {
    /// Returns `value` if it is allowed.
    ///
    /// # Errors
    /// [`ParameterError::NotFinite`] for NaN and infinities, [`ParameterError::OutOfRange`]
    /// outside `min..=max`, [`ParameterError::NotWhole`] for a fraction where a whole number is
    /// needed.
    ///
    /// ```
    /// use ils::parameter::TEMPERATURE;
    ///
    /// assert_eq!(TEMPERATURE.check(0.5), Ok(0.5));
    /// let error = TEMPERATURE.check(0.0).unwrap_err();
    /// assert_eq!(error.to_string(), "temperature must be from 0.000001 to 1000000, got 0");
    /// ```
    pub fn check(&self, value: f64) -> Result<f64, ParameterError> {
        if !value.is_finite() {
            return Err(ParameterError::NotFinite {
                parameter: self.name,
                value,
            });
        }
        if !(self.min..=self.max).contains(&value) {
            return Err(ParameterError::OutOfRange {
                parameter: self.name,
                value,
                min: self.min,
                max: self.max,
            });
        }
        if self.whole && value.fract() != 0.0 {
            return Err(ParameterError::NotWhole {
                parameter: self.name,
                value,
            });
        }
        Ok(value)
    }

    /// [`check`](Self::check) for a count.
    ///
    /// # Errors
    /// As [`check`](Self::check).
    pub fn check_count(&self, value: u64) -> Result<u64, ParameterError> {
        // Counts above 2^53 round on the way to f64, but they are out of every range anyway.
        self.check(value as f64).map(|_| value)
    }

    /// The nearest allowed value to a finite `value`: clamped into range and, for whole
    /// parameters, rounded.
    pub fn nearest(&self, value: f64) -> f64 {
        let clamped = value.clamp(self.min, self.max);
        if self.whole { clamped.round() } else { clamped }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_error_names_the_parameter_and_the_range() {
        let message = |p: Parameter, v: f64| p.check(v).unwrap_err().to_string();
        assert_eq!(
            message(STEP_SIZE, -1.0),
            "step size must be from 0 to 1000000, got -1"
        );
        assert_eq!(
            message(LEARNING_RATE, f64::NAN),
            "learning rate must be a finite number, got NaN"
        );
        assert_eq!(
            message(TRIALS, f64::INFINITY),
            "trials must be a finite number, got inf"
        );
        assert_eq!(
            message(CATEGORIES, 2.5),
            "categories must be a whole number, got 2.5"
        );
        assert_eq!(
            message(SEED, 2f64.powi(53)),
            "seed must be from 0 to 9007199254740991, got 9007199254740992"
        );
    }

    #[test]
    fn bounds_are_inclusive() {
        for p in [
            TEMPERATURE,
            STEP_SIZE,
            LEARNING_RATE,
            LOSS_EPSILON,
            ILS_EPSILON,
        ] {
            assert_eq!(p.check(p.min), Ok(p.min));
            assert_eq!(p.check(p.max), Ok(p.max));
        }
        assert_eq!(CATEGORIES.check_count(1000), Ok(1000));
        assert!(CATEGORIES.check_count(1001).is_err());
        assert!(SEED.check_count(u64::MAX).is_err());
    }

    #[test]
    fn nearest_allowed_value() {
        assert_eq!(TEMPERATURE.nearest(0.0), 1e-6);
        assert_eq!(TEMPERATURE.nearest(1e300), 1e6);
        assert_eq!(CATEGORIES.nearest(2.4), 2.0);
        assert_eq!(TRIALS.nearest(-3.0), 1.0);
    }
}
