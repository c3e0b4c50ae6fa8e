//! Each estimator's best learning rate: a search over a grid of learning rates, scored by the
//! mean KL over a run, and the table of the results shipped with the crate.
//!
//! At one shared learning rate the comparison is uneven: the published ILS update is about 150
//! times the exact gradient at the start, Gumbel-Softmax's about the same size as it. A fair
//! comparison puts each estimator at its own best learning rate. A [`Grid`] says what is
//! searched (by default every estimator at its published parameters under every optimiser,
//! over [`LEARNING_RATE_GRID`]), [`score_run`] scores one run, [`Score::mean`] the seeds of a
//! point, and [`best`] and [`tuned`] pick each setting's learning rate. `ils tune` runs the
//! default search in parallel; its `best.csv` is shipped as `assets/tuned/best.csv`, which
//! [`shipped`] and [`best_learning_rate`] read.
//!
//! ```
//! use ils::tuning::{self, Grid};
//!
//! let grid = Grid {
//!     estimators: vec![ils::Ils::new(0.01)?.into()],
//!     optimisers: vec![ils::Optimiser::Sgd],
//!     learning_rates: vec![0.001, 0.01],
//!     steps: 200,
//!     seeds: 2,
//! };
//! let points = grid.search()?;
//! let best = tuning::best(&points).expect("no divergence at these rates");
//! assert_eq!(best.learning_rate, 0.01);
//! # Ok::<(), ils::ParameterError>(())
//! ```

use std::fmt;
use std::sync::OnceLock;

use crate::diagnostics::decade;
use crate::error::ParameterError;
use crate::estimator::{Estimator, EstimatorKind};
use crate::optimiser::Optimiser;
use crate::parameter;
use crate::settings::Settings;
use crate::toy_problem::{Config, Trainer};

/// The learning rates searched by default: 1, 2 and 5 per decade from `1e-4` to `100`, 19
/// values in increasing order, each the nearest `f64` to its decimal (the same bits as the
/// literal `0.002`, so that the tables print them as written).
pub const LEARNING_RATE_GRID: [f64; 19] = one_two_five(-4);

/// The steps of each run in the default search.
pub const DEFAULT_STEPS: u64 = 10_000;

/// The seeds of each point in the default search: seeds 0, 1 and 2.
pub const DEFAULT_SEEDS: u64 = 3;

/// The header of `best.csv`: one row per estimator and optimiser. `parameter` is the
/// estimator's own ([`Estimator::parameter`]); `learning_rate`, `area` and `final_kl` are empty
/// when every learning rate of the grid diverged.
pub const BEST_CSV_HEADER: &str = "estimator,parameter,optimiser,learning_rate,area,final_kl";

/// The header of `tune.csv`: one row per point of the grid, its scores the means over `seeds`
/// seeds; `diverged` is `true` if any seed's run diverged (both scores are then `inf`).
pub const TUNE_CSV_HEADER: &str =
    "estimator,parameter,optimiser,learning_rate,seeds,steps,area,final_kl,diverged";

/// `assets/tuned/best.csv`: what `ils tune` writes with its defaults.
const SHIPPED_BEST: &str = include_str!("../assets/tuned/best.csv");

/// `1, 2, 5 x 10^from`, then the next decades, ending on the 19th value, `10^(from + 6)`.
const fn one_two_five(from: i32) -> [f64; 19] {
    let mantissas = [1.0, 2.0, 5.0];
    let mut grid = [0.0; 19];
    let mut i = 0;
    while i < grid.len() {
        grid[i] = decade(mantissas[i % 3], from + (i / 3) as i32);
        i += 1;
    }
    grid
}

/// How well a run trained, or a point of the grid over its seeds; both numbers in nats.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    /// The mean KL over steps `1..=steps`: the area under the KL curve per step. It rewards a
    /// quick descent and a low floor alike; lower is better.
    pub area: f64,
    /// The mean KL over the last tenth of the steps (rounded up, so at least the last step).
    pub final_kl: f64,
    /// Whether the run stopped on a non-finite number (for a point: any of its seeds' runs).
    /// Both scores are then infinite.
    pub diverged: bool,
}

