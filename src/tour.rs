//! The guided tour: a few settings of the page, each showing one thing about the estimators,
//! with a caption of what to look for whose numbers are measured here, by the same code the
//! page runs.
//!
//! Measuring the long runs takes seconds, so the page does not measure: it shows the captions
//! that `ils tour` printed into `assets/tour.txt`, and a test checks that the file still says
//! what the code measures.

use crate::error::ParameterError;
use crate::estimator::{Estimator, EstimatorKind};
use crate::floor::Floor;
use crate::format::{group_thousands, round_significant, significant};
use crate::optimiser::Optimiser;
use crate::settings::{Settings, Slot};
use crate::toy_problem::{Config, curve};

/// Why the tour could not be built or measured.
#[derive(Clone, Debug, PartialEq)]
pub enum TourError {
    /// A stop's setting is out of range (the tour's are not).
    Parameter(ParameterError),
    /// The shipped table of tuned learning rates has no row for this default estimator.
    Untuned(&'static str),
    /// The floor stop's run has no floor (see [`Floor::of`]).
    NoFloor,
    /// A stop the captions do not know.
    UnknownStop(&'static str),
}

impl From<ParameterError> for TourError {
    fn from(error: ParameterError) -> Self {
        Self::Parameter(error)
    }
}

impl std::fmt::Display for TourError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Parameter(error) => error.fmt(f),
            Self::Untuned(name) => write!(
                f,
                "assets/tuned/best.csv has no learning rate for {name} at its default setting"
            ),
            Self::NoFloor => f.write_str("the floor stop's ILS run has no floor"),
            Self::UnknownStop(name) => write!(f, "the tour has no caption for the stop {name}"),
        }
    }
}

impl std::error::Error for TourError {}

/// The captions as `ils tour` last wrote them: a line per stop, its name, a tab, its caption.
pub const SHIPPED: &str = include_str!("../assets/tour.txt");

/// One stop of the tour: a link into the page and what it shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Stop {
    /// A short name, the same in the captions file and the page's element ids.
    pub name: &'static str,
    /// The link's text.
    pub title: &'static str,
    /// The settings the link opens.
    pub settings: Settings,
}

/// The stops in the order the page lists them.
///
/// # Errors
/// [`TourError::Untuned`] if the shipped table of tuned learning rates lacks the default
/// settings (a test checks that it does not).
pub fn stops() -> Result<Vec<Stop>, TourError> {
    let published = Settings::default();
    let gs = published.estimator(EstimatorKind::GumbelSoftmax)?;
    let ils = published.estimator(EstimatorKind::Ils)?;
    let tuned = |estimator: &Estimator| {
        crate::tuning::best_learning_rate(estimator, Optimiser::Sgd)
            .ok_or(TourError::Untuned(estimator.name()))
    };
    let stop = |name, title, settings| Stop {
        name,
        title,
        settings,
    };
    Ok(vec![
        stop(
            "published",
            "The published figure",
            Settings {
                published_sweep: true,
                ..published
            },
        ),
        stop(
            "inert",
            "α does nothing",
            Settings {
                steps: 2_000,
                published_sweep: true,
                ..published
            },
        ),
        stop(
            "alive",
            "…until ε is larger",
            Settings {
                step_size: 0.001,
                steps: 2_000,
                loss_epsilon: 0.01,
                log_y: true,
                published_sweep: true,
                ..published
            },
        ),
        stop(
            "floor",
            "The ILS floor",
            Settings {
                left: EstimatorKind::Ils,
                right: EstimatorKind::Ils,
                left_learning_rate: 0.01,
                right_learning_rate: 0.001,
                steps: 200_000,
                log_y: true,
                ..published
            },
        ),
        stop(
            "tuned",
            "Each at its best rate",
            Settings {
                left_learning_rate: tuned(&gs)?,
                right_learning_rate: tuned(&ils)?,
                steps: crate::tuning::DEFAULT_STEPS,
                ..published
            },
        ),
        stop(
            "directions",
            "Directions only",
            Settings {
                optimiser: Optimiser::NormalisedSgd,
                steps: 2_000,
                ..published
            },
        ),
        stop(
            "long",
            "A million steps",
            Settings {
                temperature: 10.0,
                steps: 1_000_000,
                log_y: true,
                published_sweep: true,
                ..published
            },
        ),
    ])
}

