//! The published toy problem: learn `N` categorical distributions over `K` categories from
//! single draws, and record how far they are from their targets after every SGD step.

use rand::distr::Open01;
use rand::{Rng, RngExt, SeedableRng};

use crate::Generator;
use crate::categorical::sample_index;
use crate::error::ParameterError;
use crate::estimator::{Estimator, EstimatorKind};
use crate::optimiser::{Optimiser, OptimiserState};
use crate::parameter;
use crate::softmax::softmax;

/// The epsilon of the published loss, `ln(draw + 1e-8)`: it keeps the logarithm of a one-hot
/// draw's zeros finite, and so sets the size of the gradient (about `t / 1e-8`) that those
/// entries send back.
pub const PUBLISHED_LOSS_EPSILON: f64 = 1e-8;

/// Settings of the toy problem. [`Default`] is the published experiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// `N`, the number of independent target distributions.
    pub trials: usize,
    /// `K`, the number of categories of each.
    pub categories: usize,
    /// The number of SGD steps [`curve`] runs.
    pub steps: u64,
    /// The SGD learning rate.
    pub learning_rate: f64,
    /// The epsilon in the loss's `ln(draw + epsilon) - ln(t + epsilon)`.
    pub loss_epsilon: f64,
    /// Seeds the targets, the initial logits and every draw.
    pub seed: u64,
    /// How a gradient estimate changes the logits; plain SGD as published.
    pub optimiser: Optimiser,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            trials: 5,
            categories: 5,
            steps: 50_000,
            learning_rate: 0.01,
            loss_epsilon: PUBLISHED_LOSS_EPSILON,
            seed: 0,
            optimiser: Optimiser::Sgd,
        }
    }
}

impl Config {
    /// Checks every field, so that training cannot fail on a bad setting afterwards.
    ///
    /// # Errors
    /// [`ParameterError`] naming the first field outside its range in [`parameter`].
    pub fn validate(&self) -> Result<(), ParameterError> {
        parameter::CATEGORIES.check_count(self.categories as u64)?;
        parameter::TRIALS.check_count(self.trials as u64)?;
        parameter::STEPS.check_count(self.steps)?;
        parameter::LEARNING_RATE.check(self.learning_rate)?;
        parameter::LOSS_EPSILON.check(self.loss_epsilon)?;
        parameter::SEED.check_count(self.seed)?;
        Ok(())
    }
}

/// The six settings of the published figure: ILS at step sizes 0.1, 0.01 and 0.001, then
/// Gumbel-Softmax at temperatures 0.1, 1 and 10.
pub fn published_sweep() -> Vec<Estimator> {
    [EstimatorKind::Ils, EstimatorKind::GumbelSoftmax]
        .into_iter()
        .flat_map(|kind| kind.published_parameters().iter().map(move |&p| kind.at(p)))
        .collect::<Result<_, _>>()
        .expect("the published parameters are within range")
}

/// Why a run stopped: a number on its path stopped being finite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The step that produced the first non-finite number.
    pub step: u64,
    /// Which number it was.
    pub cause: DivergenceCause,
}

/// The first non-finite number of a diverged step, in the order a step computes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DivergenceCause {
    /// An estimator's gradient with respect to the logits.
    Gradient,
    /// A logit after the SGD update.
    Logits,
    /// The KL of the updated logits (with every logit and gradient finite, this means the
    /// logits are so far apart that the log-normaliser overflowed).
    Kl,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cause = match self.cause {
            DivergenceCause::Gradient => "the gradient",
            DivergenceCause::Logits => "the logits",
            DivergenceCause::Kl => "the KL",
        };
        write!(
            f,
            "diverged at step {}: {cause} stopped being finite",
            self.step
        )
    }
}

impl std::error::Error for Divergence {}