impl Score {
    /// The score of a run that diverged.
    pub const DIVERGED: Self = Self {
        area: f64::INFINITY,
        final_kl: f64::INFINITY,
        diverged: true,
    };

    /// Scores a KL curve given as the KL after each of steps `1, 2, ..., n`, without the start.
    /// A non-finite value counts as a divergence. `None` for an empty curve, which has no mean.
    ///
    /// ```
    /// let score = ils::tuning::Score::of_curve(&[0.4, 0.3, 0.2]).expect("one step or more");
    /// assert_eq!(score.area, 0.9 / 3.0);
    /// assert_eq!(score.final_kl, 0.2);
    /// ```
    pub fn of_curve(kl: &[f64]) -> Option<Self> {
        if kl.is_empty() {
            return None;
        }
        if kl.iter().any(|value| !value.is_finite()) {
            return Some(Self::DIVERGED);
        }
        let mut scorer = Scorer::new(kl.len() as u64);
        for (step, &value) in (1..).zip(kl) {
            scorer.record(step, value);
        }
        Some(scorer.finish())
    }

    /// The mean of several seeds' scores, taken in the order given; [`DIVERGED`](Self::DIVERGED)
    /// if any of them diverged. `None` for no scores.
    pub fn mean(scores: &[Self]) -> Option<Self> {
        if scores.is_empty() {
            return None;
        }
        if scores.iter().any(|score| score.diverged) {
            return Some(Self::DIVERGED);
        }
        let count = scores.len() as f64;
        Some(Self {
            area: scores.iter().map(|score| score.area).sum::<f64>() / count,
            final_kl: scores.iter().map(|score| score.final_kl).sum::<f64>() / count,
            diverged: false,
        })
    }
}

/// A [`Score`] built one step at a time, so that a run need not keep its curve.
struct Scorer {
    steps: u64,
    /// The first step of the last tenth.
    recent_from: u64,
    sum: f64,
    recent_sum: f64,
}

impl Scorer {
    /// For a run of `steps >= 1` steps.
    fn new(steps: u64) -> Self {
        Self {
            steps,
            recent_from: steps - steps.div_ceil(10) + 1,
            sum: 0.0,
            recent_sum: 0.0,
        }
    }

    /// Takes the KL after `step`.
    fn record(&mut self, step: u64, kl: f64) {
        self.sum += kl;
        if step >= self.recent_from {
            self.recent_sum += kl;
        }
    }

    fn finish(self) -> Score {
        let recent = self.steps - self.recent_from + 1;
        Score {
            area: self.sum / self.steps as f64,
            final_kl: self.recent_sum / recent as f64,
            diverged: false,
        }
    }
}

/// Trains `estimator` for `config.steps` steps and scores its KL curve without keeping it. A
/// run that diverges ([`Trainer::step`] fails) scores [`Score::DIVERGED`]; a finite KL, however
/// large, is scored as it is.
///
/// # Errors
/// [`ParameterError`] if a field of `config` is out of range, or if `config.steps` is 0
/// ([`parameter::TUNING_STEPS`]): a run of no steps has no mean.
pub fn score_run(config: Config, estimator: Estimator) -> Result<Score, ParameterError> {
    parameter::TUNING_STEPS.check_count(config.steps)?;
    let mut trainer = Trainer::new(config, estimator)?;
    let mut scorer = Scorer::new(config.steps);
    for step in 1..=config.steps {
        match trainer.step() {
            Ok(kl) => scorer.record(step, kl),
            Err(_) => return Ok(Score::DIVERGED),
        }
    }
    Ok(scorer.finish())
}

