//! Things the published comparison does not say, checked on the product with a fixed seed.
//! Each bound is stated next to what was seen. The guided tour's captions (`ils tour`) show
//! the same findings on the page.

use ils::{Config, Estimator, GumbelSoftmax, Ils, Optimiser, Snapshot, Trainer, curve, ils_floor};

fn ils_at(step_size: f64) -> Estimator {
    Ils::new(step_size).expect("valid step size").into()
}

/// With the published loss epsilon the ILS step size is inert: step sizes 0.1 and 0.001 give
/// the same curve to within 1 % of the starting KL over 2,000 steps (seen: 0.05 %). A larger
/// epsilon shrinks the gradient reaching the ILS step and brings the step size back to life:
/// at 1e-2 the two curves differ by more than the starting KL itself (seen: 8 times it).
#[test]
fn the_loss_epsilon_decides_whether_the_step_size_matters() {
    let largest_gap = |loss_epsilon: f64| {
        let config = Config {
            steps: 2_000,
            loss_epsilon,
            ..Config::default()
        };
        let a = curve(config, ils_at(0.1), |_| {}).expect("valid config").kl;
        let b = curve(config, ils_at(0.001), |_| {})
            .expect("valid config")
            .kl;
        let gap = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        gap / a[0]
    };
    assert!(largest_gap(1e-8) < 0.01, "{}", largest_gap(1e-8));
    assert!(largest_gap(1e-2) > 1.0, "{}", largest_gap(1e-2));
}

/// At the same learning rate the ILS update is far larger than the exact gradient of the true
/// objective: the mean estimate's norm is 100 to 250 times the exact gradient's at the start
/// (seen: 151), while Gumbel-Softmax at T = 1 is within a factor of 2 of it (seen: 0.9).
#[test]
fn the_ils_update_is_two_orders_of_magnitude_larger_than_the_gradient() {
    let trainer = Trainer::new(Config::default(), ils_at(0.01)).expect("valid config");
    let snapshot = Snapshot::of(&trainer).expect("finite logits");
    let ils = snapshot
        .quality(&ils_at(0.01), 4_000, 1)
        .expect("valid estimates");
    assert!(
        (100.0..250.0).contains(&ils.norm_ratio),
        "{}",
        ils.norm_ratio
    );
    let gs: Estimator = GumbelSoftmax::new(1.0).expect("valid temperature").into();
    let gs = snapshot.quality(&gs, 4_000, 1).expect("valid estimates");
    assert!((0.5..2.0).contains(&gs.norm_ratio), "{}", gs.norm_ratio);
}

/// Under the published ILS update the logits drift upwards by about the learning rate every
/// step: the part of the update along the all-ones direction, which changes nothing in the
/// softmax but grows without bound (seen: 0.0098 per step at learning rate 0.01).
#[test]
fn ils_logits_drift_upwards_by_about_the_learning_rate() {
    let mut trainer = Trainer::new(Config::default(), ils_at(0.01)).expect("valid config");
    let mean = |t: &Trainer| t.logits().iter().sum::<f64>() / t.logits().len() as f64;
    let start = mean(&trainer);
    for _ in 0..1_000 {
        trainer.step().expect("no divergence");
    }
    let drift = (mean(&trainer) - start) / 1_000.0;
    assert!((0.009..0.0105).contains(&drift), "{drift}");
}

/// Much of ILS's quick start is the size of its update, not its direction. Under plain SGD at
/// learning rate 0.01, Gumbel-Softmax at T = 1 is still more than 10 times ILS's KL at step
/// 1,000 (seen: 12 to 37 times, three seeds). With the scale removed (normalised SGD: every
/// step of one length in the directions that change the probabilities) the two are within
/// 1.25 times of each other at step 100 (seen: 1.13 to 1.15) and within 3 times at step 1,000
/// (seen: Gumbel-Softmax at 0.4 to 2.7 times ILS's).
#[test]
fn without_the_scale_gumbel_softmax_keeps_up_with_ils() {
    let gs: Estimator = GumbelSoftmax::new(1.0).expect("valid temperature").into();
    for seed in 0..3 {
        let run = |estimator, optimiser| {
            let config = Config {
                steps: 1_000,
                seed,
                optimiser,
                ..Config::default()
            };
            curve(config, estimator, |_| {}).expect("valid config").kl
        };
        let (ils_plain, gs_plain) = (
            run(ils_at(0.01), Optimiser::Sgd)[1_000],
            run(gs, Optimiser::Sgd)[1_000],
        );
        assert!(
            gs_plain > 10.0 * ils_plain,
            "seed {seed}: {gs_plain} vs {ils_plain}"
        );
        let ils_norm = run(ils_at(0.01), Optimiser::NormalisedSgd);
        let gs_norm = run(gs, Optimiser::NormalisedSgd);
        let early = gs_norm[100] / ils_norm[100];
        assert!((0.8..1.25).contains(&early), "seed {seed}: {early}");
        let later = gs_norm[1_000] / ils_norm[1_000];
        assert!((1.0 / 3.0..3.0).contains(&later), "seed {seed}: {later}");
    }
}