/// One optimisation of the toy problem with one estimator, advanced a step at a time.
///
/// Built from a seed: the targets `t` (U(0, 1) per entry, each row normalised) and the initial
/// logits (U(0, 1)) are drawn first from one [`Generator`], and the same generator then makes
/// every draw. Two trainers with the same [`Config`] therefore see the same targets and start
/// from the same logits whatever their estimators: their curves are paired.
///
/// Each [`step`](Self::step) draws once per trial through the estimator, back-propagates the
/// loss `mean_{i,j}( -t_ij (ln(draw_ij + eps) - ln(t_ij + eps)) )`, takes an SGD step on the
/// logits and returns the true `KL(t || softmax(logits))` averaged over the trials, in nats.
/// (The published figure plots this divided by `K`.)
///
/// ```
/// let config = ils::Config { steps: 200, ..ils::Config::default() };
/// let mut trainer = ils::Trainer::new(config, ils::Ils::new(0.01)?.into())?;
/// let start = trainer.kl();
/// for _ in 0..200 {
///     trainer.step()?;
/// }
/// assert!(trainer.kl() < 0.5 * start);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Trainer {
    config: Config,
    estimator: Estimator,
    rng: Generator,
    targets: Vec<f64>,
    /// `t ln t` for each entry, so that the KL needs no logarithm of the targets per step.
    target_entropy_terms: Vec<f64>,
    logits: Vec<f64>,
    /// `softmax(logits)` for each trial, kept up to date after every update.
    probs: Vec<f64>,
    /// The log-sum-exp of each trial's logits, from the same softmax.
    log_normalisers: Vec<f64>,
    loss: Loss,
    /// Each trial's [`Loss::vertex_offset`], so that the loss at a drawn vertex costs nothing.
    vertex_offsets: Vec<f64>,
    /// Each trial's running-mean baseline for the score-function estimator, from 0.
    baselines: Vec<f64>,
    // Rows of length K, reused by every step so that stepping never allocates.
    scratch: Scratch,
    /// Every trial's gradient estimate of the step, `N` rows of `K`.
    gradients: Vec<f64>,
    optimiser: OptimiserState,
    /// The logits before the step's update, to measure the update.
    previous_logits: Vec<f64>,
    /// Moving averages of the update's length and of the exact gradient step's, if asked for;
    /// see [`update_ratio`](Self::update_ratio).
    update_lengths: Option<(f64, f64)>,
    steps_taken: u64,
    kl: f64,
    divergence: Option<Divergence>,
}

impl Trainer {
    /// Draws the problem from `config.seed` and prepares to train with `estimator`.
    ///
    /// # Errors
    /// [`ParameterError`] if a field of `config` is out of range.
    pub fn new(config: Config, estimator: Estimator) -> Result<Self, ParameterError> {
        config.validate()?;
        let size = config.trials * config.categories;
        let mut rng = Generator::seed_from_u64(config.seed);

        // Open01 rather than [0, 1): a target is never exactly 0, so a row never sums to 0.
        let mut targets: Vec<f64> = (0..size).map(|_| rng.sample(Open01)).collect();
        for row in targets.chunks_mut(config.categories) {
            let total: f64 = row.iter().sum();
            row.iter_mut().for_each(|t| *t /= total);
        }
        let logits: Vec<f64> = (0..size).map(|_| rng.random()).collect();
        let target_entropy_terms = targets.iter().map(|&t| t * libm::log(t)).collect();
        let loss = Loss::new(&config);
        let vertex_offsets = targets
            .chunks(config.categories)
            .map(|row| loss.vertex_offset(row))
            .collect();

        let mut trainer = Self {
            config,
            estimator,
            rng,
            targets,
            target_entropy_terms,
            logits,
            probs: vec![0.0; size],
            log_normalisers: vec![0.0; config.trials],
            loss,
            vertex_offsets,
            baselines: vec![0.0; config.trials],
            scratch: Scratch::new(config.categories),
            gradients: vec![0.0; size],
            optimiser: OptimiserState::new(config.optimiser, size, config.categories),
            previous_logits: vec![0.0; size],
            update_lengths: None,
            steps_taken: 0,
            kl: 0.0,
            divergence: None,
        };
        trainer.kl = trainer.refresh_all();
        Ok(trainer)
    }

