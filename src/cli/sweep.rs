//! `ils sweep`: every estimator at every value of its parameter and every seed, trained in
//! parallel, summarised in sweep.csv and drawn as final KL against the parameter.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use ils::chart::{self, DrawError, Spread, SweepPanel, Theme, YAxis};
use ils::{Config, Divergence, Estimator, ParameterError, Trainer};

use super::args::{Plan, SweepArgs};
use super::output::{Figure, Staging};
use super::report_written;

/// Runs `ils sweep`.
pub fn execute(args: SweepArgs) -> Result<()> {
    let plan = args.plan()?;
    let mut staging = Staging::new(&args.out)?;
    eprintln!(
        "ils sweep: {} settings x {} seeds, {} steps each, N = {}, K = {}, on {} threads",
        plan.estimators.len(),
        plan.seeds.len(),
        plan.config.steps,
        plan.config.trials,
        plan.config.categories,
        rayon::current_num_threads()
    );

    let runs = run_all(&plan)?;
    print_table(&runs, plan.seeds.len(), plan.threshold);
    write_csv(&mut staging, &runs, plan.threshold)?;
    let figure = SweepFigure::new(&runs, &plan);
    staging.write_figure(["sweep.png", "sweep.svg"], &figure)?;
    report_written(&staging.commit()?);
    Ok(())
}

/// One run's result: one row of sweep.csv.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Run {
    estimator: Estimator,
    seed: u64,
    summary: Summary,
}

/// Trains every estimator with every seed on all cores; the result is in plan order,
/// estimator by estimator, seeds in order within each.
fn run_all(plan: &Plan) -> Result<Vec<Run>> {
    let jobs: Vec<(Estimator, u64)> = plan
        .estimators
        .iter()
        .flat_map(|&estimator| plan.seeds.iter().map(move |&seed| (estimator, seed)))
        .collect();
    let bar = ProgressBar::new(jobs.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left")
            .context("progress bar template")?,
    );
    let runs = jobs
        .into_par_iter()
        .map(|(estimator, seed)| {
            let config = Config {
                seed,
                ..plan.config
            };
            let summary = summarise(config, estimator, plan.threshold)?;
            bar.inc(1);
            Ok(Run {
                estimator,
                seed,
                summary,
            })
        })
        .collect::<Result<Vec<_>, ParameterError>>()?;
    bar.finish_and_clear();
    for run in &runs {
        if let Some(divergence) = run.summary.divergence {
            eprintln!(
                "warning: {}, seed {}: {divergence}",
                run.estimator, run.seed
            );
        }
    }
    Ok(runs)
}

/// Trains `estimator` for `config.steps` steps and summarises its KL curve without keeping it.
fn summarise(
    config: Config,
    estimator: Estimator,
    threshold: f64,
) -> Result<Summary, ParameterError> {
    let mut trainer = Trainer::new(config, estimator)?;
    let mut tracker = Tracker::new(trainer.kl(), config.steps, threshold);
    let mut divergence = None;
    for step in 1..=config.steps {
        match trainer.step() {
            Ok(kl) => tracker.record(step, kl),
            Err(stop) => {
                divergence = Some(stop);
                break;
            }
        }
    }
    Ok(tracker.finish(trainer.kl(), divergence))
}

/// What sweep.csv says about one KL curve, all KL values in nats.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Summary {
    /// The KL after the last step (the last finite one if the run diverged).
    final_kl: f64,
    /// The smallest KL, the start included.
    minimum_kl: f64,
    /// The mean KL over the last tenth of the steps (rounded up); `None` if the run diverged.
    recent_mean_kl: Option<f64>,
    /// The first step whose KL is below the threshold, 0 being the start.
    first_below: Option<u64>,
    divergence: Option<Divergence>,
}

/// A [`Summary`] built one step at a time.
struct Tracker {
    threshold: f64,
    /// The first step of the last tenth.
    recent_from: u64,
    recent_sum: f64,
    recent_count: u64,
    minimum_kl: f64,
    first_below: Option<u64>,
}