/// The estimators a search tunes for `kinds`, in order: each kind at each of its published
/// parameter values, and a kind with none (the score function) at the page's default
/// parameter (baseline decay 0.9).
pub fn default_estimators(kinds: &[EstimatorKind]) -> Vec<Estimator> {
    let page = Settings::default();
    kinds
        .iter()
        .flat_map(|&kind| match kind.published_parameters() {
            [] => vec![page.estimator(kind)],
            values => values.iter().map(|&value| kind.at(value)).collect(),
        })
        .collect::<Result<_, _>>()
        .expect("the published and the page's default parameters are within range")
}

/// What a search covers: every estimator under every optimiser at every learning rate, each
/// point trained from seeds `0..seeds` on the published problem ([`Config::default`] but for
/// the steps, the learning rate, the optimiser and the seed). [`Default`] is the search whose
/// result is shipped: [`default_estimators`] of every kind, every optimiser,
/// [`LEARNING_RATE_GRID`], [`DEFAULT_STEPS`] steps and [`DEFAULT_SEEDS`] seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// The estimators to tune, each with its own parameter fixed.
    pub estimators: Vec<Estimator>,
    /// The optimisers each is tuned under, separately.
    pub optimisers: Vec<Optimiser>,
    /// The learning rates tried, each within [`parameter::LEARNING_RATE`].
    pub learning_rates: Vec<f64>,
    /// Steps per run, from 1 ([`parameter::TUNING_STEPS`]).
    pub steps: u64,
    /// Seeds per point, from 1 ([`parameter::TUNING_SEEDS`]).
    pub seeds: u64,
}

impl Default for Grid {
    fn default() -> Self {
        Self {
            estimators: default_estimators(&EstimatorKind::ALL),
            optimisers: Optimiser::ALL.to_vec(),
            learning_rates: LEARNING_RATE_GRID.to_vec(),
            steps: DEFAULT_STEPS,
            seeds: DEFAULT_SEEDS,
        }
    }
}

impl Grid {
    /// Checks the steps, the seeds and every learning rate.
    ///
    /// # Errors
    /// [`ParameterError`] naming the first value out of range.
    pub fn validate(&self) -> Result<(), ParameterError> {
        parameter::TUNING_STEPS.check_count(self.steps)?;
        parameter::TUNING_SEEDS.check_count(self.seeds)?;
        for &rate in &self.learning_rates {
            parameter::LEARNING_RATE.check(rate)?;
        }
        Ok(())
    }

    /// Every run of the search, as the estimator and the settings to train it with, in the
    /// order [`points`](Self::points) expects: estimators in order, each under the optimisers
    /// in order, each at the learning rates in order, seeds innermost.
    pub fn runs(&self) -> Vec<(Estimator, Config)> {
        let mut runs = Vec::new();
        for &estimator in &self.estimators {
            for &optimiser in &self.optimisers {
                for &learning_rate in &self.learning_rates {
                    for seed in 0..self.seeds {
                        let config = Config {
                            steps: self.steps,
                            learning_rate,
                            seed,
                            optimiser,
                            ..Config::default()
                        };
                        runs.push((estimator, config));
                    }
                }
            }
        }
        runs
    }

    /// The points of the grid from the scores of [`runs`](Self::runs), given in that order:
    /// each point's score is the [`Score::mean`] of its seeds'. Scores beyond the grid are
    /// ignored, and a grid given too few scores ends early.
    pub fn points(&self, scores: &[Score]) -> Vec<GridPoint> {
        let settings = self.estimators.iter().flat_map(|&estimator| {
            self.optimisers.iter().flat_map(move |&optimiser| {
                let rates = self.learning_rates.iter();
                rates.map(move |&learning_rate| (estimator, optimiser, learning_rate))
            })
        });
        let seeds = usize::try_from(self.seeds).unwrap_or(usize::MAX).max(1);
        settings
            .zip(scores.chunks_exact(seeds))
            .filter_map(|((estimator, optimiser, learning_rate), seeds)| {
                Some(GridPoint {
                    estimator,
                    optimiser,
                    learning_rate,
                    score: Score::mean(seeds)?,
                })
            })
            .collect()
    }