    /// Advances one SGD step and returns the new mean KL, in nats.
    ///
    /// # Errors
    /// [`Divergence`] if the step made a gradient, a logit or the KL non-finite. Within the
    /// ranges of [`parameter`] that takes extreme starting logits (see
    /// [`with_logits`](Self::with_logits)); the check is a guarantee that no NaN reaches a curve.
    /// The trainer then keeps its last finite KL and every later call returns the same error.
    pub fn step(&mut self) -> Result<f64, Divergence> {
        if let Some(divergence) = self.divergence {
            return Err(divergence);
        }
        let k = self.config.categories;
        let rate = self.config.learning_rate;
        let mut kl_sum = 0.0;

        // Every trial's estimate first, then one update: normalised SGD needs the norm over
        // all of them. For plain SGD this gives the same bits as updating trial by trial.
        for trial in 0..self.config.trials {
            let row = trial * k..(trial + 1) * k;
            let current = Trial {
                targets: &self.targets[row.clone()],
                vertex_offset: self.vertex_offsets[trial],
                logits: &self.logits[row.clone()],
                probs: &self.probs[row.clone()],
            };
            estimate_gradient(
                &self.estimator,
                &self.loss,
                &current,
                &mut self.baselines[trial],
                &mut self.rng,
                &mut self.scratch,
                &mut self.gradients[row],
            );
        }
        let finite_gradient = self.gradients.iter().all(|g| g.is_finite());
        let measuring = self.update_lengths.is_some();
        if measuring {
            self.previous_logits.copy_from_slice(&self.logits);
        }
        self.optimiser
            .apply(rate, &mut self.logits, &self.gradients);
        let finite_logits = self.logits.iter().all(|x| x.is_finite());
        if measuring {
            self.measure_update();
        }
        for trial in 0..self.config.trials {
            let row = trial * k..(trial + 1) * k;
            self.log_normalisers[trial] = softmax(&self.logits[row.clone()], &mut self.probs[row]);
            kl_sum += self.trial_kl(trial);
        }

        self.steps_taken += 1;
        let kl = kl_sum / self.config.trials as f64;
        let cause = if !finite_gradient {
            Some(DivergenceCause::Gradient)
        } else if !finite_logits {
            Some(DivergenceCause::Logits)
        } else if !kl.is_finite() {
            Some(DivergenceCause::Kl)
        } else {
            None
        };
        if let Some(cause) = cause {
            let divergence = Divergence {
                step: self.steps_taken,
                cause,
            };
            self.divergence = Some(divergence);
            return Err(divergence);
        }
        self.kl = kl;
        Ok(kl)
    }

    /// Folds the step just taken into the moving averages of
    /// [`update_ratio`](Self::update_ratio), from the logits before and after it and the
    /// probabilities before it (`probs` is refreshed after this).
    fn measure_update(&mut self) {
        let k = self.config.categories;
        let mut update = 0.0;
        let mut exact = 0.0;
        let rows = self.logits.chunks(k).zip(self.previous_logits.chunks(k));
        for (row, (after, before)) in rows.enumerate() {
            let shift = after.iter().zip(before).map(|(a, b)| a - b).sum::<f64>() / k as f64;
            for (a, b) in after.iter().zip(before) {
                let change = a - b - shift;
                update += change * change;
            }
            // (pi - t) sums to 0 in each row: it has no all-ones part to remove.
            let span = row * k..(row + 1) * k;
            for (p, t) in self.probs[span.clone()].iter().zip(&self.targets[span]) {
                exact += (p - t) * (p - t);
            }
        }
        let update = libm::sqrt(update);
        let exact = self.config.learning_rate * self.loss.scale * libm::sqrt(exact);
        if let Some((averaged_update, averaged_exact)) = &mut self.update_lengths {
            *averaged_update =
                UPDATE_AVERAGING * *averaged_update + (1.0 - UPDATE_AVERAGING) * update;
            *averaged_exact = UPDATE_AVERAGING * *averaged_exact + (1.0 - UPDATE_AVERAGING) * exact;
        }
    }

    /// The same trainer, measuring the length of its updates from the next step on (see
    /// [`update_ratio`](Self::update_ratio)). It costs a pass over the logits per step, so it
    /// is off unless asked for; it changes no number of the run.
    pub fn measuring_updates(mut self) -> Self {
        self.update_lengths.get_or_insert((0.0, 0.0));
        self
    }

    /// How long the recent updates of the logits are against the step plain SGD would take
    /// along the exact gradient of the true objective at the same learning rate: the ratio of
    /// the moving averages (over about the last 100 steps) of `|dx|` and of
    /// `rate |(pi - t) / (N K)|`, the reference of [`Snapshot`](crate::Snapshot). Each trial's
    /// update has its all-ones part removed first, since that part changes no probability.
    ///
    /// Each step's own update is measured, noise included, so this is larger than the length
    /// of the mean update against the exact gradient (see [`Snapshot`](crate::Snapshot)), and
    /// grows as a run nears its floor and the exact gradient shrinks. With the published
    /// settings and seed: about 200 for ILS after the first step and several hundred later;
    /// about 2 for Gumbel-Softmax at `T = 1` early on, 5 to 9 later. `None` before the first
    /// step, where the exact gradient is zero, or if the trainer is not
    /// [`measuring_updates`](Self::measuring_updates).
    pub fn update_ratio(&self) -> Option<f64> {
        let (update, exact) = self.update_lengths?;
        (exact > 0.0).then(|| update / exact)
    }

