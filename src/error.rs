//! The one error type for parameters: every setting is checked where its value is built.

use std::fmt;

/// A parameter outside the values the estimators and the toy problem accept.
///
/// Each variant names the parameter and the value it was given, and says what is allowed.
#[derive(Clone, Debug, PartialEq)]
pub enum ParameterError {
    /// NaN or an infinity where a finite number is needed.
    NotFinite { parameter: &'static str, value: f64 },
    /// A number outside `min..=max`.
    OutOfRange {
        parameter: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    /// A fraction where a whole number is needed.
    NotWhole { parameter: &'static str, value: f64 },
    /// Probabilities or logits that do not describe a distribution.
    NotADistribution(&'static str),
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
                min,
                max,
            } => write!(f, "{parameter} must be from {min} to {max}, got {value}"),
            Self::NotWhole { parameter, value } => {
                write!(f, "{parameter} must be a whole number, got {value}")
            }
            Self::NotADistribution(why) => write!(f, "not a distribution: {why}"),
        }
    }
}

impl std::error::Error for ParameterError {}