/// Measures what `stop` shows and writes its two-sentence caption. Runs the stop's curves
/// natively: a few seconds for the million-step stop, milliseconds for the others.
///
/// # Errors
/// [`TourError`] for a stop it does not know, or whose settings it cannot run.
pub fn caption(stop: &Stop) -> Result<String, TourError> {
    let s = &stop.settings;
    let left = s.estimator(s.left)?;
    let right = s.estimator(s.right)?;
    let run = |slot: Slot, estimator: Estimator| -> Result<Vec<f64>, ParameterError> {
        Ok(curve(s.config(slot), estimator, |_| {})?.kl)
    };
    let kl = |x: f64| significant(x, 2);

    Ok(match stop.name {
        "published" => {
            let (gs, ils) = (run(Slot::Left, left)?, run(Slot::Right, right)?);
            let cold = run(Slot::Left, left.with_parameter(0.1)?)?;
            let (lowest, at) = lowest(&cold);
            format!(
                "ILS (right) falls to {} nats within 500 steps, while Gumbel-Softmax at T = 1 \
                 (left) is still at {}. Among the faint curves T = 10 falls slowly, and \
                 T = 0.1 dips to {} nats near step {} and climbs back to {} by the end.",
                kl(ils[500]),
                kl(gs[500]),
                kl(lowest),
                near(at),
                kl(cold[cold.len() - 1]),
            )
        }
        "inert" => {
            let high = run(Slot::Right, right.with_parameter(0.1)?)?;
            let low = run(Slot::Right, right.with_parameter(0.001)?)?;
            let gap = high
                .iter()
                .zip(&low)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            format!(
                "With the published loss ε = 1e-8 the faint ILS curves for α = 0.1, 0.01 and \
                 0.001 lie on the bold one: over 2,000 steps they never differ by more than \
                 {} % of the starting KL. The loss gradient at a one-hot draw is so large \
                 that every α above about {} pushes the intermediate target to the same \
                 saturated point.",
                significant(100.0 * gap / high[0], 1),
                significant(saturation(&s.config(Slot::Right)), 1),
            )
        }
        "alive" => {
            let high = run(Slot::Right, right.with_parameter(0.1)?)?;
            let low = run(Slot::Right, right)?;
            let weaker = s.loss_epsilon / crate::PUBLISHED_LOSS_EPSILON;
            format!(
                "With loss ε = 0.01 the step sizes part: by step 2,000 α = 0.1 (faint) is at \
                 {} nats, while α = 0.001 (bold) has climbed from {} to {}. The loss gradient \
                 is now {} times smaller than at the published ε, so only a large α moves the \
                 intermediate target far from the drawn vertex.",
                kl(high[high.len() - 1]),
                kl(low[0]),
                kl(low[low.len() - 1]),
                significant(weaker, 1),
            )
        }
        "floor" => {
            let config = s.config(Slot::Right);
            let floor = Floor::of(&config, &right).ok_or(TourError::NoFloor)?;
            let slow = run(Slot::Right, right)?;
            let tail = &slow[slow.len() - 50_000..];
            format!(
                "Both panels run ILS, the right at a tenth of the learning rate; the dashed \
                 line is where ILS's mean update stops, at {} nats, while the targets \
                 themselves are at KL 0. With less noise the right run settles onto the line \
                 ({} nats over its last 50,000 steps), not below it.",
                kl(floor.kl),
                kl(mean(tail)),
            )
        }
        "tuned" => {
            let (gs, ils) = (run(Slot::Left, left)?, run(Slot::Right, right)?);
            format!(
                "Each panel runs at the learning rate that ils tune found best for it over {} \
                 steps: {} for Gumbel-Softmax at T = 1 and {} for ILS. Their mean KL over the \
                 run is then {} and {} nats, and they end at {} and {}.",
                group_thousands(s.steps),
                s.left_learning_rate,
                s.right_learning_rate,
                kl(mean(&gs[1..])),
                kl(mean(&ils[1..])),
                kl(gs[gs.len() - 1]),
                kl(ils[ils.len() - 1]),
            )
        }
        "directions" => {
            let (gs, ils) = (run(Slot::Left, left)?, run(Slot::Right, right)?);
            let plain = |estimator| {
                let config = Config {
                    optimiser: Optimiser::Sgd,
                    ..s.config(Slot::Left)
                };
                curve(config, estimator, |_| {}).map(|c| c.kl[1_000])
            };
            format!(
                "Normalised SGD gives every update one length in the directions that change \
                 the probabilities, so the two estimators differ in direction only. At step \
                 1,000 Gumbel-Softmax is at {} nats and ILS at {}; under plain SGD they were at \
                 {} and {}.",
                kl(gs[1_000]),
                kl(ils[1_000]),
                kl(plain(left)?),
                kl(plain(right)?),
            )
        }
        "long" => {
            let warm = run(Slot::Left, left)?;
            let mild = run(Slot::Left, left.with_parameter(1.0)?)?;
            let (warm_lowest, warm_at) = lowest(&warm);
            let (mild_lowest, _) = lowest(&mild);
            format!(
                "Over a million steps Gumbel-Softmax climbs back: at T = 10 its KL is lowest \
                 near step {} ({} nats) and ends at {}, and at T = 1 (faint) it goes from {} \
                 to {}. The relaxed objective's optimum is not the target, so running longer \
                 moves it further away.",
                near(warm_at),
                kl(warm_lowest),
                kl(warm[warm.len() - 1]),
                kl(mild_lowest),
                kl(mild[mild.len() - 1]),
            )
        }
        other => return Err(TourError::UnknownStop(other)),
    })
}