    /// The same run started from other logits, `N` rows of `K` finite numbers.
    ///
    /// # Errors
    /// [`ParameterError::NotADistribution`] for a wrong length or a non-finite logit.
    pub fn with_logits(mut self, logits: &[f64]) -> Result<Self, ParameterError> {
        if logits.len() != self.logits.len() {
            return Err(ParameterError::NotADistribution(
                "logits of the wrong length",
            ));
        }
        if logits.iter().any(|x| !x.is_finite()) {
            return Err(ParameterError::NotADistribution("a logit is not finite"));
        }
        self.logits.copy_from_slice(logits);
        self.kl = self.refresh_all();
        Ok(self)
    }

    /// Recomputes every trial's softmax and returns the mean KL.
    fn refresh_all(&mut self) -> f64 {
        let k = self.config.categories;
        let mut kl_sum = 0.0;
        for trial in 0..self.config.trials {
            let row = trial * k..(trial + 1) * k;
            self.log_normalisers[trial] = softmax(&self.logits[row.clone()], &mut self.probs[row]);
            kl_sum += self.trial_kl(trial);
        }
        kl_sum / self.config.trials as f64
    }

    /// `KL(t_i || softmax(x_i)) = sum_j t_j ln t_j - t_j (x_j - lse(x))` for trial `i`, from the
    /// cached log-normaliser: `x_j - lse(x)` is the log-softmax, with no logarithm per entry.
    fn trial_kl(&self, trial: usize) -> f64 {
        let k = self.config.categories;
        let row = trial * k..(trial + 1) * k;
        let log_normaliser = self.log_normalisers[trial];
        let mut kl = 0.0;
        for ((&t, &t_ln_t), &x) in self.targets[row.clone()]
            .iter()
            .zip(&self.target_entropy_terms[row.clone()])
            .zip(&self.logits[row])
        {
            kl += t_ln_t - t * (x - log_normaliser);
        }
        kl
    }

    /// The mean `KL(t || softmax(logits))` over the trials now, in nats.
    pub fn kl(&self) -> f64 {
        self.kl
    }

    /// The objective that exact one-hot draws optimise now, `K E_z[L(z)]` in closed form (see
    /// [`Objectives::sampled`](crate::Objectives::sampled)); the same number as a
    /// [`Snapshot`](crate::Snapshot) of this trainer reports.
    pub fn sampled_objective(&self) -> f64 {
        sampled_objective(
            &self.loss,
            &self.probs,
            &self.targets,
            &self.vertex_offsets,
            self.config.categories,
        )
    }

    /// How many steps have been taken (successfully or not).
    pub fn steps_taken(&self) -> u64 {
        self.steps_taken
    }

    /// Why the run stopped, if it has.
    pub fn divergence(&self) -> Option<Divergence> {
        self.divergence
    }

    /// The settings this trainer was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The estimator it trains with.
    pub fn estimator(&self) -> &Estimator {
        &self.estimator
    }

    /// The targets, `N` rows of `K` entries.
    pub fn targets(&self) -> &[f64] {
        &self.targets
    }

    /// The current logits, `N` rows of `K` entries.
    pub fn logits(&self) -> &[f64] {
        &self.logits
    }

    /// `softmax(logits)`, row by row.
    pub fn probs(&self) -> &[f64] {
        &self.probs
    }
}

/// `K sum_i sum_k pi_ik L(e_k)`: the expected loss of exact one-hot draws, times `K`, from each
/// trial's probabilities, targets and vertex offset.
pub(crate) fn sampled_objective(
    loss: &Loss,
    probs: &[f64],
    targets: &[f64],
    vertex_offsets: &[f64],
    categories: usize,
) -> f64 {
    let mut expected_loss = 0.0;
    let rows = probs.chunks(categories).zip(targets.chunks(categories));
    for ((probs, targets), &offset) in rows.zip(vertex_offsets) {
        for (&p, &t) in probs.iter().zip(targets) {
            expected_loss += p * loss.at_vertex(offset, t);
        }
    }
    expected_loss * categories as f64
}

