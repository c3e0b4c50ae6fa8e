//! The estimators the toy problem can train with, behind one enum.

use std::fmt;

use crate::error::ParameterError;
use crate::gumbel_softmax::GumbelSoftmax;
use crate::ils::{Ils, LogitGradient};
use crate::score_function::ScoreFunction;

/// A gradient estimator for a categorical draw, with its parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Estimator {
    /// Gumbel-Softmax, relaxed or straight-through; its parameter is the temperature `T`.
    GumbelSoftmax(GumbelSoftmax),
    /// Intermediate Loss Sampling; its parameter is the step size `alpha`.
    Ils(Ils),
    /// The score-function estimator (REINFORCE) with a running-mean baseline; its parameter
    /// is the baseline decay `beta`.
    ScoreFunction(ScoreFunction),
}

/// Which estimator, without its parameter: what a selector or a command-line flag names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EstimatorKind {
    GumbelSoftmax,
    GumbelSoftmaxHard,
    Ils,
    IlsExact,
    ScoreFunction,
}

impl EstimatorKind {
    /// Every kind, in the order a selector lists them.
    pub const ALL: [Self; 5] = [
        Self::GumbelSoftmax,
        Self::GumbelSoftmaxHard,
        Self::Ils,
        Self::IlsExact,
        Self::ScoreFunction,
    ];

    /// The name used in CSV files, links and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::GumbelSoftmax => "gumbel-softmax",
            Self::GumbelSoftmaxHard => "gumbel-softmax-hard",
            Self::Ils => "ils",
            Self::IlsExact => "ils-exact",
            Self::ScoreFunction => "score-function",
        }
    }

    /// The kind called `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The name for people.
    pub fn title(self) -> &'static str {
        match self {
            Self::GumbelSoftmax => "Gumbel-Softmax",
            Self::GumbelSoftmaxHard => "Straight-through Gumbel-Softmax",
            Self::Ils => "ILS",
            Self::IlsExact => "ILS (exact chain)",
            Self::ScoreFunction => "Score function (REINFORCE)",
        }
    }

    /// The values of this kind's parameter in the published figure: temperatures 0.1, 1 and
    /// 10 for Gumbel-Softmax, step sizes 0.1, 0.01 and 0.001 for ILS, none for the score
    /// function (which the published comparison does not include).
    pub fn published_parameters(self) -> &'static [f64] {
        match self {
            Self::GumbelSoftmax | Self::GumbelSoftmaxHard => &[0.1, 1.0, 10.0],
            Self::Ils | Self::IlsExact => &[0.1, 0.01, 0.001],
            Self::ScoreFunction => &[],
        }
    }

    /// The estimator of this kind with its own parameter at `value` and the published
    /// settings otherwise.
    ///
    /// # Errors
    /// [`ParameterError`] if `value` is out of range for this kind's parameter.
    pub fn at(self, value: f64) -> Result<Estimator, ParameterError> {
        self.build(value, value, crate::ils::PUBLISHED_EPSILON, value)
    }

    /// The estimator of this kind, taking whichever of the parameters it uses.
    ///
    /// # Errors
    /// [`ParameterError`] if the parameter it uses is out of range.
    pub fn build(
        self,
        temperature: f64,
        step_size: f64,
        ils_epsilon: f64,
        baseline_decay: f64,
    ) -> Result<Estimator, ParameterError> {
        let ils = || Ils::new(step_size)?.with_epsilon(ils_epsilon);
        Ok(match self {
            Self::GumbelSoftmax => GumbelSoftmax::new(temperature)?.into(),
            Self::GumbelSoftmaxHard => GumbelSoftmax::new(temperature)?
                .with_straight_through(true)
                .into(),
            Self::Ils => ils()?.into(),
            Self::IlsExact => ils()?.with_logit_gradient(LogitGradient::Exact).into(),
            Self::ScoreFunction => ScoreFunction::new(baseline_decay)?.into(),
        })
    }
}

impl Estimator {
    /// Which estimator this is.
    pub fn kind(&self) -> EstimatorKind {
        match self {
            Self::GumbelSoftmax(gs) if gs.is_straight_through() => EstimatorKind::GumbelSoftmaxHard,
            Self::GumbelSoftmax(_) => EstimatorKind::GumbelSoftmax,
            Self::Ils(ils) if ils.logit_gradient() == LogitGradient::Exact => {
                EstimatorKind::IlsExact
            }
            Self::Ils(_) => EstimatorKind::Ils,
            Self::ScoreFunction(_) => EstimatorKind::ScoreFunction,
        }
    }

