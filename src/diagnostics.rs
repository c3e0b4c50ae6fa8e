//! Gradient quality: how close an estimator's gradient estimates come, in direction, bias and
//! variance, to the exact gradient of the true objective; and the objective that exact one-hot
//! draws really minimise.
//!
//! Everything is measured at one point, a [`Snapshot`] of the toy problem's logits and
//! targets, with its own seeded [`Generator`], so that measuring never disturbs a
//! [`Trainer`].
//!
//! **Scale.** The training loss is a mean over the `N K` entries,
//! `L(z) = sum_ij -t_ij (ln(z_ij + eps) - ln(t_ij + eps)) / (N K)`, and every estimator returns
//! an estimate of `dL/dlogits` on that scale. Were the draw replaced by its mean `pi`, the loss
//! would be `sum_i KL(t_i || pi_i) / (N K)` (up to `eps`), whose exact gradient for trial `i` is
//! `(pi_i - t_i) / (N K)`. That is the reference here: the gradient of the true objective, on
//! the scale of the loss the estimators differentiate, so that a relative error of 0 means an
//! estimator that could replace the exact gradient in the same SGD step unchanged.
//!
//! **Projection.** Adding a constant to a trial's logits leaves its softmax unchanged, so a
//! gradient's component along that trial's all-ones direction does nothing. Every estimate and
//! every exact gradient is compared after removing it (subtracting each row's mean). This
//! matters for ILS with the published logit update, `-pi_D / (pi + eps)`, whose estimates have
//! a large all-ones component.

use rand::SeedableRng;

use crate::Generator;
use crate::error::ParameterError;
use crate::estimator::Estimator;
use crate::parameter;
use crate::softmax::softmax;
use crate::toy_problem::{
    Config, Loss, Scratch, Trainer, Trial, estimate_gradient, sampled_objective,
};

/// The number of gradient estimates drawn by default, `M`.
pub const DEFAULT_ESTIMATES: usize = 1_000;

/// The temperatures a sweep of Gumbel-Softmax covers, log-spaced.
pub const TEMPERATURE_SWEEP: (f64, f64) = (0.01, 100.0);

/// The step sizes a sweep of ILS covers, log-spaced.
pub const STEP_SIZE_SWEEP: (f64, f64) = (1e-9, 1.0);

/// The baseline decays a sweep of the score-function estimator covers, with `1 - beta`
/// log-spaced from 1 down to `1e-3`.
pub const BASELINE_DECAY_SWEEP: (f64, f64) = (0.0, 0.999);

/// How the mean of `M` gradient estimates compares with an exact gradient `g`, both with the
/// all-ones component of each trial's row removed.
///
/// With `m` the mean estimate and `V = sum_j Var(estimate_j)` the total variance (sample
/// variances, divided by `M - 1`):
///
/// - `cosine = <m, g> / (|m| |g|)`: 1 if the mean points the right way, -1 if exactly against;
/// - `relative_error = |m - g| / |g|`: 0 for a perfect mean; it includes the Monte Carlo noise
///   of the mean itself, about `sqrt(relative_variance / M)`;
/// - `relative_variance = V / |g|^2`: the noise of a single estimate against the signal;
/// - `norm_ratio = |m| / |g|`: the mean's length against the exact gradient's.
///
/// Every field is NaN where it divides by a zero norm (at the optimum, where `g = 0`, say).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradientQuality {
    pub cosine: f64,
    pub relative_error: f64,
    pub relative_variance: f64,
    pub norm_ratio: f64,
}

/// One point of a sweep: an estimator's parameter value and its gradient quality there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweepPoint {
    pub parameter: f64,
    pub quality: GradientQuality,
}

/// The true objective and the sampled one at a snapshot, both averaged over the trials, in
/// nats.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Objectives {
    /// `mean_i KL(t_i || pi_i)`: what [`Trainer::kl`] reports and what training should
    /// minimise.
    pub kl: f64,
    /// `mean_i E[l_i(z_i)]` over exact one-hot draws `z_i ~ Cat(pi_i)`, where
    /// `l_i(z) = sum_j -t_ij (ln(z_j + eps) - ln(t_ij + eps))` is trial `i`'s loss before the
    /// `1 / (N K)`; that is, `K E_z[L(z)]`. At `z = pi` the same sum would be the KL (up to
    /// `eps`). At a vertex it is `l_i(e_k) = c_i - b t_ik`, with
    /// `c_i = sum_j t_ij (ln(t_ij + eps) - ln(eps))` and `b = ln(1 + eps) - ln(eps)` (about
    /// 18.4 at the published `eps = 1e-8`), so the closed form is
    /// `mean_i sum_k pi_ik (c_i - b t_ik)`: linear in `pi`, and minimised by putting all of
    /// each trial's mass on its largest target, not by `pi = t`. An unbiased estimator of its
    /// gradient, such as the score function, drives `pi` towards that vertex and the KL up.
    pub sampled: f64,
}