/// ILS settles on a floor that is a bias of its update, not sampling noise. Its mean update
/// over the draw (summed exactly over the vertices) stops moving the probabilities at a KL of
/// 0.0008 to 0.004 published units (KL / K; seen: 0.0010, 0.0030, 0.0018 for seeds 0 to 2),
/// where the exact optimum is 0. Cutting the noise by training at a tenth of the learning rate
/// brings the run down to that floor (the mean KL over the last 50,000 of 200,000 steps is
/// within 3 % of it; seen: 0.9 % to 1.4 %), not below it.
#[test]
fn the_ils_floor_is_the_fixed_point_of_its_mean_update() {
    let ils = Ils::new(0.01).expect("valid step size");
    for seed in 0..3 {
        let config = Config {
            steps: 200_000,
            learning_rate: 0.001,
            seed,
            ..Config::default()
        };
        let floor = ils_floor(&config, &ils, 100_000)
            .expect("valid config")
            .expect("the mean update settles");
        let published_units = floor.kl / config.categories as f64;
        assert!(
            (0.0008..0.004).contains(&published_units),
            "seed {seed}: {published_units}"
        );
        let kl = curve(config, ils.into(), |_| {}).expect("valid config").kl;
        let tail = &kl[kl.len() - 50_000..];
        let settled = tail.iter().sum::<f64>() / tail.len() as f64;
        assert!(
            (settled / floor.kl - 1.0).abs() < 0.03,
            "seed {seed}: {settled} against the floor {}",
            floor.kl
        );
    }
}

/// On a long run Gumbel-Softmax drifts back up: the relaxed objective's optimum is not the
/// target. Over a million steps (seed 0), the mean KL of the last 10,000 steps is more than
/// 1.3 times the lowest 10,000-step mean at T = 1 (seen: 1.6 times, lowest near step 85,000)
/// and more than 5 times at T = 10 (seen: 18 times, lowest near step 180,000).
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "two million-step runs: a minute unoptimised; `cargo test --release` runs it"
)]
fn gumbel_softmax_drifts_back_up_on_a_long_run() {
    for (temperature, factor) in [(1.0, 1.3), (10.0, 5.0)] {
        let config = Config {
            steps: 1_000_000,
            ..Config::default()
        };
        let gs = GumbelSoftmax::new(temperature).expect("valid temperature");
        let kl = curve(config, gs.into(), |_| {}).expect("valid config").kl;
        let means: Vec<f64> = kl[1..]
            .chunks(10_000)
            .map(|window| window.iter().sum::<f64>() / window.len() as f64)
            .collect();
        let lowest = means.iter().copied().fold(f64::INFINITY, f64::min);
        let last = means[means.len() - 1];
        assert!(
            last > factor * lowest,
            "T = {temperature}: {last} against the lowest {lowest}"
        );
    }
}

/// The trainer's own readout of its update's length agrees: after the first step at the
/// published settings, ILS's update is 100 to 300 times the exact gradient step (seen: 201,
/// a single draw rather than the mean), Gumbel-Softmax at T = 1 within 0.5 to 3 times (seen:
/// 1.6). Normalised SGD removes the difference: both then take steps of the same length in
/// the directions that change the probabilities, and from the same start the ratios agree to
/// the last few digits (seen: 38.06 for both).
#[test]
fn the_update_readout_shows_the_scale_and_normalising_removes_it() {
    let first_ratio = |estimator: Estimator, optimiser| {
        let config = Config {
            optimiser,
            ..Config::default()
        };
        let mut trainer = Trainer::new(config, estimator)
            .expect("valid config")
            .measuring_updates();
        assert_eq!(trainer.update_ratio(), None);
        trainer.step().expect("no divergence");
        trainer.update_ratio().expect("a step was taken")
    };
    let gs: Estimator = GumbelSoftmax::new(1.0).expect("valid temperature").into();
    let ils = ils_at(0.01);
    let (ils_plain, gs_plain) = (
        first_ratio(ils, Optimiser::Sgd),
        first_ratio(gs, Optimiser::Sgd),
    );
    assert!((100.0..300.0).contains(&ils_plain), "{ils_plain}");
    assert!((0.5..3.0).contains(&gs_plain), "{gs_plain}");
    let (ils_norm, gs_norm) = (
        first_ratio(ils, Optimiser::NormalisedSgd),
        first_ratio(gs, Optimiser::NormalisedSgd),
    );
    assert!(
        (ils_norm / gs_norm - 1.0).abs() < 1e-9,
        "{ils_norm} vs {gs_norm}"
    );
}
