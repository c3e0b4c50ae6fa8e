//! `ils reproduce`, `ils run`, `ils sweep`, `ils tune` and `ils tour`: the toy problem from
//! the command line.

mod args;
mod output;
mod sweep;
mod tune;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use args::{Cli, Command, build_estimator};
use ils::{Config, Curve, Estimator};

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that closed the pipe early (`ils run ... | head`) is not an error.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
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
            // Files first, so that a reader who stops reading the summary still gets them.
            staging.write_csv(&curves)?;
            staging.write_figures(&curves, &config)?;
            report_written(&staging.commit()?);
            output::print_summary(&curves, &config).context("cannot print the summary")?;
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
            if let Some(mut staging) = staging {
                staging.write_csv(&curves)?;
                report_written(&staging.commit()?);
            }
            output::print_summary(&curves, &config).context("cannot print the summary")?;
        }
        Command::Sweep(args) => sweep::execute(args)?,
        Command::Tune(args) => tune::execute(args)?,
        Command::Tour => {
            eprintln!("ils tour: measuring each stop of the guided tour");
            let captions = ils::tour::captions()?;
            let mut out = std::io::stdout().lock();
            out.write_all(captions.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
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
        if curve.stride > 1 && i == 0 {
            eprintln!(
                "note: {} steps per run; keeping one step in every {} (at most {} values per curve)",
                config.steps,
                curve.stride,
                ils::MAX_CURVE_POINTS
            );
        }
        curves.push(curve);
    }
    bar.finish_and_clear();
    Ok(curves)
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn report_written(paths: &[PathBuf]) {
    let names: Vec<String> = paths.iter().map(|p| display(p)).collect();
    eprintln!("wrote {}", names.join(", "));
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