/// The toy problem frozen at one set of logits: the point where gradients are measured.
///
/// ```
/// let trainer = ils::Trainer::new(ils::Config::default(), ils::Ils::new(0.01)?.into())?;
/// let snapshot = ils::Snapshot::of(&trainer)?;
/// let gumbel = ils::GumbelSoftmax::new(1.0)?.into();
/// let quality = snapshot.quality(&gumbel, 1_000, 7)?;
/// assert!(quality.cosine > 0.9, "Gumbel-Softmax at T = 1 points the right way");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    trials: usize,
    categories: usize,
    loss: Loss,
    targets: Vec<f64>,
    logits: Vec<f64>,
    probs: Vec<f64>,
    log_normalisers: Vec<f64>,
    vertex_offsets: Vec<f64>,
}

impl Snapshot {
    /// The trainer's current logits and its targets, with its loss settings. The trainer is
    /// only read.
    ///
    /// # Errors
    /// [`ParameterError`] if the logits are no longer finite (after a divergence).
    pub fn of(trainer: &Trainer) -> Result<Self, ParameterError> {
        Self::new(trainer.config(), trainer.logits(), trainer.targets())
    }

    /// `N = config.trials` rows of `K = config.categories` logits and targets, with the loss
    /// epsilon of `config`; its other fields are not used.
    ///
    /// # Errors
    /// [`ParameterError`] if `config` is out of range, a slice is not `N K` long, a logit is
    /// not finite, or a row of targets is not a distribution (non-negative, summing to 1
    /// within `1e-9`).
    pub fn new(config: &Config, logits: &[f64], targets: &[f64]) -> Result<Self, ParameterError> {
        config.validate()?;
        let size = config.trials * config.categories;
        check_length("logits", logits, size)?;
        check_length("targets", targets, size)?;
        if let Some(&value) = logits.iter().find(|x| !x.is_finite()) {
            return Err(ParameterError::NotFinite {
                parameter: "a logit",
                value,
            });
        }
        for row in targets.chunks(config.categories) {
            check_distribution(row)?;
        }

        let loss = Loss::new(config);
        let mut probs = vec![0.0; size];
        let log_normalisers = logits
            .chunks(config.categories)
            .zip(probs.chunks_mut(config.categories))
            .map(|(x, p)| softmax(x, p))
            .collect();
        let vertex_offsets = targets
            .chunks(config.categories)
            .map(|row| loss.vertex_offset(row))
            .collect();
        Ok(Self {
            trials: config.trials,
            categories: config.categories,
            loss,
            targets: targets.to_vec(),
            logits: logits.to_vec(),
            probs,
            log_normalisers,
            vertex_offsets,
        })
    }

    /// `N`, the number of trials.
    pub fn trials(&self) -> usize {
        self.trials
    }

    /// `K`, the number of categories.
    pub fn categories(&self) -> usize {
        self.categories
    }

    /// The logits, `N` rows of `K`.
    pub fn logits(&self) -> &[f64] {
        &self.logits
    }

    /// The targets, `N` rows of `K`.
    pub fn targets(&self) -> &[f64] {
        &self.targets
    }

    /// `softmax(logits)`, row by row.
    pub fn probs(&self) -> &[f64] {
        &self.probs
    }

    /// The exact gradient of the true objective, `(pi_i - t_i) / (N K)` for each trial `i`,
    /// with each row's all-ones component removed. See the module documentation for the scale.
    pub fn true_gradient(&self) -> Vec<f64> {
        let mut gradient: Vec<f64> = self
            .probs
            .iter()
            .zip(&self.targets)
            .map(|(p, t)| (p - t) * self.loss.scale)
            .collect();
        self.remove_all_ones(&mut gradient);
        gradient
    }