impl Tracker {
    /// Starts from the KL before any step, for a run of `steps` steps.
    fn new(start: f64, steps: u64, threshold: f64) -> Self {
        let recent = steps.div_ceil(10);
        Self {
            threshold,
            recent_from: steps - recent + 1,
            recent_sum: 0.0,
            recent_count: 0,
            minimum_kl: start,
            first_below: (start < threshold).then_some(0),
        }
    }

    /// Takes the KL after `step`.
    fn record(&mut self, step: u64, kl: f64) {
        self.minimum_kl = self.minimum_kl.min(kl);
        if self.first_below.is_none() && kl < self.threshold {
            self.first_below = Some(step);
        }
        if step >= self.recent_from {
            self.recent_sum += kl;
            self.recent_count += 1;
        }
    }

    fn finish(self, final_kl: f64, divergence: Option<Divergence>) -> Summary {
        let complete = divergence.is_none() && self.recent_count > 0;
        Summary {
            final_kl,
            minimum_kl: self.minimum_kl,
            recent_mean_kl: complete.then(|| self.recent_sum / self.recent_count as f64),
            first_below: self.first_below,
            divergence,
        }
    }
}

/// The columns of sweep.csv.
const CSV_HEADER: [&str; 9] = [
    "estimator",
    "parameter",
    "seed",
    "final_kl",
    "minimum_kl",
    "last_10pct_mean_kl",
    "threshold",
    "first_step_below_threshold",
    "diverged_at_step",
];

/// Stages sweep.csv: one row per setting and seed, KL in nats with enough digits to read
/// back the same bits, and an empty field for a step that never came.
fn write_csv(staging: &mut Staging, runs: &[Run], threshold: f64) -> Result<()> {
    let path = staging.staged("sweep.csv");
    let mut writer = csv::Writer::from_path(&path).context("cannot write sweep.csv")?;
    writer.write_record(CSV_HEADER)?;
    let optional = |value: Option<String>| value.unwrap_or_default();
    for run in runs {
        let summary = &run.summary;
        writer.write_record([
            run.estimator.name().to_owned(),
            run.estimator.parameter().to_string(),
            run.seed.to_string(),
            summary.final_kl.to_string(),
            summary.minimum_kl.to_string(),
            optional(summary.recent_mean_kl.map(|kl| kl.to_string())),
            threshold.to_string(),
            optional(summary.first_below.map(|step| step.to_string())),
            optional(summary.divergence.map(|d| d.step.to_string())),
        ])?;
    }
    writer.flush().context("cannot write sweep.csv")?;
    Ok(())
}

/// The final KL of each setting across its seeds: lowest, median, highest.
fn spread(runs: &[Run]) -> Spread {
    let mut finals: Vec<f64> = runs.iter().map(|r| r.summary.final_kl).collect();
    finals.sort_by(f64::total_cmp);
    let n = finals.len();
    let middle = if n % 2 == 1 {
        finals[n / 2]
    } else {
        0.5 * (finals[n / 2 - 1] + finals[n / 2])
    };
    Spread {
        parameter: runs[0].estimator.parameter(),
        low: finals[0],
        middle,
        high: finals[n - 1],
    }
}

/// Prints one row per setting: the final KL's median and range over the seeds, and how many
/// seeds fell below the threshold.
fn print_table(runs: &[Run], seeds: usize, threshold: f64) {
    println!(
        "{:<40} {:>12} {:>12} {:>12} {:>10}",
        "estimator", "median final", "lowest", "highest", "< thresh."
    );
    for setting in runs.chunks(seeds) {
        let spread = spread(setting);
        let below = setting
            .iter()
            .filter(|r| r.summary.first_below.is_some())
            .count();
        println!(
            "{:<40} {:>12.6} {:>12.6} {:>12.6} {:>10}",
            setting[0].estimator.to_string(),
            spread.middle,
            spread.low,
            spread.high,
            format!("{below}/{seeds}")
        );
    }
    println!(
        "Final KL(t || softmax(logits)) in nats over {seeds} seeds; the last column counts the \
         seeds whose KL fell below {threshold}."
    );
}

