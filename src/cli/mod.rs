//! `ils reproduce`, `ils run` and `ils sweep`: the toy problem from the command line.

mod output;
mod sweep;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use ils::{Config, Curve, Estimator, GumbelSoftmax, Ils, LogitGradient, ScoreFunction};

#[derive(Parser)]
#[command(
    name = "ils",
    version,
    about = "Intermediate Loss Sampling against Gumbel-Softmax on the published toy problem",
    long_about = "Intermediate Loss Sampling against Gumbel-Softmax on the published toy problem.\n\n\
        Every curve is the true KL(t || softmax(logits)) averaged over the trials, in nats; the \
        published figure plots it divided by the number of categories K."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
        /// Score-function baseline decay beta, from 0 up to (not including) 1.
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
    Sweep(sweep::SweepArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum EstimatorName {
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
struct ProblemArgs {
    #[command(flatten)]
    training: TrainingArgs,
    /// Seed of the targets, the initial logits and every draw.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

impl ProblemArgs {
    fn config(&self) -> Result<Config> {
        self.training.config(self.seed)
    }
}

/// The toy problem's settings but the seed; the defaults are the published experiment.
#[derive(Args)]
struct TrainingArgs {
    /// Number of SGD steps.
    #[arg(long, default_value_t = 50_000, allow_negative_numbers = true)]
    steps: i64,
    /// SGD learning rate.
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    learning_rate: f64,
    /// Number of target distributions N.
    #[arg(long, default_value_t = 5)]
    trials: usize,
    /// Number of categories K.
    #[arg(long, default_value_t = 5)]
    categories: usize,
    /// Epsilon in the loss's ln(draw + epsilon).
    #[arg(long, default_value_t = ils::PUBLISHED_LOSS_EPSILON, allow_negative_numbers = true)]
    loss_epsilon: f64,
}

impl TrainingArgs {
    /// The settings with `seed`, checked.
    fn config(&self, seed: u64) -> Result<Config> {
        let steps = u64::try_from(self.steps)
            .map_err(|_| anyhow::anyhow!("steps must be 0 or more, got {}", self.steps))?;
        let config = Config {
            trials: self.trials,
            categories: self.categories,
            steps,
            learning_rate: self.learning_rate,
            loss_epsilon: self.loss_epsilon,
            seed,
        };
        config.validate()?;
        Ok(config)
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn execute(command: Command) -> Result<()> {
    match command {
        Command::Reproduce { problem, out } => {
            let config = problem.config()?;
            let estimators = ils::published_sweep();
            let mut staging = output::Staging::new(&out)?;
            eprintln!(
                "ils reproduce: {} runs of {} steps, N = {}, K = {}, seed {}",
                estimators.len(),
                config.steps,
                config.trials,
                config.categories,
                config.seed
            );
            let curves = run_all(config, &estimators)?;
            output::print_summary(&curves, &config);
            staging.write_csv(&curves)?;
            staging.write_figures(&curves, &config)?;
            report_written(&staging.commit()?);
        }
        Command::Run {
            estimator,
            temperature,
            step_size,
            ils_epsilon,
            baseline_decay,
            problem,
            out,
        } => {
            let config = problem.config()?;
            let estimator = build_estimator(
                estimator,
                temperature,
                step_size,
                ils_epsilon,
                baseline_decay,
            )?;
            let staging = out.as_deref().map(output::Staging::new).transpose()?;
            eprintln!(
                "ils run: {estimator}, {} steps, N = {}, K = {}, seed {}",
                config.steps, config.trials, config.categories, config.seed
            );
            let curves = run_all(config, &[estimator])?;
            output::print_summary(&curves, &config);
            if let Some(mut staging) = staging {
                staging.write_csv(&curves)?;
                report_written(&staging.commit()?);
            }
        }
        Command::Sweep(args) => sweep::execute(args)?,
    }
    Ok(())
}

fn build_estimator(
    name: EstimatorName,
    temperature: f64,
    step_size: f64,
    ils_epsilon: f64,
    baseline_decay: f64,
) -> Result<Estimator> {
    let ils = || -> Result<Ils> { Ok(Ils::new(step_size)?.with_epsilon(ils_epsilon)?) };
    Ok(match name {
        EstimatorName::GumbelSoftmax => GumbelSoftmax::new(temperature)?.into(),
        EstimatorName::GumbelSoftmaxHard => GumbelSoftmax::new(temperature)?
            .with_straight_through(true)
            .into(),
        EstimatorName::Ils => ils()?.into(),
        EstimatorName::IlsExact => ils()?.with_logit_gradient(LogitGradient::Exact).into(),
        EstimatorName::ScoreFunction => ScoreFunction::new(baseline_decay)?.into(),
    })
}

/// Runs each estimator in turn behind one progress bar (hidden when stderr is not a terminal).
fn run_all(config: Config, estimators: &[Estimator]) -> Result<Vec<Curve>> {
    let total = config.steps.saturating_mul(estimators.len() as u64);
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps, {eta} left")
            .context("progress bar template")?,
    );
    let mut curves = Vec::with_capacity(estimators.len());
    for (i, &estimator) in estimators.iter().enumerate() {
        let done_before = i as u64 * config.steps;
        let curve = ils::curve(config, estimator, |step| {
            bar.set_position(done_before + step)
        })?;
        if let Some(divergence) = curve.divergence {
            eprintln!("warning: {estimator}: {divergence}");
        }
        curves.push(curve);
    }
    bar.finish_and_clear();
    Ok(curves)
}

fn report_written(paths: &[PathBuf]) {
    let names: Vec<String> = paths.iter().map(|p| display(p)).collect();
    eprintln!("wrote {}", names.join(", "));
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