    /// The exact gradient of the sampled objective `E_z[L(z)] = sum_i sum_k pi_ik L_i(e_k)`,
    /// which is what the score-function estimator's mean converges to:
    /// `-b' pi_ij (t_ij - sum_k pi_ik t_ik)`, with `b' = (ln(1 + eps) - ln(eps)) / (N K)` (the
    /// softmax's vector-Jacobian product of `L_i(e_k) = a_i - b' t_ik`), all-ones component
    /// removed.
    pub fn sampled_gradient(&self) -> Vec<f64> {
        let mut gradient = vec![0.0; self.probs.len()];
        let rows = self.rows(&self.probs).zip(self.rows(&self.targets));
        for ((probs, targets), out) in rows.zip(gradient.chunks_mut(self.categories)) {
            let expected_target: f64 = probs.iter().zip(targets).map(|(p, t)| p * t).sum();
            for ((g, &p), &t) in out.iter_mut().zip(probs).zip(targets) {
                *g = -self.loss.vertex_slope * p * (t - expected_target);
            }
        }
        self.remove_all_ones(&mut gradient);
        gradient
    }

    /// The true KL and the sampled objective here; see [`Objectives`].
    pub fn objectives(&self) -> Objectives {
        let kl: f64 = (0..self.trials).map(|trial| self.trial_kl(trial)).sum();
        Objectives {
            kl: kl / self.trials as f64,
            sampled: sampled_objective(
                &self.loss,
                &self.probs,
                &self.targets,
                &self.vertex_offsets,
                self.categories,
            ),
        }
    }

    /// `KL(t_i || softmax(x_i)) = sum_j t_j ln t_j - t_j (x_j - lse(x_i))`, summed in the same
    /// order as [`Trainer`] sums it, so that both report the same bits.
    fn trial_kl(&self, trial: usize) -> f64 {
        let row = trial * self.categories..(trial + 1) * self.categories;
        let log_normaliser = self.log_normalisers[trial];
        let mut kl = 0.0;
        for (&t, &x) in self.targets[row.clone()].iter().zip(&self.logits[row]) {
            // 0 ln 0 = 0: a zero target adds nothing.
            if t > 0.0 {
                kl += t * libm::log(t) - t * (x - log_normaliser);
            }
        }
        kl
    }

    /// Draws `estimates` gradient estimates from `estimator` here and returns their
    /// [`Moments`], each estimate's rows with their all-ones component removed.
    ///
    /// Each estimate makes one draw per trial, in the order training does, from a
    /// [`Generator`] seeded with `seed`: the same seed gives the same draws to every
    /// estimator and parameter value. The score-function estimator's baseline starts at 0 and
    /// moves across the `M` draws as it would in training at fixed logits; it only changes the
    /// variance, not the mean.
    ///
    /// # Errors
    /// [`ParameterError`] if `estimates` is outside [`parameter::ESTIMATES`].
    pub fn estimate(
        &self,
        estimator: &Estimator,
        estimates: usize,
        seed: u64,
    ) -> Result<Moments, ParameterError> {
        parameter::ESTIMATES.check_count(estimates as u64)?;
        let mut rng = Generator::seed_from_u64(seed);
        let mut moments = Moments::new(self.probs.len());
        let mut scratch = Scratch::new(self.categories);
        let mut baselines = vec![0.0; self.trials];
        let mut estimate = vec![0.0; self.probs.len()];

        for _ in 0..estimates {
            for (trial, out) in estimate.chunks_mut(self.categories).enumerate() {
                let current = self.trial(trial);
                estimate_gradient(
                    estimator,
                    &self.loss,
                    &current,
                    &mut baselines[trial],
                    &mut rng,
                    &mut scratch,
                    out,
                );
            }
            self.remove_all_ones(&mut estimate);
            moments.push(&estimate);
        }
        Ok(moments)
    }

    /// The [`GradientQuality`] of `estimates` estimates from `estimator` against the
    /// [`true_gradient`](Self::true_gradient), drawn as [`estimate`](Self::estimate) draws them.
    ///
    /// # Errors
    /// As [`estimate`](Self::estimate).
    pub fn quality(
        &self,
        estimator: &Estimator,
        estimates: usize,
        seed: u64,
    ) -> Result<GradientQuality, ParameterError> {
        let moments = self.estimate(estimator, estimates, seed)?;
        Ok(moments.compare(&self.true_gradient()))
    }

