//! Things the published comparison does not say, checked on the product with a fixed seed:
//! the groundwork of the "fair comparison" issue. Each bound is stated next to what was seen.

use ils::{Config, Estimator, GumbelSoftmax, Ils, Optimiser, Snapshot, Trainer, curve};

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
/// 1,000 (seen: 12 to 37 times, three seeds). With the scale removed (SGD on the estimate
/// divided by its norm) it is within 1.5 times of ILS's, or better (seen: 0.3 to 0.9 times).
#[test]
fn without_the_scale_gumbel_softmax_keeps_up_with_ils() {
    let gs: Estimator = GumbelSoftmax::new(1.0).expect("valid temperature").into();
    for seed in 0..3 {
        let at_1000 = |estimator, optimiser| {
            let config = Config {
                steps: 1_000,
                seed,
                optimiser,
                ..Config::default()
            };
            curve(config, estimator, |_| {}).expect("valid config").kl[1_000]
        };
        let (ils_plain, gs_plain) = (
            at_1000(ils_at(0.01), Optimiser::Sgd),
            at_1000(gs, Optimiser::Sgd),
        );
        assert!(
            gs_plain > 10.0 * ils_plain,
            "seed {seed}: {gs_plain} vs {ils_plain}"
        );
        let ils_norm = at_1000(ils_at(0.01), Optimiser::NormalisedSgd);
        let gs_norm = at_1000(gs, Optimiser::NormalisedSgd);
        assert!(
            gs_norm < 1.5 * ils_norm,
            "seed {seed}: {gs_norm} vs {ils_norm}"
        );
    }
}