    /// The name used in CSV files and on the command line: `gumbel-softmax`,
    /// `gumbel-softmax-hard`, `ils`, `ils-exact` or `score-function`.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The estimator's own parameter: the temperature, the step size or the baseline decay.
    pub fn parameter(&self) -> f64 {
        match self {
            Self::GumbelSoftmax(gs) => gs.temperature(),
            Self::Ils(ils) => ils.step_size(),
            Self::ScoreFunction(sf) => sf.baseline_decay(),
        }
    }

    /// The estimator's name for people, without its parameter: `Gumbel-Softmax`,
    /// `Straight-through Gumbel-Softmax`, `ILS`, `ILS (exact chain)` or
    /// `Score function (REINFORCE)`.
    pub fn title(&self) -> &'static str {
        self.kind().title()
    }

    /// The parameter's name, for axis labels: `temperature`, `step size` or `baseline decay`.
    pub fn parameter_name(&self) -> &'static str {
        match self {
            Self::GumbelSoftmax(_) => "temperature",
            Self::Ils(_) => "step size",
            Self::ScoreFunction(_) => "baseline decay",
        }
    }

    /// The parameter's symbol, for labels: `T`, `α` or `β`.
    pub fn parameter_symbol(&self) -> &'static str {
        match self {
            Self::GumbelSoftmax(_) => "T",
            Self::Ils(_) => "α",
            Self::ScoreFunction(_) => "β",
        }
    }

    /// The same estimator (the same variant and every other setting) with its own parameter
    /// set to `value`.
    ///
    /// # Errors
    /// [`ParameterError`] if `value` is out of range for this estimator's parameter.
    ///
    /// ```
    /// let hard = ils::GumbelSoftmax::new(1.0)?.with_straight_through(true);
    /// let colder = ils::Estimator::from(hard).with_parameter(0.1)?;
    /// assert_eq!((colder.name(), colder.parameter()), ("gumbel-softmax-hard", 0.1));
    /// # Ok::<(), ils::ParameterError>(())
    /// ```
    pub fn with_parameter(&self, value: f64) -> Result<Self, ParameterError> {
        Ok(match self {
            Self::GumbelSoftmax(gs) => GumbelSoftmax::new(value)?
                .with_straight_through(gs.is_straight_through())
                .into(),
            Self::Ils(ils) => Ils::new(value)?
                .with_epsilon(ils.epsilon())?
                .with_logit_gradient(ils.logit_gradient())
                .into(),
            Self::ScoreFunction(_) => ScoreFunction::new(value)?.into(),
        })
    }
}

impl fmt::Display for Estimator {
    /// A label for charts and tables, such as `Gumbel-Softmax, T = 0.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {} = {}",
            self.title(),
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

impl From<ScoreFunction> for Estimator {
    fn from(sf: ScoreFunction) -> Self {
        Self::ScoreFunction(sf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_function_names_and_labels() {
        let sf: Estimator = ScoreFunction::new(0.9).expect("valid decay").into();
        assert_eq!(sf.name(), "score-function");
        assert_eq!(sf.parameter(), 0.9);
        assert_eq!(sf.parameter_symbol(), "β");
        assert_eq!(sf.to_string(), "Score function (REINFORCE), β = 0.9");
    }

    #[test]
    fn with_parameter_keeps_every_other_setting() {
        let ils = Ils::new(0.1)
            .and_then(|ils| ils.with_epsilon(1e-3))
            .expect("valid parameters")
            .with_logit_gradient(LogitGradient::Exact);
        let moved = Estimator::from(ils).with_parameter(1e-5).expect("in range");
        let expected = Ils::new(1e-5)
            .and_then(|ils| ils.with_epsilon(1e-3))
            .expect("valid parameters")
            .with_logit_gradient(LogitGradient::Exact);
        assert_eq!(moved, expected.into());

        let sf: Estimator = ScoreFunction::new(0.9).expect("valid decay").into();
        assert_eq!(sf.with_parameter(0.5).map(|e| e.parameter()), Ok(0.5));
        assert!(sf.with_parameter(1.0).is_err());
        let gs: Estimator = GumbelSoftmax::new(1.0).expect("valid").into();
        assert!(gs.with_parameter(0.0).is_err());
    }
}