    /// [`quality`](Self::quality) at each of `count` values of `estimator`'s own parameter
    /// (see [`sweep_parameters`]), every other setting kept, every value with the same `seed`
    /// so that the points are paired.
    ///
    /// # Errors
    /// [`ParameterError`] if `count` is outside [`parameter::SWEEP_POINTS`] or `estimates` is
    /// out of range.
    pub fn sweep(
        &self,
        estimator: &Estimator,
        count: usize,
        estimates: usize,
        seed: u64,
    ) -> Result<Vec<SweepPoint>, ParameterError> {
        sweep_parameters(estimator, count)?
            .into_iter()
            .map(|parameter| {
                let estimator = estimator.with_parameter(parameter)?;
                let quality = self.quality(&estimator, estimates, seed)?;
                Ok(SweepPoint { parameter, quality })
            })
            .collect()
    }

    fn trial(&self, trial: usize) -> Trial<'_> {
        let row = trial * self.categories..(trial + 1) * self.categories;
        Trial {
            targets: &self.targets[row.clone()],
            vertex_offset: self.vertex_offsets[trial],
            logits: &self.logits[row.clone()],
            probs: &self.probs[row],
        }
    }

    fn rows<'a>(&self, values: &'a [f64]) -> std::slice::Chunks<'a, f64> {
        values.chunks(self.categories)
    }

    /// Subtracts each row's mean from it: the component along that trial's all-ones direction.
    fn remove_all_ones(&self, values: &mut [f64]) {
        for row in values.chunks_mut(self.categories) {
            let mean = row.iter().sum::<f64>() / row.len() as f64;
            row.iter_mut().for_each(|v| *v -= mean);
        }
    }
}

/// The parameter values a sweep of `estimator` visits: `count` temperatures log-spaced over
/// [`TEMPERATURE_SWEEP`] for Gumbel-Softmax, step sizes over [`STEP_SIZE_SWEEP`] for ILS, and
/// baseline decays `beta` over [`BASELINE_DECAY_SWEEP`] (with `1 - beta` log-spaced) for the
/// score function. Both ends are included exactly.
///
/// ```
/// let gumbel = ils::GumbelSoftmax::new(1.0)?.into();
/// assert_eq!(ils::sweep_parameters(&gumbel, 5)?, [0.01, 0.1, 1.0, 10.0, 100.0]);
/// # Ok::<(), ils::ParameterError>(())
/// ```
///
/// # Errors
/// [`ParameterError`] if `count` is outside [`parameter::SWEEP_POINTS`].
pub fn sweep_parameters(estimator: &Estimator, count: usize) -> Result<Vec<f64>, ParameterError> {
    parameter::SWEEP_POINTS.check_count(count as u64)?;
    Ok(match estimator {
        Estimator::GumbelSoftmax(_) => log_spaced(TEMPERATURE_SWEEP, count),
        Estimator::Ils(_) => log_spaced(STEP_SIZE_SWEEP, count),
        Estimator::ScoreFunction(_) => {
            let (low, high) = BASELINE_DECAY_SWEEP;
            log_spaced((1.0 - low, 1.0 - high), count)
                .into_iter()
                .map(|rest| 1.0 - rest)
                .collect()
        }
    })
}

/// `count >= 2` values from `low` to `high`, equally spaced in `log10`, with both ends exact.
fn log_spaced((low, high): (f64, f64), count: usize) -> Vec<f64> {
    let (from, to) = (libm::log10(low), libm::log10(high));
    let last = count - 1;
    (0..count)
        .map(|i| match i {
            0 => low,
            i if i == last => high,
            i => power_of_ten(from + (to - from) * i as f64 / last as f64),
        })
        .collect()
}

/// `10^exponent`, exact to the last bit for a whole exponent up to 22 in magnitude (see
/// [`decade`]), so that a decade reads as `1e-5` rather than `9.999999999999999e-6`.
fn power_of_ten(exponent: f64) -> f64 {
    if exponent.fract() == 0.0 && exponent.abs() <= 22.0 {
        decade(1.0, exponent as i32)
    } else {
        libm::pow(10.0, exponent)
    }
}

