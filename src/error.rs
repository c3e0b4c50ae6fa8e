//! The one error type for parameters: every setting is checked where its value is built.

use std::fmt;

/// A parameter outside the values the estimators and the toy problem accept.
///
/// Each variant names the parameter and the value it was given, so a message can say both.
#[derive(Clone, Debug, PartialEq)]
pub enum ParameterError {
    /// NaN or an infinity where a finite number is needed.
    NotFinite { parameter: &'static str, value: f64 },
    /// A real number outside its allowed range.
    OutOfRange {
        parameter: &'static str,
        value: f64,
        allowed: &'static str,
    },
    /// A count (categories, trials) outside its allowed range.
    CountOutOfRange {
        parameter: &'static str,
        value: usize,
        min: usize,
        max: usize,
    },
    /// Probabilities or logits that do not describe a distribution.
    NotADistribution(&'static str),
    /// A slice of the wrong length: `N` rows of `K` entries, say.
    WrongLength {
        parameter: &'static str,
        value: usize,
        expected: usize,
    },
}

impl fmt::Display for ParameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFinite { parameter, value } => {
                write!(f, "{parameter} must be a finite number, got {value}")
            }
            Self::OutOfRange {
                parameter,
                value,
                allowed,
            } => write!(f, "{parameter} must be {allowed}, got {value}"),
            Self::CountOutOfRange {
                parameter,
                value,
                min,
                max,
            } => write!(f, "{parameter} must be from {min} to {max}, got {value}"),
            Self::NotADistribution(why) => write!(f, "not a distribution: {why}"),
            Self::WrongLength {
                parameter,
                value,
                expected,
            } => write!(f, "{parameter} must hold {expected} numbers, got {value}"),
        }
    }
}

impl std::error::Error for ParameterError {}

/// Checks that `value` is finite and greater than zero.
pub(crate) fn positive(parameter: &'static str, value: f64) -> Result<f64, ParameterError> {
    finite(parameter, value)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(ParameterError::OutOfRange {
            parameter,
            value,
            allowed: "greater than 0",
        })
    }
}

/// Checks that `value` is finite and not negative.
pub(crate) fn non_negative(parameter: &'static str, value: f64) -> Result<f64, ParameterError> {
    finite(parameter, value)?;
    if value >= 0.0 {
        Ok(value)
    } else {
        Err(ParameterError::OutOfRange {
            parameter,
            value,
            allowed: "0 or greater",
        })
    }
}

/// Checks that `value` is neither NaN nor infinite.
pub(crate) fn finite(parameter: &'static str, value: f64) -> Result<f64, ParameterError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ParameterError::NotFinite { parameter, value })
    }
}

/// Checks that `value` lies in `min..=max`.
pub(crate) fn count(
    parameter: &'static str,
    value: usize,
    min: usize,
    max: usize,
) -> Result<usize, ParameterError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ParameterError::CountOutOfRange {
            parameter,
            value,
            min,
            max,
        })
    }
}
