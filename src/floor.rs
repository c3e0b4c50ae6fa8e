//! Where ILS settles: the fixed point of its mean update, found without sampling.
//!
//! The draw is ILS's only randomness, so its mean update over the draw is a sum over the `K`
//! vertices, `E[g] = sum_k pi_k g(e_k)`, computed exactly. Descending along that mean stops
//! where it no longer changes the probabilities. An estimator without bias for the true KL
//! would stop at the targets (KL 0); the KL where ILS stops is a bias of its update, not
//! sampling noise. Training hovers just above it when the noise is small against the mean
//! (with the published settings, within 1.5 % at a tenth of the published learning rate). With
//! a larger loss epsilon the mean update is a far weaker signal, and a run at the published
//! learning rate can stay far above the point or wander off.

use crate::error::ParameterError;
use crate::estimator::Estimator;
use crate::ils::Ils;
use crate::optimiser::Optimiser;
use crate::softmax::softmax;
use crate::toy_problem::{Config, Loss, Trainer};

/// The rate of the descent along the mean update. The fixed point does not depend on it; the
/// published learning rate is stable for the published problem and reaches the point in a few
/// thousand iterations.
const RATE: f64 = 0.01;

/// The descent has stopped once no logit moves by more than this in an iteration (after each
/// trial's all-ones part, which changes nothing, is removed).
const TOLERANCE: f64 = 1e-13;

/// The fixed point of ILS's mean update on one toy problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Floor {
    /// The mean `KL(t || softmax(logits))` over the trials there, in nats: the curve's scale.
    pub kl: f64,
    /// The logits there, `N` rows of `K`, each row shifted to sum to 0.
    pub logits: Vec<f64>,
    /// Iterations of the descent it took.
    pub iterations: u64,
}

/// The arithmetic [`Floor::of`] allows, in vertex-gradient entries (`N K^2` per iteration):
/// 160,000 iterations of the published problem, which settles in about 2,600; tens of
/// milliseconds in the browser at worst.
pub const FLOOR_WORK: u64 = 20_000_000;

impl Floor {
    /// The floor of a run, where it has one: [`ils_floor`] for an ILS `estimator` (either
    /// logit gradient) trained by plain SGD as `config` says, within [`FLOOR_WORK`]. `None`
    /// for any other estimator or optimiser (normalised SGD and Adam rescale each noisy
    /// update, so their runs do not rest where the mean update vanishes), for a problem too
    /// large for the budget, or if the descent does not settle.
    pub fn of(config: &Config, estimator: &Estimator) -> Option<Self> {
        let Estimator::Ils(ils) = estimator else {
            return None;
        };
        if config.optimiser != Optimiser::Sgd {
            return None;
        }
        let per_iteration = (config.trials * config.categories * config.categories) as u64;
        ils_floor(config, ils, FLOOR_WORK / per_iteration)
            .ok()
            .flatten()
    }
}