/// `mantissa * 10^exponent` rounded once, for `|exponent| <= 22` and a mantissa of a few
/// digits: the nearest `f64` to the decimal, the same bits as the literal (`decade(2.0, -3)`
/// is `0.002`). Every power of ten up to `10^22` is exact in an `f64`, so the only rounding
/// is the one multiplication or division.
pub(crate) const fn decade(mantissa: f64, exponent: i32) -> f64 {
    let mut power = 1.0;
    let mut i = 0;
    while i < exponent.unsigned_abs() {
        power *= 10.0;
        i += 1;
    }
    if exponent < 0 {
        mantissa / power
    } else {
        mantissa * power
    }
}

/// The running mean and variance of equally long vectors, entry by entry (Welford's update,
/// which stays accurate when the mean is large against the spread).
///
/// ```
/// let mut moments = ils::Moments::new(2);
/// moments.push(&[1.0, -1.0]);
/// moments.push(&[3.0, -3.0]);
/// assert_eq!(moments.mean(), [2.0, -2.0]);
/// assert_eq!(moments.variances(), [2.0, 2.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Moments {
    count: usize,
    mean: Vec<f64>,
    /// The sum of squared deviations from the running mean, per entry.
    squares: Vec<f64>,
}

impl Moments {
    /// No vectors yet, of length `len`.
    pub fn new(len: usize) -> Self {
        Self {
            count: 0,
            mean: vec![0.0; len],
            squares: vec![0.0; len],
        }
    }

    /// Adds one vector.
    ///
    /// # Panics
    /// If its length differs from the one given to [`new`](Self::new).
    pub fn push(&mut self, sample: &[f64]) {
        assert_eq!(sample.len(), self.mean.len(), "Moments: length mismatch");
        self.count += 1;
        let weight = 1.0 / self.count as f64;
        for ((mean, squares), &x) in self.mean.iter_mut().zip(&mut self.squares).zip(sample) {
            let before = x - *mean;
            *mean += before * weight;
            *squares += before * (x - *mean);
        }
    }

    /// How many vectors were added, `M`.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The mean vector.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Each entry's sample variance, `sum_m (x_m - mean)^2 / (M - 1)`; NaN for `M < 2`.
    pub fn variances(&self) -> Vec<f64> {
        let divisor = self.count as f64 - 1.0;
        let divisor = if divisor > 0.0 { divisor } else { f64::NAN };
        self.squares.iter().map(|s| s / divisor).collect()
    }

    /// The total variance, the sum of [`variances`](Self::variances).
    pub fn total_variance(&self) -> f64 {
        self.variances().iter().sum()
    }

    /// The [`GradientQuality`] of the mean against the exact gradient `exact`.
    ///
    /// # Panics
    /// If `exact` has a different length.
    pub fn compare(&self, exact: &[f64]) -> GradientQuality {
        assert_eq!(exact.len(), self.mean.len(), "Moments: length mismatch");
        let dot: f64 = self.mean.iter().zip(exact).map(|(m, g)| m * g).sum();
        let mean_norm = squared_norm(self.mean.iter().copied()).sqrt();
        let error_norm = squared_norm(self.mean.iter().zip(exact).map(|(m, g)| m - g)).sqrt();
        // A zero exact gradient gives NaN, not infinity: there is no direction to compare with.
        let exact_squared = match squared_norm(exact.iter().copied()) {
            s if s > 0.0 => s,
            _ => f64::NAN,
        };
        let exact_norm = exact_squared.sqrt();
        GradientQuality {
            // 0 / 0 is NaN too when the mean estimate is zero.
            cosine: dot / (mean_norm * exact_norm),
            relative_error: error_norm / exact_norm,
            relative_variance: self.total_variance() / exact_squared,
            norm_ratio: mean_norm / exact_norm,
        }
    }
}

fn squared_norm(values: impl Iterator<Item = f64>) -> f64 {
    values.map(|v| v * v).sum()
}

fn check_length(
    parameter: &'static str,
    values: &[f64],
    expected: usize,
) -> Result<(), ParameterError> {
    if values.len() == expected {
        Ok(())
    } else {
        Err(ParameterError::WrongLength {
            parameter,
            value: values.len(),
            expected,
        })
    }
}