    /// Runs the whole search, one run after another, and returns its points. (`ils tune` runs
    /// the same [`runs`](Self::runs) in parallel.)
    ///
    /// # Errors
    /// [`ParameterError`] if the grid is invalid ([`validate`](Self::validate)).
    pub fn search(&self) -> Result<Vec<GridPoint>, ParameterError> {
        self.validate()?;
        let scores = self
            .runs()
            .into_iter()
            .map(|(estimator, config)| score_run(config, estimator))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.points(&scores))
    }
}

/// One estimator under one optimiser at one learning rate, scored over the grid's seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridPoint {
    /// The estimator trained.
    pub estimator: Estimator,
    /// The optimiser it trained under.
    pub optimiser: Optimiser,
    /// The optimiser's learning rate.
    pub learning_rate: f64,
    /// The mean of the seeds' scores.
    pub score: Score,
}

/// The best of the points of one estimator under one optimiser: the lowest mean area among
/// those that did not diverge, the smaller learning rate on a tie. `None` if every point
/// diverged.
pub fn best(points: &[GridPoint]) -> Option<&GridPoint> {
    points
        .iter()
        .filter(|point| !point.score.diverged)
        .min_by(|a, b| {
            let by_area = a.score.area.total_cmp(&b.score.area);
            by_area.then(a.learning_rate.total_cmp(&b.learning_rate))
        })
}

/// The [`best`] of each estimator under each optimiser, in the order of `points`: one entry per
/// run of consecutive points with the same estimator and optimiser (as [`Grid::points`] gives
/// them).
pub fn tuned(points: &[GridPoint]) -> Vec<Tuned> {
    points
        .chunk_by(|a, b| a.estimator == b.estimator && a.optimiser == b.optimiser)
        .map(|setting| Tuned {
            estimator: setting[0].estimator,
            optimiser: setting[0].optimiser,
            best: best(setting).map(|point| Best {
                learning_rate: point.learning_rate,
                area: point.score.area,
                final_kl: point.score.final_kl,
            }),
        })
        .collect()
}

/// One row of `best.csv`: an estimator's best learning rate under an optimiser.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tuned {
    /// The estimator tuned, its own parameter fixed.
    pub estimator: Estimator,
    /// The optimiser it was tuned under.
    pub optimiser: Optimiser,
    /// `None` if every learning rate of the grid diverged.
    pub best: Option<Best>,
}

/// The best learning rate of a setting and its mean scores over the seeds, in nats.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Best {
    /// The learning rate with the lowest mean area.
    pub learning_rate: f64,
    /// See [`Score::area`].
    pub area: f64,
    /// See [`Score::final_kl`].
    pub final_kl: f64,
}

impl Tuned {
    /// Whether this row is for `estimator` (the same kind and the same parameter, to the bit)
    /// under `optimiser`.
    fn is_for(&self, estimator: &Estimator, optimiser: Optimiser) -> bool {
        self.optimiser == optimiser
            && self.estimator.kind() == estimator.kind()
            && self.estimator.parameter().to_bits() == estimator.parameter().to_bits()
    }
}

/// A line of a `best.csv` table that does not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableError {
    /// The line, counting the header as line 1.
    pub line: usize,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} of the tuned table: {}", self.line, self.problem)
    }
}

impl std::error::Error for TableError {}

