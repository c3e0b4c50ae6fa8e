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
                min,
                max,
            } => {
                let (min, max, value) = (number(*min), number(*max), number(*value));
                write!(f, "{parameter} must be from {min} to {max}, got {value}")
            }
            Self::NotWhole { parameter, value } => {
                write!(
                    f,
                    "{parameter} must be a whole number, got {}",
                    number(*value)
                )
            }
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

/// A number as a person would write it: plainly, unless it is so large or small that plain
/// digits would run on (1e308 has 309 of them).
fn number(value: f64) -> String {
    if value == 0.0 || (1e-6..1e16).contains(&value.abs()) {
        value.to_string()
    } else {
        format!("{value:e}")
    }
}
