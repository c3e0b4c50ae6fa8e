//! Intermediate Loss Sampling (ILS) and Gumbel-Softmax, side by side.
//!
//! Both estimators give a gradient through a draw from a categorical distribution `Cat(pi)`.
//! Gumbel-Softmax relaxes the draw into a point inside the simplex, `softmax((logits + g) / T)`,
//! and differentiates that. ILS keeps the exact one-hot draw and, on the way back, takes one step
//! of size `alpha` from the drawn vertex against the incoming gradient to an intermediate target
//! `pi_D`, then returns the gradient of `KL(pi_D || pi)`.
//!
//! The score-function estimator ([`ScoreFunction`], REINFORCE with a running-mean baseline)
//! keeps the exact draw too and is unbiased, but for the objective the one-hot draws sample,
//! `E_z[L(z)]`, which is not the KL the toy problem is scored on ([`Objectives`]).
//!
//! The crate holds the samplers ([`Categorical`], [`GumbelSoftmax`], [`Ils`],
//! [`ScoreFunction`]), the published toy problem as a stepper ([`Trainer`]), measurements of
//! gradient quality ([`Snapshot`]), where ILS's mean update stops ([`ils_floor`]), each
//! estimator's best learning rate ([`tuning`]), the page's guided tour ([`tour`]) and the
//! charts ([`chart`]), all free of any web dependency. Every random number comes from a
//! seeded [`Generator`] and every exponential and logarithm from `libm`, so a seed gives the
//! same numbers natively and in WebAssembly.

mod categorical;
pub mod chart;
mod diagnostics;
mod envelope;
mod error;
mod estimator;
mod export;
mod floor;
pub mod format;
mod gumbel_softmax;
mod ils;
mod optimiser;
pub mod parameter;
mod score_function;
pub mod settings;
mod softmax;
pub mod tour;
mod toy_problem;
pub mod tuning;
#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(test)]
mod test_util;

pub use categorical::{Categorical, sample_index};
pub use diagnostics::{
    BASELINE_DECAY_SWEEP, DEFAULT_ESTIMATES, GradientQuality, Moments, Objectives, STEP_SIZE_SWEEP,
    Snapshot, SweepPoint, TEMPERATURE_SWEEP, sweep_parameters,
};
pub use envelope::Envelope;
pub use error::ParameterError;
pub use estimator::{Estimator, EstimatorKind};
pub use export::{CSV_HEADER, write_csv};
pub use floor::{FLOOR_WORK, Floor, ils_floor};
pub use format::significant;
pub use gumbel_softmax::{GumbelSoftmax, sample_gumbel};
pub use ils::{Ils, LogitGradient, PUBLISHED_EPSILON};
pub use optimiser::Optimiser;
pub use score_function::ScoreFunction;
pub use settings::{Adjustment, Settings};
pub use softmax::{log_softmax, softmax, softmax_backward, softmax_in_place};
pub use toy_problem::{
    Config, Curve, Divergence, DivergenceCause, MAX_CURVE_POINTS, PUBLISHED_LOSS_EPSILON, Trainer,
    curve, curve_with_limit, published_sweep,
};

/// The random number generator behind every draw: PCG64 with a 128-bit multiplicative
/// congruential state (`Mcg128Xsl64`). Its output for a seed is fixed by its specification, so
/// one seed gives one stream on every platform, `wasm32` included.
pub type Generator = rand_pcg::Pcg64Mcg;