/// The toy problem's loss, `L(z) = sum_ij -t_ij (ln(z_ij + eps) - ln(t_ij + eps)) / (N K)`,
/// and the constants its gradient estimates need. The trainer and the diagnostics share it, so
/// they run the same arithmetic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Loss {
    /// `1 / (N K)`: the loss is a mean over `N K` terms.
    pub(crate) scale: f64,
    /// `eps`, which keeps `ln` of a one-hot draw's zeros finite.
    pub(crate) epsilon: f64,
    /// `b = (ln(1 + eps) - ln(eps)) / (N K)`; see [`at_vertex`](Self::at_vertex).
    pub(crate) vertex_slope: f64,
}

impl Loss {
    pub(crate) fn new(config: &Config) -> Self {
        let scale = 1.0 / (config.trials * config.categories) as f64;
        let epsilon = config.loss_epsilon;
        // log1p: 1 + 1e-8 rounded to f64 would lose half of eps's digits before the log.
        let vertex_slope = scale * (libm::log1p(epsilon) - libm::log(epsilon));
        Self {
            scale,
            epsilon,
            vertex_slope,
        }
    }

    /// `a = sum_j t_j (ln(t_j + eps) - ln(eps)) / (N K)` for one trial's targets `t`; see
    /// [`at_vertex`](Self::at_vertex).
    pub(crate) fn vertex_offset(&self, targets: &[f64]) -> f64 {
        let ln_epsilon = libm::log(self.epsilon);
        let sum: f64 = targets
            .iter()
            .map(|&t| t * (libm::log(t + self.epsilon) - ln_epsilon))
            .sum();
        self.scale * sum
    }

    /// One trial's loss at the one-hot draw `z = e_k`, `L(e_k) = a - b t_k`, where `t_k` is the
    /// drawn category's target and `a` the trial's [`vertex_offset`](Self::vertex_offset).
    ///
    /// In the sum `sum_j -t_j (ln(z_j + eps) - ln(t_j + eps)) / (N K)` every `z_j` is 0 but
    /// `z_k = 1`, so it is `(sum_j t_j (ln(t_j + eps) - ln eps) - t_k (ln(1 + eps) - ln eps))
    /// / (N K)`: a constant per trial minus `b t_k`. No logarithm and no allocation per draw.
    pub(crate) fn at_vertex(&self, vertex_offset: f64, drawn_target: f64) -> f64 {
        vertex_offset - self.vertex_slope * drawn_target
    }

    /// `d L / d z_j = -t_j * scale / (z_j + eps)`, the derivative of the loss's
    /// `-t_j ln(z_j + eps)` term times the loss's `1 / (N K)`.
    fn gradient(&self, targets: &[f64], draw: &[f64], out: &mut [f64]) {
        for ((g, &t), &d) in out.iter_mut().zip(targets).zip(draw) {
            *g = -t * self.scale / (d + self.epsilon);
        }
    }

    /// [`gradient`](Self::gradient) at the one-hot draw `e_k`, without writing it out.
    pub(crate) fn gradient_at_vertex(&self, targets: &[f64], drawn: usize, out: &mut [f64]) {
        for (j, (g, &t)) in out.iter_mut().zip(targets).enumerate() {
            let d = if j == drawn { 1.0 } else { 0.0 };
            *g = -t * self.scale / (d + self.epsilon);
        }
    }
}

/// One trial's row of the toy problem, as an estimator sees it.
pub(crate) struct Trial<'a> {
    pub(crate) targets: &'a [f64],
    /// [`Loss::vertex_offset`] of `targets`.
    pub(crate) vertex_offset: f64,
    pub(crate) logits: &'a [f64],
    /// `softmax(logits)`.
    pub(crate) probs: &'a [f64],
}

/// Rows of length `K` reused by every estimate, so that estimating never allocates.
#[derive(Clone, Debug)]
pub(crate) struct Scratch {
    draw: Vec<f64>,
    grad_draw: Vec<f64>,
}

impl Scratch {
    pub(crate) fn new(categories: usize) -> Self {
        Self {
            draw: vec![0.0; categories],
            grad_draw: vec![0.0; categories],
        }
    }
}