/// Reads a `best.csv` as `ils tune` writes it: the header [`BEST_CSV_HEADER`], then one row
/// per estimator and optimiser.
///
/// The file is this crate's own and holds only names and numbers, so a line is split at its
/// commas (no quoting); the `csv` crate is left to the command line, outside the library's
/// WebAssembly build.
///
/// # Errors
/// [`TableError`] for a wrong header, a row without six fields, an unknown estimator or
/// optimiser, a number that does not read or a parameter or learning rate out of range.
pub fn parse_best(text: &str) -> Result<Vec<Tuned>, TableError> {
    let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
    match lines.next() {
        Some((_, header)) if header == BEST_CSV_HEADER => {}
        _ => {
            return Err(TableError {
                line: 1,
                problem: format!("the header must be {BEST_CSV_HEADER}"),
            });
        }
    }
    lines
        .map(|(line, row)| parse_row(row).map_err(|problem| TableError { line, problem }))
        .collect()
}

/// One row of `best.csv`, or what is wrong with it.
fn parse_row(row: &str) -> Result<Tuned, String> {
    let fields: Vec<&str> = row.split(',').collect();
    let [name, parameter, optimiser, learning_rate, area, final_kl] = fields[..] else {
        return Err(format!("expected 6 fields, got {}", fields.len()));
    };
    let number = |field: &str| {
        field
            .parse::<f64>()
            .map_err(|_| format!("'{field}' is not a number"))
    };
    let kind =
        EstimatorKind::from_name(name).ok_or_else(|| format!("unknown estimator '{name}'"))?;
    let estimator = kind.at(number(parameter)?).map_err(|e| e.to_string())?;
    let optimiser = Optimiser::from_name(optimiser)
        .ok_or_else(|| format!("unknown optimiser '{optimiser}'"))?;
    let best = match (learning_rate, area, final_kl) {
        ("", "", "") => None,
        _ => Some(Best {
            learning_rate: parameter::LEARNING_RATE
                .check(number(learning_rate)?)
                .map_err(|e| e.to_string())?,
            area: number(area)?,
            final_kl: number(final_kl)?,
        }),
    };
    Ok(Tuned {
        estimator,
        optimiser,
        best,
    })
}

/// The table shipped with the crate, `assets/tuned/best.csv`: the result of `ils tune` with its
/// defaults (the [`Grid::default`] search).
///
/// # Errors
/// [`TableError`] if the shipped file does not read (a unit test makes sure it does).
pub fn shipped() -> Result<Vec<Tuned>, TableError> {
    parse_best(SHIPPED_BEST)
}

/// The tuned learning rate of `estimator` under `optimiser`, from the [`shipped`] table.
///
/// The table was tuned on the published problem (`N = K = 5`, loss epsilon 1e-8) with the
/// published ILS epsilon; an estimator is looked up by its kind and its own parameter alone
/// (to the bit), so other settings get the same answer. `None` for an estimator or parameter
/// the table does not hold, or one whose every learning rate diverged.
///
/// ```
/// let gumbel = ils::GumbelSoftmax::new(1.0)?.into();
/// let rate = ils::tuning::best_learning_rate(&gumbel, ils::Optimiser::Sgd);
/// assert!(rate.is_some_and(|rate| ils::tuning::LEARNING_RATE_GRID.contains(&rate)));
/// # Ok::<(), ils::ParameterError>(())
/// ```
pub fn best_learning_rate(estimator: &Estimator, optimiser: Optimiser) -> Option<f64> {
    static TABLE: OnceLock<Vec<Tuned>> = OnceLock::new();
    let table = TABLE.get_or_init(|| shipped().unwrap_or_default());
    table
        .iter()
        .find(|row| row.is_for(estimator, optimiser))?
        .best
        .map(|best| best.learning_rate)
}

/// Whether the [`shipped`] table applies to the problem of `config`: the one it was tuned on,
/// `N`, `K` and the loss epsilon as published (the learning rate, optimiser, steps and seed
/// may differ). The scale of every estimate depends on these, so a rate tuned for one problem
/// says little about another.
pub fn tuned_for(config: &Config) -> bool {
    let published = Config::default();
    (config.trials, config.categories, config.loss_epsilon)
        == (
            published.trials,
            published.categories,
            published.loss_epsilon,
        )
}

