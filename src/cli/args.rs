//! The command line's arguments and how they become the library's settings. No input or output
//! happens here, so the fuzz target `cli_args` can drive it directly.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};

use ils::{Config, Estimator, GumbelSoftmax, Ils, LogitGradient, parameter};

#[derive(Parser)]
#[command(
    name = "ils",
    version,
    about = "Intermediate Loss Sampling against Gumbel-Softmax on the published toy problem",
    long_about = "Intermediate Loss Sampling against Gumbel-Softmax on the published toy problem.\n\n\
        Every curve is the true KL(t || softmax(logits)) averaged over the trials, in nats; the \
        published figure plots it divided by the number of categories K."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the published sweep (ILS at step sizes 0.1, 0.01, 0.001 and Gumbel-Softmax at
    /// temperatures 0.1, 1, 10) and write curves.csv, figure.png and figure.svg.
    Reproduce {
        #[command(flatten)]
        problem: ProblemArgs,
        /// The directory to write into; created if missing.
        #[arg(long, value_name = "DIR", default_value = "results")]
        out: PathBuf,
    },
    /// Run one estimator and print its summary; with --out, also write curves.csv.
    Run {
        /// The estimator to train with.
        #[arg(long, value_enum)]
        estimator: EstimatorName,
        /// Gumbel-Softmax temperature T.
        #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
        temperature: f64,
        /// ILS step size alpha.
        #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
        step_size: f64,
        /// ILS epsilon in -pi_D / (pi + epsilon).
        #[arg(long, default_value_t = ils::PUBLISHED_EPSILON, allow_negative_numbers = true)]
        ils_epsilon: f64,
        #[command(flatten)]
        problem: ProblemArgs,
        /// A directory to write curves.csv into; created if missing.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EstimatorName {
    /// Relaxed Gumbel-Softmax.
    GumbelSoftmax,
    /// Straight-through Gumbel-Softmax: one-hot forward, relaxed backward.
    GumbelSoftmaxHard,
    /// ILS with the published logit update.
    Ils,
    /// ILS chained exactly through the softmax.
    IlsExact,
}

/// The toy problem's settings; the defaults are the published experiment.
#[derive(Args)]
pub struct ProblemArgs {
    // Counts are read as numbers and checked as whole numbers in range by the library, so that
    // `--steps 1e5` works and `--seed -1` gets the same message as every other bad value.
    /// Number of SGD steps.
    #[arg(long, default_value_t = 50_000.0, allow_negative_numbers = true)]
    steps: f64,
    /// Seed of the targets, the initial logits and every draw.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    seed: f64,
    /// SGD learning rate.
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    learning_rate: f64,
    /// Number of target distributions N.
    #[arg(long, default_value_t = 5.0, allow_negative_numbers = true)]
    trials: f64,
    /// Number of categories K.
    #[arg(long, default_value_t = 5.0, allow_negative_numbers = true)]
    categories: f64,
    /// Epsilon in the loss's ln(draw + epsilon).
    #[arg(long, default_value_t = ils::PUBLISHED_LOSS_EPSILON, allow_negative_numbers = true)]
    loss_epsilon: f64,
}

impl ProblemArgs {
    /// The toy problem's settings, checked.
    pub fn config(&self) -> Result<Config> {
        let config = Config {
            trials: parameter::TRIALS.check(self.trials)? as usize,
            categories: parameter::CATEGORIES.check(self.categories)? as usize,
            steps: parameter::STEPS.check(self.steps)? as u64,
            learning_rate: self.learning_rate,
            loss_epsilon: self.loss_epsilon,
            seed: parameter::SEED.check(self.seed)? as u64,
        };
        config.validate()?;
        Ok(config)
    }
}

/// The estimator named on the command line with its parameters, checked.
pub fn build_estimator(
    name: EstimatorName,
    temperature: f64,
    step_size: f64,
    ils_epsilon: f64,
) -> Result<Estimator> {
    let ils = || -> Result<Ils> { Ok(Ils::new(step_size)?.with_epsilon(ils_epsilon)?) };
    Ok(match name {
        EstimatorName::GumbelSoftmax => GumbelSoftmax::new(temperature)?.into(),
        EstimatorName::GumbelSoftmaxHard => GumbelSoftmax::new(temperature)?
            .with_straight_through(true)
            .into(),
        EstimatorName::Ils => ils()?.into(),
        EstimatorName::IlsExact => ils()?.with_logit_gradient(LogitGradient::Exact).into(),
    })
}
