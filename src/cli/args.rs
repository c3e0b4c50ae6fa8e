//! The command line's arguments and how they become the library's settings. No input or output
//! happens here, so the fuzz target `cli_args` can drive it directly.

use std::path::PathBuf;
use std::str::FromStr;

use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use ils::tuning::{self, Grid};
use ils::{Config, Estimator, EstimatorKind, Optimiser, parameter};

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
        /// Score-function baseline decay beta, from 0 to 0.999.
        #[arg(long, default_value_t = 0.9, allow_negative_numbers = true)]
        baseline_decay: f64,
        #[command(flatten)]
        problem: ProblemArgs,
        /// A directory to write curves.csv into; created if missing.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Train each estimator at each value of its parameter and each seed, in parallel on
    /// every core, and write sweep.csv, sweep.png and sweep.svg: the final KL against the
    /// parameter, with a band across seeds.
    Sweep(SweepArgs),
    /// Find each estimator's best learning rate: train every estimator at its published
    /// parameter values (the score function at baseline decay 0.9) under every optimiser at
    /// every learning rate of a grid, on several seeds in parallel, score each run by its mean
    /// KL over the steps, and write tune.csv (every point) and best.csv (the best per setting).
    Tune(TuneArgs),
    /// Measure what each stop of the page's guided tour shows and print its caption, a line
    /// per stop (name, tab, caption): the form of assets/tour.txt, which the page shows.
    /// Remake that file with `ils tour > assets/tour.txt`. Takes a few seconds: one stop runs
    /// a million steps.
    Tour,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum EstimatorName {
    /// Relaxed Gumbel-Softmax.
    GumbelSoftmax,
    /// Straight-through Gumbel-Softmax: one-hot forward, relaxed backward.
    GumbelSoftmaxHard,
    /// ILS with the published logit update.
    Ils,
    /// ILS chained exactly through the softmax.
    IlsExact,
    /// The score-function estimator (REINFORCE) with a running-mean baseline.
    ScoreFunction,
}

/// The toy problem's settings and its seed; the defaults are the published experiment.
#[derive(Args)]
pub struct ProblemArgs {
    #[command(flatten)]
    training: TrainingArgs,
    /// Seed of the targets, the initial logits and every draw.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    seed: f64,
}

impl ProblemArgs {
    /// The toy problem's settings, checked.
    pub fn config(&self) -> Result<Config> {
        let seed = parameter::SEED.check(self.seed)? as u64;
        self.training.config(seed)
    }
}

/// The toy problem's settings but the seed; the defaults are the published experiment.
///
/// Counts are read as numbers and checked as whole numbers in range by the library, so that
/// `--steps 1e5` works and `--trials -1` gets the same message as every other bad value.
#[derive(Args)]
pub struct TrainingArgs {
    /// Number of optimisation steps.
    #[arg(long, default_value_t = 50_000.0, allow_negative_numbers = true)]
    steps: f64,
    /// Learning rate of the optimiser.
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
    /// How a gradient estimate changes the logits.
    #[arg(long, value_enum, default_value_t = OptimiserName::Sgd)]
    optimiser: OptimiserName,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum OptimiserName {
    /// Plain SGD, as published.
    Sgd,
    /// SGD on the estimate divided by its norm: a step of fixed length.
    NormalisedSgd,
    /// Adam with its usual constants.
    Adam,
}

impl From<EstimatorName> for EstimatorKind {
    fn from(name: EstimatorName) -> Self {
        match name {
            EstimatorName::GumbelSoftmax => EstimatorKind::GumbelSoftmax,
            EstimatorName::GumbelSoftmaxHard => EstimatorKind::GumbelSoftmaxHard,
            EstimatorName::Ils => EstimatorKind::Ils,
            EstimatorName::IlsExact => EstimatorKind::IlsExact,
            EstimatorName::ScoreFunction => EstimatorKind::ScoreFunction,
        }
    }
}

impl From<OptimiserName> for Optimiser {
    fn from(name: OptimiserName) -> Self {
        match name {
            OptimiserName::Sgd => Optimiser::Sgd,
            OptimiserName::NormalisedSgd => Optimiser::NormalisedSgd,
            OptimiserName::Adam => Optimiser::Adam,
        }
    }
}

impl TrainingArgs {
    /// The settings with `seed`, checked.
    pub fn config(&self, seed: u64) -> Result<Config> {
        let config = Config {
            trials: parameter::TRIALS.check(self.trials)? as usize,
            categories: parameter::CATEGORIES.check(self.categories)? as usize,
            steps: parameter::STEPS.check(self.steps)? as u64,
            learning_rate: self.learning_rate,
            loss_epsilon: self.loss_epsilon,
            seed,
            optimiser: self.optimiser.into(),
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
    baseline_decay: f64,
) -> Result<Estimator> {
    let kind = EstimatorKind::from(name);
    Ok(kind.build(temperature, step_size, ils_epsilon, baseline_decay)?)
}

/// The most seeds one sweep may have.
const MAX_SEEDS: u64 = 100_000;

/// The settings of `ils sweep`.
#[derive(Args)]
pub struct SweepArgs {
    /// The estimators to sweep, comma-separated; each runs over its own parameter's list.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "gumbel-softmax,ils"
    )]
    estimators: Vec<EstimatorName>,
    /// Temperatures T for the Gumbel-Softmax estimators, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        allow_negative_numbers = true,
        default_value = "0.01,0.1,1,10,100"
    )]
    temperatures: Vec<f64>,
    /// Step sizes alpha for the ILS estimators, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        allow_negative_numbers = true,
        default_value = "1e-9,1e-8,1e-7,1e-6,1e-5,1e-4,1e-3,1e-2,0.1"
    )]
    step_sizes: Vec<f64>,
    /// Baseline decays beta for the score-function estimator, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        allow_negative_numbers = true,
        default_value = "0,0.5,0.9,0.99"
    )]
    baseline_decays: Vec<f64>,
    /// ILS epsilon in -pi_D / (pi + epsilon).
    #[arg(long, default_value_t = ils::PUBLISHED_EPSILON, allow_negative_numbers = true)]
    ils_epsilon: f64,
    /// Seeds: a range such as 0..5 (0 to 4; the end is excluded) or a comma-separated list.
    #[arg(long, default_value = "0..5")]
    seeds: Seeds,
    /// The KL, in nats, whose first crossing (KL < threshold) sweep.csv reports.
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    threshold: f64,
    #[command(flatten)]
    training: TrainingArgs,
    /// The directory to write sweep.csv, sweep.png and sweep.svg into; created if missing.
    #[arg(long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,
}