/// Descends along the mean ILS update from the starting logits of `config`'s problem (the
/// targets and logits its seed draws) for at most `max_iterations`, and returns the point it
/// stops at, or `None` if it has not stopped by then or a number stopped being finite.
///
/// Each iteration costs `N K^2` backward passes' worth of arithmetic.
///
/// ```
/// let floor = ils::ils_floor(&ils::Config::default(), &ils::Ils::new(0.01)?, 100_000)?
///     .expect("the published problem settles");
/// // The targets are the optimum, at KL 0; ILS stops short of them.
/// assert!(floor.kl > 0.004 && floor.kl < 0.006);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ParameterError`] if a field of `config` is out of range.
pub fn ils_floor(
    config: &Config,
    ils: &Ils,
    max_iterations: u64,
) -> Result<Option<Floor>, ParameterError> {
    let trainer = Trainer::new(*config, (*ils).into())?;
    let k = config.categories;
    let loss = Loss::new(config);
    let targets = trainer.targets().to_vec();
    let mut logits = trainer.logits().to_vec();
    let mut probs = vec![0.0; k];
    let mut grad_draw = vec![0.0; k];
    let mut grad_logits = vec![0.0; k];
    let mut mean = vec![0.0; k];

    for iteration in 1..=max_iterations {
        let mut largest_move: f64 = 0.0;
        for (row, targets) in logits.chunks_mut(k).zip(targets.chunks(k)) {
            softmax(row, &mut probs);
            mean.fill(0.0);
            for (drawn, &p) in probs.iter().enumerate() {
                loss.gradient_at_vertex(targets, drawn, &mut grad_draw);
                ils.backward(&probs, drawn, &grad_draw, &mut grad_logits);
                for (m, g) in mean.iter_mut().zip(&grad_logits) {
                    *m += p * g;
                }
            }
            let shift = mean.iter().sum::<f64>() / k as f64;
            for (x, m) in row.iter_mut().zip(&mean) {
                let change = RATE * (m - shift);
                *x -= change;
                largest_move = largest_move.max(change.abs());
            }
        }
        if !largest_move.is_finite() {
            return Ok(None);
        }
        if largest_move < TOLERANCE {
            for row in logits.chunks_mut(k) {
                let shift = row.iter().sum::<f64>() / k as f64;
                row.iter_mut().for_each(|x| *x -= shift);
            }
            // The trainer's own arithmetic, so the floor's KL and a curve's are comparable.
            let kl = trainer.with_logits(&logits)?.kl();
            return Ok(Some(Floor {
                kl,
                logits,
                iterations: iteration,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Snapshot;

    /// At the floor the mean update, estimated independently by sampling draws through the
    /// training code, is no more than Monte Carlo noise; at the start it is not.
    #[test]
    fn the_sampled_mean_update_vanishes_at_the_floor() {
        let config = Config::default();
        let ils = Ils::new(0.01).expect("valid step size");
        let floor = ils_floor(&config, &ils, 100_000)
            .expect("valid config")
            .expect("settles");
        let trainer = Trainer::new(config, ils.into()).expect("valid config");
        let mean_length = |logits: &[f64]| {
            let snapshot = Snapshot::new(&config, logits, trainer.targets()).expect("finite");
            let moments = snapshot.estimate(&ils.into(), 20_000, 7).expect("valid");
            let mean = moments.mean();
            let length = mean.iter().map(|m| m * m).sum::<f64>().sqrt();
            // The Monte Carlo error of the mean's length: sqrt(total variance / M).
            (length, (moments.total_variance() / 20_000.0).sqrt())
        };
        let (at_start, _) = mean_length(trainer.logits());
        let (at_floor, noise) = mean_length(&floor.logits);
        assert!(at_floor < 3.0 * noise, "{at_floor} vs noise {noise}");
        assert!(at_start > 100.0 * noise, "{at_start} vs noise {noise}");
    }

    #[test]
    fn the_floor_is_centred_and_its_kl_is_that_of_its_logits() {
        let config = Config::default();
        let floor = ils_floor(&config, &Ils::new(0.01).expect("valid"), 100_000)
            .expect("valid config")
            .expect("settles");
        for row in floor.logits.chunks(config.categories) {
            assert!(row.iter().sum::<f64>().abs() < 1e-12);
        }
        let trainer = Trainer::new(config, Ils::new(0.01).expect("valid").into())
            .expect("valid config")
            .with_logits(&floor.logits)
            .expect("finite logits");
        assert!((trainer.kl() - floor.kl).abs() < 1e-15, "{}", trainer.kl());
    }

    #[test]
    fn only_ils_under_plain_sgd_has_a_floor() {
        let config = Config::default();
        let ils: Estimator = Ils::new(0.01).expect("valid").into();
        assert!(Floor::of(&config, &ils).is_some());
        let gs: Estimator = crate::GumbelSoftmax::new(1.0).expect("valid").into();
        assert_eq!(Floor::of(&config, &gs), None);
        let adam = Config {
            optimiser: Optimiser::Adam,
            ..config
        };
        assert_eq!(Floor::of(&adam, &ils), None);
        // 100 trials of 1,000 categories: one iteration is beyond the budget.
        let large = Config {
            trials: 100,
            categories: 1_000,
            ..config
        };
        assert_eq!(Floor::of(&large, &ils), None);
    }

    #[test]
    fn too_few_iterations_settle_nowhere() {
        let floor = ils_floor(&Config::default(), &Ils::new(0.01).expect("valid"), 10);
        assert_eq!(floor, Ok(None));
    }
}