/// Every stop's caption in the form of [`SHIPPED`]: what `ils tour` prints.
///
/// # Errors
/// As [`stops`] and [`caption`].
pub fn captions() -> Result<String, TourError> {
    let mut text = String::new();
    for stop in stops()? {
        text.push_str(stop.name);
        text.push('\t');
        text.push_str(&caption(&stop)?);
        text.push('\n');
    }
    Ok(text)
}

/// The shipped caption of the stop called `name`, if [`SHIPPED`] has one.
pub fn shipped_caption(name: &str) -> Option<&'static str> {
    SHIPPED
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .find_map(|(stop, caption)| (stop == name).then_some(caption))
}

/// The step size above which ILS's intermediate target saturates: `eps N K^2`, where a
/// typical loss gradient at a one-hot draw, `t / (N K eps)` with `t` about `1 / K`, times `alpha`
/// reaches 1.
fn saturation(config: &Config) -> f64 {
    let k = config.categories as f64;
    config.loss_epsilon * config.trials as f64 * k * k
}

/// The smallest value and its index.
fn lowest(values: &[f64]) -> (f64, usize) {
    values
        .iter()
        .enumerate()
        .fold((f64::INFINITY, 0), |(best, at), (i, &v)| {
            if v < best { (v, i) } else { (best, at) }
        })
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// A step to two significant digits, with thousands separators: `near(182_625)` is
/// `"180,000"`.
fn near(step: usize) -> String {
    group_thousands(round_significant(step as f64, 2) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stop_has_a_shipped_caption_of_two_sentences() {
        let stops = stops().expect("the tuned table covers the defaults");
        for stop in &stops {
            let caption = shipped_caption(stop.name).expect("a caption for every stop");
            let sentences = caption.matches(". ").count() + usize::from(caption.ends_with('.'));
            assert_eq!(sentences, 2, "{}: {caption}", stop.name);
        }
        assert_eq!(SHIPPED.lines().count(), stops.len());
    }

    #[test]
    fn every_stop_is_a_link_that_reads_back_the_same() {
        for stop in stops().expect("the tuned table covers the defaults") {
            let query = stop.settings.to_query();
            assert_eq!(
                Settings::from_query(&query),
                (stop.settings, vec![]),
                "{}",
                stop.name
            );
        }
    }

    #[test]
    fn helpers_by_hand() {
        assert_eq!(near(182_625), "180,000");
        assert_eq!(near(6_515), "6,500");
        assert_eq!(lowest(&[3.0, 1.0, 2.0, 1.0]), (1.0, 1));
        // 1e-8 * 5 * 25
        assert!((saturation(&Config::default()) - 1.25e-6).abs() < 1e-20);
    }
}