/// One gradient estimate for one trial: draws once through `estimator`, back-propagates the
/// loss from the draw and writes the estimated `d L / d logits` into `grad_logits`.
///
/// The one place the draw, the loss gradient and the backward pass meet: [`Trainer::step`]
/// and the diagnostics both call it. `baseline` is the trial's running-mean baseline; only the
/// score-function estimator reads and moves it.
pub(crate) fn estimate_gradient<R: Rng + ?Sized>(
    estimator: &Estimator,
    loss: &Loss,
    trial: &Trial<'_>,
    baseline: &mut f64,
    rng: &mut R,
    scratch: &mut Scratch,
    grad_logits: &mut [f64],
) {
    let Scratch { draw, grad_draw } = scratch;
    match estimator {
        Estimator::GumbelSoftmax(gs) => {
            let drawn = gs.sample(trial.logits, rng, draw);
            if gs.is_straight_through() {
                loss.gradient_at_vertex(trial.targets, drawn, grad_draw);
            } else {
                loss.gradient(trial.targets, draw, grad_draw);
            }
            gs.backward(draw, grad_draw, grad_logits);
        }
        Estimator::Ils(ils) => {
            let drawn = sample_index(trial.probs, rng);
            loss.gradient_at_vertex(trial.targets, drawn, grad_draw);
            ils.backward(trial.probs, drawn, grad_draw, grad_logits);
        }
        Estimator::ScoreFunction(sf) => {
            let drawn = sample_index(trial.probs, rng);
            let value = loss.at_vertex(trial.vertex_offset, trial.targets[drawn]);
            sf.backward(trial.probs, drawn, value, baseline, grad_logits);
        }
    }
}

/// The weight of the past in [`Trainer::update_ratio`]'s moving averages: a memory of about
/// 100 steps. Both averages start at 0 with the same weights, so their ratio needs no bias
/// correction.
const UPDATE_AVERAGING: f64 = 0.99;

/// The most values a [`Curve`] keeps: runs longer than this are thinned to every `stride`-th
/// step, so memory stays bounded (8 MB per curve) however many steps are taken.
pub const MAX_CURVE_POINTS: u64 = 1_000_000;

/// A whole run: the mean KL at the start and after every `stride`-th step.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// The estimator that made it.
    pub estimator: Estimator,
    /// The settings it ran with.
    pub config: Config,
    /// `kl[i]` is the mean KL after `i * stride` steps, in nats, except the last value, which is
    /// the KL after `last_step` steps; `kl[0]` is the start.
    pub kl: Vec<f64>,
    /// Steps between kept values: 1 for runs of up to [`MAX_CURVE_POINTS`] steps.
    pub stride: u64,
    /// The step of the last value: the run's length, or the last finite step of a run that
    /// diverged.
    pub last_step: u64,
    /// Set if the run stopped early; `kl` then ends at the last finite value.
    pub divergence: Option<Divergence>,
}

impl Curve {
    /// The step of each value of `kl`, in order.
    pub fn steps(&self) -> impl Iterator<Item = u64> + '_ {
        let last = self.kl.len().saturating_sub(1);
        (0..self.kl.len()).map(move |i| {
            if i == last {
                self.last_step
            } else {
                i as u64 * self.stride
            }
        })
    }
}

/// Runs `config.steps` steps with `estimator`, calling `progress` with the number of steps
/// done every 1,024 steps.
///
/// # Errors
/// [`ParameterError`] if a field of `config` is out of range.
pub fn curve(
    config: Config,
    estimator: Estimator,
    progress: impl FnMut(u64),
) -> Result<Curve, ParameterError> {
    curve_with_limit(config, estimator, MAX_CURVE_POINTS, progress)
}

/// [`curve`] keeping at most about `max_points` values (one more for the start, one for the
/// end).
///
/// # Errors
/// [`ParameterError`] if a field of `config` is out of range.
pub fn curve_with_limit(
    config: Config,
    estimator: Estimator,
    max_points: u64,
    mut progress: impl FnMut(u64),
) -> Result<Curve, ParameterError> {
    let mut trainer = Trainer::new(config, estimator)?;
    let stride = config.steps.div_ceil(max_points.max(1)).max(1);
    let mut kl = Vec::with_capacity((config.steps / stride) as usize + 2);
    kl.push(trainer.kl());
    let mut divergence = None;
    let mut last_step = 0;
    for step in 1..=config.steps {
        match trainer.step() {
            Ok(value) if step % stride == 0 || step == config.steps => {
                kl.push(value);
                last_step = step;
            }
            Ok(_) => {}
            Err(stop) => {
                divergence = Some(stop);
                break;
            }
        }
        if step % 1024 == 0 {
            progress(step);
        }
    }
    // A run that stopped between two kept steps still ends on its last finite value.
    let stopped_at = trainer.steps_taken() - u64::from(divergence.is_some());
    if last_step != stopped_at {
        kl.push(trainer.kl());
        last_step = stopped_at;
    }
    Ok(Curve {
        estimator,
        config,
        kl,
        stride,
        last_step,
        divergence,
    })
}
