//! Any command line (arguments separated by NUL bytes): parsing and checking it either fails
//! with a message or gives settings and an estimator that the library accepts. Never a panic.

#![no_main]

#[allow(dead_code)]
#[path = "../../src/cli/args.rs"]
mod args;

use args::{Cli, Command};
use clap::Parser;
use ils::Trainer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let argv = std::iter::once("ils").chain(text.split('\0'));
    let Ok(cli) = Cli::try_parse_from(argv) else {
        return;
    };
    match cli.command {
        Command::Reproduce { problem, .. } => {
            if let Ok(config) = problem.config() {
                for estimator in ils::published_sweep() {
                    Trainer::new(config, estimator).expect("a checked config is valid");
                }
            }
        }
        Command::Run {
            estimator,
            temperature,
            step_size,
            ils_epsilon,
            baseline_decay,
            problem,
            ..
        } => {
            let estimator = args::build_estimator(
                estimator,
                temperature,
                step_size,
                ils_epsilon,
                baseline_decay,
            );
            if let (Ok(config), Ok(estimator)) = (problem.config(), estimator) {
                Trainer::new(config, estimator).expect("checked settings are valid");
            }
        }
        Command::Sweep(sweep) => {
            if let Ok(plan) = sweep.plan() {
                for estimator in plan.estimators {
                    Trainer::new(plan.config, estimator).expect("a checked plan is valid");
                }
            }
        }
        Command::Tune(tune) => {
            if let Ok(grid) = tune.grid() {
                // One run per point: the seeds change nothing that is checked.
                let seeds = grid.seeds as usize;
                for (estimator, config) in grid.runs().into_iter().step_by(seeds) {
                    Trainer::new(config, estimator).expect("a checked grid is valid");
                }
            }
        }
        // No arguments to check.
        Command::Tour => {}
    }
});