fn check_distribution(row: &[f64]) -> Result<(), ParameterError> {
    if row.iter().any(|t| !t.is_finite() || *t < 0.0) {
        return Err(ParameterError::NotADistribution(
            "a target is negative or not finite",
        ));
    }
    if (row.iter().sum::<f64>() - 1.0).abs() > 1e-9 {
        return Err(ParameterError::NotADistribution(
            "a row of targets does not sum to 1",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::categorical::sample_index;
    use crate::test_util::assert_close;
    use crate::{GumbelSoftmax, Ils, ScoreFunction};

    const EPSILON: f64 = crate::PUBLISHED_LOSS_EPSILON;

    /// One trial of two categories with the published loss epsilon.
    fn pair(logits: [f64; 2], targets: [f64; 2]) -> Snapshot {
        let config = Config {
            trials: 1,
            categories: 2,
            ..Config::default()
        };
        Snapshot::new(&config, &logits, &targets).expect("a valid pair")
    }

    /// The published problem at its start: seed 0, N = K = 5.
    fn published_start() -> Snapshot {
        let trainer = Trainer::new(Config::default(), Ils::new(0.01).expect("valid").into())
            .expect("the published settings are valid");
        Snapshot::of(&trainer).expect("finite logits")
    }

    /// One trial's loss summed over categories (no 1 / (N K)) at the one-hot draw `e_k`,
    /// straight from its definition, with `std`'s logarithm.
    fn loss_at_vertex(targets: &[f64], k: usize) -> f64 {
        let mut total = 0.0;
        for (j, &t) in targets.iter().enumerate() {
            let z = if j == k { 1.0 } else { 0.0 };
            total += -t * ((z + EPSILON).ln() - (t + EPSILON).ln());
        }
        total
    }

    #[test]
    fn gradients_and_objectives_by_hand() {
        // pi = softmax(0, ln 3) = (1/4, 3/4), t = (3/4, 1/4), N K = 2.
        let snapshot = pair([0.0, 3.0_f64.ln()], [0.75, 0.25]);
        assert_close(snapshot.probs(), &[0.25, 0.75], 1e-15);
        // (pi - t) / 2 = (-1/4, 1/4); it sums to 0, so the projection keeps it.
        assert_close(&snapshot.true_gradient(), &[-0.25, 0.25], 1e-15);

        // KL = 3/4 ln 3 + 1/4 ln(1/3) = ln(3) / 2.
        let objectives = snapshot.objectives();
        assert_close(&[objectives.kl], &[0.5 * 3.0_f64.ln()], 1e-15);
        // K E[L] = 1/4 L(e_0) + 3/4 L(e_1) with L summed over categories (N = 1): about 13.3.
        let sampled =
            0.25 * loss_at_vertex(&[0.75, 0.25], 0) + 0.75 * loss_at_vertex(&[0.75, 0.25], 1);
        assert_close(&[objectives.sampled], &[sampled], 1e-13);

        // d E[L] / d x_j = -b' pi_j (t_j - pi . t), b' = (ln(1 + eps) - ln eps) / 2 and
        // pi . t = 3/16 + 3/16 = 3/8: -b' (3/32, -3/32).
        let b = 0.5 * ((1.0 + EPSILON).ln() - EPSILON.ln());
        assert_close(
            &snapshot.sampled_gradient(),
            &[-b * 3.0 / 32.0, b * 3.0 / 32.0],
            1e-12,
        );
        // And by central differences of E[L] = K E[L] / K.
        let h = 1e-6;
        let at = |x: f64| pair([x, 3.0_f64.ln()], [0.75, 0.25]).objectives().sampled / 2.0;
        let numeric = (at(h) - at(-h)) / (2.0 * h);
        assert_close(&[snapshot.sampled_gradient()[0]], &[numeric], 1e-8);
    }

    #[test]
    fn trivial_case_by_hand() {
        // pi = softmax(0, -800) = (1, 0) exactly (e^-800 underflows), so every draw is k = 0.
        // ILS with alpha = 0 targets the vertex, pi_D = e_0, and returns
        // G = -pi_D / (pi + 1e-7) = (-c, 0) with c = 1 / (1 + 1e-7); without its all-ones part,
        // (-c/2, c/2), every time. The exact gradient is (pi - t) / 2 = (1/4, -1/4).
        let snapshot = pair([0.0, -800.0], [0.5, 0.5]);
        let ils = Ils::new(0.0).expect("zero is allowed").into();
        let moments = snapshot.estimate(&ils, 10, 3).expect("valid count");
        let c = 1.0 / (1.0 + 1e-7);
        assert_close(moments.mean(), &[-c / 2.0, c / 2.0], 1e-15);
        assert_eq!(moments.total_variance(), 0.0);

        // <m, g> = -c/4, |m| = c / sqrt 2, |g| = sqrt 2 / 4: the cosine is -1. The error
        // |m - g| = sqrt 2 (c/2 + 1/4), over |g| is 2c + 1; |m| / |g| = 2c.
        let quality = moments.compare(&snapshot.true_gradient());
        assert_close(&[quality.cosine], &[-1.0], 1e-15);
        assert_close(&[quality.relative_error], &[2.0 * c + 1.0], 1e-15);
        assert_close(&[quality.norm_ratio], &[2.0 * c], 1e-15);
        assert_eq!(quality.relative_variance, 0.0);

        // KL = 1/2 (ln 1/2 - ln 1) + 1/2 (ln 1/2 - ln pi_1), ln pi_1 = -800: ln(1/2) + 400.
        assert_close(&[snapshot.objectives().kl], &[0.5_f64.ln() + 400.0], 1e-15);
    }

    #[test]
    fn comparison_by_hand() {
        // Mean (2, -2), variances 2 and 2, against g = (1, -1): the same direction, an error
        // of |(1, -1)| = |g|, total variance 4 over |g|^2 = 2, and twice as long.
        let mut moments = Moments::new(2);
        moments.push(&[1.0, -1.0]);
        moments.push(&[3.0, -3.0]);
        let quality = moments.compare(&[1.0, -1.0]);
        assert_close(&[quality.cosine], &[1.0], 1e-15);
        assert_eq!(quality.relative_error, 1.0);
        assert_eq!(quality.relative_variance, 2.0);
        assert_eq!(quality.norm_ratio, 2.0);
        // At the optimum there is nothing to compare with.
        assert!(moments.compare(&[0.0, 0.0]).cosine.is_nan());
    }

    #[test]
    fn score_function_mean_is_the_sampled_objective_gradient() {
        let snapshot = published_start();
        let sf = ScoreFunction::new(0.9).expect("valid decay").into();
        let estimates = 100_000;
        let moments = snapshot.estimate(&sf, estimates, 21).expect("valid count");
        let exact = snapshot.sampled_gradient();
        // Within five standard errors, sqrt(Var / M), in every one of the 25 entries. (The
        // running baseline correlates successive estimates a little; five leaves room.)
        for (j, ((mean, variance), exact)) in moments
            .mean()
            .iter()
            .zip(moments.variances())
            .zip(&exact)
            .enumerate()
        {
            let standard_error = (variance / estimates as f64).sqrt();
            assert!(
                (mean - exact).abs() < 5.0 * standard_error,
                "entry {j}: {mean} vs {exact} (standard error {standard_error})"
            );
        }
        // (Seen: at most 1.8 standard errors; cosine 0.99999 and relative error 0.005, which
        // is the Monte Carlo noise sqrt(3.25 / M) = 0.0057.)
        // And it is not the true objective's gradient: about three times as long and 30
        // degrees off (seen: |m| / |g| = 3.06, cosine 0.87).
        let quality = moments.compare(&snapshot.true_gradient());
        assert!(
            quality.norm_ratio > 2.5 && quality.cosine < 0.95,
            "{quality:?}"
        );
    }

    #[test]
    fn gumbel_softmax_variance_falls_at_high_temperature() {
        // At high T the relaxed sample tends to the uniform point whatever the noise, so the
        // estimate tends to a fixed vector over T and its variance falls like T^-4 (seen at the
        // published start: 3.3e-4, 3.0e-8 and 3.0e-12 at T = 10, 100, 1000). Asserted: at
        // least a hundredfold per decade.
        let snapshot = published_start();
        let variance = |t: f64| {
            let gs = GumbelSoftmax::new(t).expect("valid temperature").into();
            let quality = snapshot.quality(&gs, 2_000, 5).expect("valid count");
            quality.relative_variance
        };
        let [v10, v100, v1000] = [10.0, 100.0, 1000.0].map(variance);
        assert!(v100 < v10 / 100.0, "T = 10: {v10}, T = 100: {v100}");
        assert!(v1000 < v100 / 100.0, "T = 100: {v100}, T = 1000: {v1000}");
    }

    #[test]
    fn sampled_objective_matches_monte_carlo() {
        let snapshot = published_start();
        let (trials, categories) = (snapshot.trials(), snapshot.categories());
        let mut rng = Generator::seed_from_u64(8);
        let draws = 100_000;
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        for _ in 0..draws {
            // One draw per trial; the value is the mean over trials of each trial's loss sum.
            let mut value = 0.0;
            for trial in 0..trials {
                let row = trial * categories..(trial + 1) * categories;
                let k = sample_index(&snapshot.probs()[row.clone()], &mut rng);
                value += loss_at_vertex(&snapshot.targets()[row], k);
            }
            value /= trials as f64;
            sum += value;
            sum_sq += value * value;
        }
        let mean = sum / draws as f64;
        let standard_error = ((sum_sq / draws as f64 - mean * mean) / draws as f64).sqrt();
        let closed_form = snapshot.objectives().sampled;
        // Five standard errors (the standard error is about 0.001 here, on about 13.4).
        assert!(
            (mean - closed_form).abs() < 5.0 * standard_error,
            "Monte Carlo {mean} (standard error {standard_error}) vs closed form {closed_form}"
        );
    }

    #[test]
    fn estimates_are_reproducible_and_leave_the_trainer_alone() {
        let config = Config::default();
        let gs: Estimator = GumbelSoftmax::new(1.0).expect("valid").into();
        let mut trainer = Trainer::new(config, gs).expect("valid config");
        let mut twin = trainer.clone();
        let snapshot = Snapshot::of(&trainer).expect("finite logits");
        let first = snapshot.quality(&gs, 100, 1).expect("valid count");
        assert_eq!(snapshot.quality(&gs, 100, 1), Ok(first));
        assert_ne!(snapshot.quality(&gs, 100, 2), Ok(first));
        // Measuring drew nothing from the trainer's generator.
        assert_eq!(trainer.step(), twin.step());
    }

    #[test]
    fn sweep_covers_the_published_ranges() {
        let gs: Estimator = GumbelSoftmax::new(1.0).expect("valid").into();
        let ils: Estimator = Ils::new(0.01).expect("valid").into();
        let sf: Estimator = ScoreFunction::new(0.9).expect("valid").into();
        assert_eq!(
            sweep_parameters(&ils, 10).expect("valid count"),
            [1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]
        );
        let decays = sweep_parameters(&sf, 4).expect("valid count");
        assert_close(&decays, &[0.0, 0.9, 0.99, 0.999], 1e-15);

        let snapshot = published_start();
        let points = snapshot.sweep(&gs, 3, 50, 0).expect("valid counts");
        let parameters: Vec<f64> = points.iter().map(|p| p.parameter).collect();
        assert_eq!(parameters, [0.01, 1.0, 100.0]);
        let at_one = GumbelSoftmax::new(1.0).expect("valid").into();
        assert_eq!(Ok(points[1].quality), snapshot.quality(&at_one, 50, 0));
    }

    #[test]
    fn decades_are_the_literals() {
        for exponent in -22..=22 {
            for mantissa in [1.0, 2.0, 5.0] {
                let literal: f64 = format!("{mantissa}e{exponent}").parse().expect("a number");
                assert_eq!(decade(mantissa, exponent), literal, "{mantissa}e{exponent}");
            }
            assert_eq!(power_of_ten(f64::from(exponent)), decade(1.0, exponent));
        }
    }

    #[test]
    fn bad_inputs_are_rejected() {
        let config = Config {
            trials: 1,
            categories: 2,
            ..Config::default()
        };
        let cases = [
            (
                vec![0.0],
                vec![0.5, 0.5],
                "logits must hold 2 numbers, got 1",
            ),
            (
                vec![0.0, f64::NAN],
                vec![0.5, 0.5],
                "a logit must be a finite number",
            ),
            (vec![0.0, 0.0], vec![0.5, 0.6], "not a distribution"),
            (vec![0.0, 0.0], vec![1.5, -0.5], "not a distribution"),
        ];
        for (logits, targets, message) in cases {
            let error = Snapshot::new(&config, &logits, &targets).expect_err("accepted");
            assert!(error.to_string().starts_with(message), "{error}");
        }

        let snapshot = pair([0.0, 0.0], [0.5, 0.5]);
        let gs: Estimator = GumbelSoftmax::new(1.0).expect("valid").into();
        assert!(snapshot.estimate(&gs, 1, 0).is_err());
        assert!(snapshot.sweep(&gs, 1, 10, 0).is_err());
        assert!(snapshot.sweep(&gs, 3, 1, 0).is_err());
    }
}
