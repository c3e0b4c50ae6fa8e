//! `ils tune`: each estimator's best learning rate on a grid, every run trained in parallel,
//! written to tune.csv (every point) and best.csv (the best per estimator and optimiser).

use std::io::{self, Write};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use ils::tuning::{self, BEST_CSV_HEADER, Grid, GridPoint, Score, TUNE_CSV_HEADER, Tuned};
use ils::{Config, ParameterError};

use super::args::TuneArgs;
use super::output::Staging;
use super::report_written;

/// Runs `ils tune`.
pub fn execute(args: TuneArgs) -> Result<()> {
    let grid = args.grid()?;
    let mut staging = Staging::new(&args.out)?;
    let problem = Config::default();
    eprintln!(
        "ils tune: {} x {} x {} x {}, {} steps each, N = {}, K = {}, on {} threads",
        count(grid.estimators.len(), "setting"),
        count(grid.optimisers.len(), "optimiser"),
        count(grid.learning_rates.len(), "learning rate"),
        count(grid.seeds as usize, "seed"),
        grid.steps,
        problem.trials,
        problem.categories,
        rayon::current_num_threads()
    );

    let points = run_all(&grid)?;
    let tuned = tuning::tuned(&points);
    report_divergences(&points, &tuned);
    // Files first, so that a reader who stops reading the table still gets them.
    write_tune_csv(&mut staging, &grid, &points)?;
    write_best_csv(&mut staging, &tuned)?;
    report_written(&staging.commit()?);
    print_table(&tuned, &grid).context("cannot print the table")?;
    Ok(())
}

/// Trains every run of the grid on all cores and returns the points in the grid's order: the
/// order of the runs does not depend on which thread ran them, so the numbers are the same,
/// bit for bit, on any number of threads.
fn run_all(grid: &Grid) -> Result<Vec<GridPoint>> {
    let runs = grid.runs();
    let bar = ProgressBar::new(runs.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left")
            .context("progress bar template")?,
    );
    let scores = runs
        .into_par_iter()
        .map(|(estimator, config)| {
            let score = tuning::score_run(config, estimator)?;
            bar.inc(1);
            Ok(score)
        })
        .collect::<Result<Vec<Score>, ParameterError>>()?;
    bar.finish_and_clear();
    Ok(grid.points(&scores))
}

/// Says how many points diverged, and which settings have no learning rate that did not.
fn report_divergences(points: &[GridPoint], tuned: &[Tuned]) {
    let diverged = points.iter().filter(|p| p.score.diverged).count();
    if diverged > 0 {
        eprintln!(
            "note: {diverged} of {} points diverged on at least one seed (diverged = true in \
             tune.csv); they are never chosen",
            points.len()
        );
    }
    for row in tuned.iter().filter(|row| row.best.is_none()) {
        eprintln!(
            "warning: {} under {}: every learning rate diverged, so it has none in best.csv",
            row.estimator,
            row.optimiser.name()
        );
    }
}

/// Stages tune.csv ([`TUNE_CSV_HEADER`]): one row per point, numbers in Rust's shortest form
/// that reads back as the same bits.
fn write_tune_csv(staging: &mut Staging, grid: &Grid, points: &[GridPoint]) -> Result<()> {
    let path = staging.staged("tune.csv");
    let mut writer = csv::Writer::from_path(&path).context("cannot write tune.csv")?;
    writer.write_record(TUNE_CSV_HEADER.split(','))?;
    for point in points {
        writer.write_record([
            point.estimator.name().to_owned(),
            point.estimator.parameter().to_string(),
            point.optimiser.name().to_owned(),
            point.learning_rate.to_string(),
            grid.seeds.to_string(),
            grid.steps.to_string(),
            point.score.area.to_string(),
            point.score.final_kl.to_string(),
            point.score.diverged.to_string(),
        ])?;
    }
    writer.flush().context("cannot write tune.csv")?;
    Ok(())
}

/// Stages best.csv ([`BEST_CSV_HEADER`], which [`tuning::parse_best`] reads): one row per
/// estimator and optimiser, the last three fields empty when every learning rate diverged.
fn write_best_csv(staging: &mut Staging, tuned: &[Tuned]) -> Result<()> {
    let path = staging.staged("best.csv");
    let mut writer = csv::Writer::from_path(&path).context("cannot write best.csv")?;
    writer.write_record(BEST_CSV_HEADER.split(','))?;
    for row in tuned {
        let [learning_rate, area, final_kl] = match row.best {
            Some(best) => [best.learning_rate, best.area, best.final_kl].map(|x| x.to_string()),
            None => Default::default(),
        };
        writer.write_record([
            row.estimator.name().to_owned(),
            row.estimator.parameter().to_string(),
            row.optimiser.name().to_owned(),
            learning_rate,
            area,
            final_kl,
        ])?;
    }
    writer.flush().context("cannot write best.csv")?;
    Ok(())
}

/// Prints the best learning rate of each estimator, one block per optimiser, with its scores;
/// a star marks a best at an end of the grid, where the optimum may lie beyond it.
fn print_table(tuned: &[Tuned], grid: &Grid) -> io::Result<()> {
    let ends = [grid.learning_rates.first(), grid.learning_rates.last()];
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{:<16} {:<40} {:>14} {:>12} {:>12}",
        "optimiser", "estimator", "learning rate", "mean KL", "final KL"
    )?;
    for &optimiser in &grid.optimisers {
        for row in tuned.iter().filter(|row| row.optimiser == optimiser) {
            let estimator = row.estimator.to_string();
            let Some(best) = row.best else {
                writeln!(
                    out,
                    "{:<16} {estimator:<40} {:>14}",
                    optimiser.name(),
                    "every one diverged"
                )?;
                continue;
            };
            let edge = if ends.contains(&Some(&best.learning_rate)) {
                "*"
            } else {
                " "
            };
            writeln!(
                out,
                "{:<16} {estimator:<40} {:>13}{edge} {:>12.6} {:>12.6}",
                optimiser.name(),
                best.learning_rate,
                best.area,
                best.final_kl
            )?;
        }
    }
    let (low, high) = (ends[0].copied(), ends[1].copied());
    let seeds = match grid.seeds {
        1 => "seed 0".to_owned(),
        n => format!("seeds 0 to {}", n - 1),
    };
    writeln!(
        out,
        "The best of {} learning rates from {} to {} by the mean KL over steps 1 to {} (the \
         area under the KL curve per step), averaged over {seeds}; final KL: the mean over \
         the last tenth of the steps; both in nats. * the best is at an end of the grid.",
        grid.learning_rates.len(),
        low.unwrap_or(f64::NAN),
        high.unwrap_or(f64::NAN),
        grid.steps,
    )
}

/// `count` and `noun`, plural unless there is one: "1 seed", "3 seeds".
fn count(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