/// sweep.png and sweep.svg: one panel per estimator, final KL against its parameter.
struct SweepFigure {
    title: String,
    panels: Vec<SweepPanel>,
}

impl SweepFigure {
    fn new(runs: &[Run], plan: &Plan) -> Self {
        let spreads: Vec<(Estimator, Spread)> = runs
            .chunks(plan.seeds.len())
            .map(|setting| (setting[0].estimator, spread(setting)))
            .collect();
        let range = spreads
            .iter()
            .map(|(_, s)| (s.low, s.high))
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
            .unwrap_or((0.0, 1.0));
        let y = YAxis::around(range, true);

        let mut panels: Vec<SweepPanel> = Vec::new();
        for (estimator, spread) in spreads {
            let panel = match panels.iter_mut().find(|p| p.title == estimator.title()) {
                Some(panel) => panel,
                None => {
                    panels.push(Self::panel(&estimator, y));
                    panels.last_mut().expect("a panel was just pushed")
                }
            };
            panel.points.push(spread);
        }
        for panel in &mut panels {
            panel
                .points
                .sort_by(|a, b| a.parameter.total_cmp(&b.parameter));
        }

        let config = plan.config;
        let title = format!(
            "Final KL after {} steps: median over {} seeds (line), lowest to highest (band); \
             N = {}, K = {}, learning rate {}",
            config.steps,
            plan.seeds.len(),
            config.trials,
            config.categories,
            config.learning_rate
        );
        Self { title, panels }
    }

    /// An empty panel for `estimator`'s kind.
    fn panel(estimator: &Estimator, y: YAxis) -> SweepPanel {
        SweepPanel {
            title: estimator.title().to_owned(),
            parameter_label: format!(
                "{} {}",
                estimator.parameter_name(),
                estimator.parameter_symbol()
            ),
            value_label: format!("final {}", chart::KL_AXIS_LABEL),
            points: Vec::new(),
            colour: chart::colour(estimator),
            y,
            theme: Theme::LIGHT,
            scale: 1.0,
        }
    }
}

impl Figure for SweepFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError<DB>> {
        let columns = self.panels.len().clamp(1, 3);
        chart::draw_sweep_grid(root, &self.title, &self.panels, columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracker_by_hand() {
        // 20 steps: the last tenth is steps 19 and 20.
        let mut tracker = Tracker::new(0.5, 20, 0.1);
        let kl = |step: u64| 0.5 / step as f64; // falls below 0.1 after step 5
        for step in 1..=20 {
            tracker.record(step, kl(step));
        }
        let summary = tracker.finish(kl(20), None);
        assert_eq!(summary.first_below, Some(6));
        assert_eq!(summary.minimum_kl, kl(20));
        assert_eq!(summary.recent_mean_kl, Some(0.5 * (kl(19) + kl(20))));

        // A start already below the threshold is step 0; a run that stopped has no mean of
        // its last tenth.
        let mut tracker = Tracker::new(0.05, 3, 0.1);
        tracker.record(1, 0.2);
        let stop = Some(Divergence {
            step: 2,
            cause: ils::DivergenceCause::Kl,
        });
        let summary = tracker.finish(0.2, stop);
        assert_eq!(summary.first_below, Some(0));
        assert_eq!(summary.recent_mean_kl, None);
    }

    #[test]
    fn spread_is_lowest_median_highest() {
        let estimator = ils::Ils::new(0.1).expect("valid").into();
        let run = |final_kl: f64| Run {
            estimator,
            seed: 0,
            summary: Summary {
                final_kl,
                minimum_kl: final_kl,
                recent_mean_kl: None,
                first_below: None,
                divergence: None,
            },
        };
        let runs = [run(0.3), run(0.1), run(0.4), run(0.2)];
        let spread = spread(&runs);
        assert_eq!((spread.low, spread.high), (0.1, 0.4));
        assert_eq!(spread.middle, 0.5 * (0.2 + 0.3));
        assert_eq!(spread.parameter, 0.1);
    }
}