/// A list of seeds, given as `A..B` (B excluded) or `a,b,c`.
#[derive(Clone, Debug, PartialEq)]
struct Seeds(Vec<u64>);

impl FromStr for Seeds {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let number = |s: &str| {
            let seed = s
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("'{s}' is not a seed (a whole number from 0)"))?;
            parameter::SEED.check_count(seed).map_err(|e| e.to_string())
        };
        let seeds = match text.split_once("..") {
            Some((start, end)) => {
                let (start, end) = (number(start)?, number(end)?);
                if start >= end {
                    return Err(format!("the range {start}..{end} holds no seed"));
                }
                if end - start > MAX_SEEDS {
                    return Err(format!("at most {MAX_SEEDS} seeds, got {}", end - start));
                }
                (start..end).collect()
            }
            None => {
                // A seed listed twice would count one run twice in the summary.
                let mut seeds = Vec::new();
                for seed in text.split(',').map(number) {
                    let seed = seed?;
                    if !seeds.contains(&seed) {
                        seeds.push(seed);
                    }
                }
                seeds
            }
        };
        Ok(Self(seeds))
    }
}

/// What to run: every estimator with every seed, from one set of settings.
pub struct Plan {
    pub estimators: Vec<Estimator>,
    pub seeds: Vec<u64>,
    pub config: Config,
    pub threshold: f64,
}

impl SweepArgs {
    /// Checks every setting and builds the grid, before anything is written.
    pub fn plan(&self) -> Result<Plan> {
        let config = self.training.config(0)?;
        if config.steps == 0 {
            bail!("steps must be 1 or more for a sweep, got 0");
        }
        if !self.threshold.is_finite() || self.threshold <= 0.0 {
            bail!(
                "threshold must be a finite number greater than 0, got {}",
                self.threshold
            );
        }
        let mut estimators: Vec<Estimator> = Vec::new();
        for &name in &self.estimators {
            // Any valid parameter will do: each grid value replaces it below, keeping the
            // variant and the ILS epsilon.
            let base = build_estimator(name, 1.0, 0.01, self.ils_epsilon, 0.9)?;
            for &value in self.parameters(name) {
                let estimator = base.with_parameter(value)?;
                if !estimators.contains(&estimator) {
                    estimators.push(estimator);
                }
            }
        }
        Ok(Plan {
            estimators,
            seeds: self.seeds.0.clone(),
            config,
            threshold: self.threshold,
        })
    }

    /// The list of parameter values for the estimator `name`.
    fn parameters(&self, name: EstimatorName) -> &[f64] {
        match name {
            EstimatorName::GumbelSoftmax | EstimatorName::GumbelSoftmaxHard => &self.temperatures,
            EstimatorName::Ils | EstimatorName::IlsExact => &self.step_sizes,
            EstimatorName::ScoreFunction => &self.baseline_decays,
        }
    }
}