/// Whether `rate` is the smallest or the largest of [`LEARNING_RATE_GRID`]: a best there may
/// lie beyond the grid.
pub fn at_grid_edge(rate: f64) -> bool {
    rate == LEARNING_RATE_GRID[0] || rate == LEARNING_RATE_GRID[LEARNING_RATE_GRID.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GumbelSoftmax, Ils, ScoreFunction};

    #[test]
    fn the_table_applies_to_the_published_problem_only() {
        let published = Config::default();
        assert!(tuned_for(&Config {
            learning_rate: 3.0,
            optimiser: Optimiser::Adam,
            steps: 7,
            seed: 9,
            ..published
        }));
        assert!(!tuned_for(&Config {
            categories: 50,
            ..published
        }));
        assert!(!tuned_for(&Config {
            loss_epsilon: 0.01,
            ..published
        }));
        assert!(at_grid_edge(0.0001) && at_grid_edge(100.0) && !at_grid_edge(0.01));
    }

    fn ils_at(step_size: f64) -> Estimator {
        Ils::new(step_size).expect("valid step size").into()
    }

    fn point(learning_rate: f64, area: f64) -> GridPoint {
        GridPoint {
            estimator: ils_at(0.01),
            optimiser: Optimiser::Sgd,
            learning_rate,
            score: Score {
                area,
                final_kl: area / 2.0,
                diverged: false,
            },
        }
    }

    fn diverged(learning_rate: f64) -> GridPoint {
        GridPoint {
            score: Score::DIVERGED,
            ..point(learning_rate, 0.0)
        }
    }

    #[test]
    fn the_grid_is_the_literals() {
        let literals = [
            0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0,
            5.0, 10.0, 20.0, 50.0, 100.0,
        ];
        assert_eq!(LEARNING_RATE_GRID, literals);
        // And so they print as written, which the tables rely on.
        let printed: Vec<String> = LEARNING_RATE_GRID.iter().map(f64::to_string).collect();
        assert_eq!(printed[..4], ["0.0001", "0.0002", "0.0005", "0.001"]);
        assert_eq!(printed[18], "100");
    }

    #[test]
    fn scores_by_hand() {
        // Five steps: the last tenth rounds up to the last step alone.
        let halving = [0.5, 0.25, 0.125, 0.0625, 0.03125];
        let score = Score::of_curve(&halving).expect("five steps");
        assert_eq!(score.area, 0.96875 / 5.0);
        assert_eq!(score.final_kl, 0.03125);
        assert!(!score.diverged);

        // Twenty steps of KL 1, 2, ..., 20: the area is 210 / 20, the last tenth steps 19, 20.
        let rising: Vec<f64> = (1..=20).map(f64::from).collect();
        let score = Score::of_curve(&rising).expect("twenty steps");
        assert_eq!((score.area, score.final_kl), (10.5, 19.5));

        assert_eq!(Score::of_curve(&[0.1, f64::NAN]), Some(Score::DIVERGED));
        assert_eq!(Score::of_curve(&[f64::INFINITY]), Some(Score::DIVERGED));
        assert_eq!(Score::of_curve(&[]), None);
    }

    #[test]
    fn a_run_scores_as_its_curve() {
        let config = Config {
            steps: 300,
            ..Config::default()
        };
        for estimator in [ils_at(0.01), GumbelSoftmax::new(1.0).expect("valid").into()] {
            let curve = crate::curve(config, estimator, |_| {}).expect("valid config");
            let expected = Score::of_curve(&curve.kl[1..]).expect("300 steps");
            assert_eq!(score_run(config, estimator), Ok(expected));
        }
        let none = Config { steps: 0, ..config };
        let error = score_run(none, ils_at(0.01)).expect_err("no steps");
        assert_eq!(error.to_string(), "steps must be from 1 to 10000000, got 0");
    }

    #[test]
    fn seeds_average_and_any_divergence_counts() {
        let a = Score {
            area: 0.25,
            final_kl: 0.5,
            diverged: false,
        };
        let b = Score {
            area: 0.75,
            final_kl: 1.5,
            diverged: false,
        };
        let mean = Score::mean(&[a, b]).expect("two seeds");
        assert_eq!((mean.area, mean.final_kl, mean.diverged), (0.5, 1.0, false));
        assert_eq!(Score::mean(&[a, Score::DIVERGED]), Some(Score::DIVERGED));
        assert_eq!(Score::mean(&[]), None);
    }

    #[test]
    fn the_lowest_area_wins_and_a_tie_goes_to_the_smaller_rate() {
        let points = [point(1.0, 0.3), point(0.1, 0.2), point(0.01, 0.4)];
        assert_eq!(best(&points).map(|p| p.learning_rate), Some(0.1));

        // Listed larger rate first, equal areas: the smaller rate wins all the same.
        let tie = [point(0.5, 0.2), point(0.05, 0.2), point(0.01, 0.3)];
        assert_eq!(best(&tie).map(|p| p.learning_rate), Some(0.05));

        // A diverged point never wins, and a setting whose every point diverged has no best.
        let some = [diverged(0.001), point(0.01, 10.0), diverged(1.0)];
        assert_eq!(best(&some).map(|p| p.learning_rate), Some(0.01));
        let none = [diverged(0.01), diverged(0.1)];
        assert_eq!(best(&none), None);
        assert_eq!(best(&[]), None);
    }

    #[test]
    fn tuned_has_one_row_per_setting_even_when_all_diverged() {
        let adam = |p: GridPoint| GridPoint {
            optimiser: Optimiser::Adam,
            ..p
        };
        let points = [
            point(0.01, 0.3),
            point(0.1, 0.2),
            adam(diverged(0.01)),
            adam(diverged(0.1)),
        ];
        let rows = tuned(&points);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].best,
            Some(Best {
                learning_rate: 0.1,
                area: 0.2,
                final_kl: 0.1
            })
        );
        assert_eq!((rows[1].optimiser, rows[1].best), (Optimiser::Adam, None));
    }

    #[test]
    fn a_search_pairs_runs_and_points() {
        let grid = Grid {
            estimators: vec![ils_at(0.1), ScoreFunction::new(0.9).expect("valid").into()],
            optimisers: vec![Optimiser::Sgd, Optimiser::Adam],
            learning_rates: vec![0.01, 0.1, 1.0],
            steps: 20,
            seeds: 2,
        };
        let runs = grid.runs();
        assert_eq!(runs.len(), 2 * 2 * 3 * 2);
        assert_eq!(runs[5].0, ils_at(0.1));
        assert_eq!(
            (runs[5].1.optimiser, runs[5].1.learning_rate, runs[5].1.seed),
            (Optimiser::Sgd, 1.0, 1)
        );

        let points = grid.search().expect("a valid grid");
        assert_eq!(points.len(), 2 * 2 * 3);
        let seeds: Vec<Score> = runs[6..8]
            .iter()
            .map(|&(estimator, config)| score_run(config, estimator).expect("valid"))
            .collect();
        assert_eq!(points[3].score, Score::mean(&seeds).expect("two seeds"));
        assert_eq!(
            (points[3].optimiser, points[3].learning_rate),
            (Optimiser::Adam, 0.01)
        );
        assert_eq!(tuned(&points).len(), 4);
    }

    #[test]
    fn a_bad_grid_names_the_value() {
        let message = |grid: Grid| grid.validate().expect_err("invalid").to_string();
        let default = Grid::default;
        assert_eq!(
            message(Grid {
                seeds: 0,
                ..default()
            }),
            "seeds must be from 1 to 1000, got 0"
        );
        assert_eq!(
            message(Grid {
                learning_rates: vec![0.1, f64::NAN],
                ..default()
            }),
            "learning rate must be a finite number, got NaN"
        );
        assert_eq!(
            message(Grid {
                learning_rates: vec![1e4],
                ..default()
            }),
            "learning rate must be from 1e-9 to 1000, got 10000"
        );
    }

    #[test]
    fn the_default_search_covers_every_kind() {
        let grid = Grid::default();
        assert_eq!(grid.estimators.len(), 13);
        assert_eq!(grid.runs().len(), 13 * 3 * 19 * 3);
        let score_function = grid.estimators.last().expect("thirteen");
        assert_eq!(
            score_function.to_string(),
            "Score function (REINFORCE), β = 0.9"
        );
    }

    #[test]
    fn the_shipped_table_reads_and_covers_the_default_search() {
        let table = shipped().expect("assets/tuned/best.csv reads");
        let grid = Grid::default();
        let expected: Vec<(Estimator, Optimiser)> = grid
            .estimators
            .iter()
            .flat_map(|&e| grid.optimisers.iter().map(move |&o| (e, o)))
            .collect();
        let rows: Vec<(Estimator, Optimiser)> = table
            .iter()
            .map(|row| (row.estimator, row.optimiser))
            .collect();
        assert_eq!(rows, expected);
        for row in &table {
            let best = row
                .best
                .expect("every default setting has a best learning rate");
            assert!(LEARNING_RATE_GRID.contains(&best.learning_rate), "{row:?}");
            assert!(
                best.area.is_finite() && best.final_kl.is_finite(),
                "{row:?}"
            );
            assert_eq!(
                best_learning_rate(&row.estimator, row.optimiser),
                Some(best.learning_rate)
            );
        }
    }

    #[test]
    fn only_tuned_settings_have_a_learning_rate() {
        let off_grid: Estimator = GumbelSoftmax::new(0.5).expect("valid").into();
        assert_eq!(best_learning_rate(&off_grid, Optimiser::Sgd), None);
        let hard: Estimator = GumbelSoftmax::new(1.0)
            .expect("valid")
            .with_straight_through(true)
            .into();
        let soft: Estimator = GumbelSoftmax::new(1.0).expect("valid").into();
        let table = shipped().expect("reads");
        let row = |e: &Estimator| table.iter().find(|r| r.is_for(e, Optimiser::Adam));
        assert_eq!(row(&hard).map(|r| r.estimator.kind()), Some(hard.kind()));
        assert_eq!(row(&soft).map(|r| r.estimator.kind()), Some(soft.kind()));
    }

    #[test]
    fn a_bad_table_says_where() {
        let header = BEST_CSV_HEADER;
        let cases = [
            ("estimator,parameter\n", 1, "the header must be"),
            (
                &*format!("{header}\nils,0.01,sgd,0.1,0.2\n"),
                2,
                "expected 6 fields",
            ),
            (
                &*format!("{header}\nils,0.1,sgd,,,\nsoftmax,1,sgd,,,"),
                3,
                "unknown estimator",
            ),
            (
                &*format!("{header}\nils,0.1,rmsprop,,,"),
                2,
                "unknown optimiser",
            ),
            (
                &*format!("{header}\nils,x,sgd,,,"),
                2,
                "'x' is not a number",
            ),
            (
                &*format!("{header}\ngumbel-softmax,0,sgd,,,"),
                2,
                "temperature must be",
            ),
            (
                &*format!("{header}\nils,0.1,sgd,0,1,1"),
                2,
                "learning rate must be",
            ),
            (
                &*format!("{header}\nils,0.1,sgd,0.1,,"),
                2,
                "'' is not a number",
            ),
        ];
        for (text, line, problem) in cases {
            let error = parse_best(text).expect_err("a bad table");
            assert_eq!(error.line, line, "{error}");
            assert!(error.problem.starts_with(problem), "{error}");
        }
        let empty = parse_best(&format!("{header}\nils,0.1,sgd,,,\n")).expect("reads");
        assert_eq!(empty[0].best, None);
    }
}
