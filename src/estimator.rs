//! The estimators the toy problem can train with, behind one enum.

use std::fmt;

use crate::gumbel_softmax::GumbelSoftmax;
use crate::ils::{Ils, LogitGradient};

/// A gradient estimator for a categorical draw, with its parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Estimator {
    /// Gumbel-Softmax, relaxed or straight-through; its parameter is the temperature `T`.
    GumbelSoftmax(GumbelSoftmax),
    /// Intermediate Loss Sampling; its parameter is the step size `alpha`.
    Ils(Ils),
}

impl Estimator {
    /// The name used in CSV files and on the command line: `gumbel-softmax`,
    /// `gumbel-softmax-hard`, `ils` or `ils-exact`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::GumbelSoftmax(gs) if gs.is_straight_through() => "gumbel-softmax-hard",
            Self::GumbelSoftmax(_) => "gumbel-softmax",
            Self::Ils(ils) if ils.logit_gradient() == LogitGradient::Exact => "ils-exact",
            Self::Ils(_) => "ils",
        }
    }

    /// The estimator's own parameter: the temperature or the step size.
    pub fn parameter(&self) -> f64 {
        match self {
            Self::GumbelSoftmax(gs) => gs.temperature(),
            Self::Ils(ils) => ils.step_size(),
        }
    }

    /// The parameter's symbol, for labels: `T` or `α`.
    pub fn parameter_symbol(&self) -> &'static str {
        match self {
            Self::GumbelSoftmax(_) => "T",
            Self::Ils(_) => "α",
        }
    }
}

impl fmt::Display for Estimator {
    /// A label for charts and tables, such as `Gumbel-Softmax, T = 0.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let title = match self {
            Self::GumbelSoftmax(gs) if gs.is_straight_through() => {
                "Straight-through Gumbel-Softmax"
            }
            Self::GumbelSoftmax(_) => "Gumbel-Softmax",
            Self::Ils(ils) if ils.logit_gradient() == LogitGradient::Exact => "ILS (exact chain)",
            Self::Ils(_) => "ILS",
        };
        write!(
            f,
            "{title}, {} = {}",
            self.parameter_symbol(),
            self.parameter()
        )
    }
}

impl From<GumbelSoftmax> for Estimator {
    fn from(gs: GumbelSoftmax) -> Self {
        Self::GumbelSoftmax(gs)
    }
}

impl From<Ils> for Estimator {
    fn from(ils: Ils) -> Self {
        Self::Ils(ils)
    }
}