/// The settings of `ils tune`. The defaults are the search whose best.csv is shipped as
/// assets/tuned/best.csv ([`Grid::default`]).
#[derive(Args)]
pub struct TuneArgs {
    /// An estimator to tune, at each of its published parameter values (the score function at
    /// baseline decay 0.9); repeat the flag or separate names by commas. Every estimator by
    /// default.
    #[arg(
        long = "estimator",
        value_name = "NAME",
        value_enum,
        value_delimiter = ','
    )]
    estimators: Vec<EstimatorName>,
    /// An optimiser to tune under; repeat the flag or separate names by commas. Every
    /// optimiser by default.
    #[arg(
        long = "optimiser",
        value_name = "NAME",
        value_enum,
        value_delimiter = ','
    )]
    optimisers: Vec<OptimiserName>,
    /// SGD steps per run; a run's score is its mean KL over them.
    #[arg(long, default_value_t = tuning::DEFAULT_STEPS as f64, allow_negative_numbers = true)]
    steps: f64,
    /// Seeds per point: seeds 0 to N - 1, whose scores are averaged.
    #[arg(long, default_value_t = tuning::DEFAULT_SEEDS as f64, allow_negative_numbers = true)]
    seeds: f64,
    /// Learning rates to try, comma-separated [default: 1, 2 and 5 per decade from 0.0001 to
    /// 100].
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    learning_rates: Vec<f64>,
    /// The directory to write tune.csv and best.csv into; created if missing.
    #[arg(long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,
}

impl TuneArgs {
    /// Checks every setting and builds the grid, before anything is written. Estimators and
    /// optimisers come in the order `ils tune --help` lists them, and the learning rates in
    /// increasing order, each once, whatever order they were given in.
    pub fn grid(&self) -> Result<Grid> {
        let steps = parameter::TUNING_STEPS.check(self.steps)? as u64;
        let seeds = parameter::TUNING_SEEDS.check(self.seeds)? as u64;
        let mut learning_rates = if self.learning_rates.is_empty() {
            tuning::LEARNING_RATE_GRID.to_vec()
        } else {
            self.learning_rates
                .iter()
                .map(|&rate| parameter::LEARNING_RATE.check(rate))
                .collect::<Result<_, _>>()?
        };
        learning_rates.sort_by(f64::total_cmp);
        learning_rates.dedup();

        let chosen: Vec<EstimatorKind> = self.estimators.iter().map(|&e| e.into()).collect();
        let kinds: Vec<EstimatorKind> = EstimatorKind::ALL
            .into_iter()
            .filter(|kind| chosen.is_empty() || chosen.contains(kind))
            .collect();
        let chosen: Vec<Optimiser> = self.optimisers.iter().map(|&o| o.into()).collect();
        let optimisers = Optimiser::ALL
            .into_iter()
            .filter(|optimiser| chosen.is_empty() || chosen.contains(optimiser))
            .collect();

        let grid = Grid {
            estimators: tuning::default_estimators(&kinds),
            optimisers,
            learning_rates,
            steps,
            seeds,
        };
        grid.validate()?;
        Ok(grid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_as_range_or_list() {
        assert_eq!("0..5".parse(), Ok(Seeds(vec![0, 1, 2, 3, 4])));
        assert_eq!("7,3, 9".parse(), Ok(Seeds(vec![7, 3, 9])));
        assert_eq!("4".parse(), Ok(Seeds(vec![4])));
        assert_eq!("0,0,2,0".parse(), Ok(Seeds(vec![0, 2])));
        assert!("3..3".parse::<Seeds>().is_err());
        assert!("-1..2".parse::<Seeds>().is_err());
        assert!("0..1000000".parse::<Seeds>().is_err());
        assert!("1,x".parse::<Seeds>().is_err());
    }

    fn tune(args: &[&str]) -> Result<Grid> {
        let argv = ["ils", "tune"].iter().chain(args);
        match Cli::try_parse_from(argv)?.command {
            Command::Tune(tune) => tune.grid(),
            _ => unreachable!("the tune command parses as tune"),
        }
    }

    #[test]
    fn tune_defaults_are_the_shipped_search() {
        assert_eq!(tune(&[]).expect("valid"), Grid::default());
    }

    #[test]
    fn tune_lists_in_a_fixed_order() {
        let grid = tune(&[
            "--estimator",
            "score-function,ils",
            "--estimator",
            "ils",
            "--optimiser",
            "adam",
            "--optimiser",
            "sgd",
            "--learning-rates",
            "0.5,1e-3,0.5,0.001",
        ])
        .expect("valid");
        let names: Vec<String> = grid.estimators.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            names,
            [
                "ILS, α = 0.1",
                "ILS, α = 0.01",
                "ILS, α = 0.001",
                "Score function (REINFORCE), β = 0.9"
            ]
        );
        assert_eq!(grid.optimisers, [Optimiser::Sgd, Optimiser::Adam]);
        assert_eq!(grid.learning_rates, [0.001, 0.5]);
    }
}
