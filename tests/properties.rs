//! Properties that hold for every input in the allowed ranges, checked on random cases.
//!
//! The cases are drawn from a fixed seed, so every run checks the same ones: 512 cases for each
//! of the three sampler properties and 64 settings (three estimators each) for training.

use ils::parameter::{LEARNING_RATE, STEP_SIZE, TEMPERATURE};
use ils::{Config, GumbelSoftmax, Ils, Trainer, log_softmax, softmax};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use rand::SeedableRng;

const CASES: u32 = 512;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(20_261_203),
        ..ProptestConfig::default()
    }
}

/// A vector of 2 to 64 finite logits with magnitudes up to 1e6.
fn logits() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1e6..1e6f64, 2..64)
}

/// A positive number spread evenly in logarithm over `min..=max`.
fn log_uniform(min: f64, max: f64) -> impl Strategy<Value = f64> {
    (min.log10()..=max.log10()).prop_map(|e| 10f64.powf(e))
}

proptest! {
    #![proptest_config(config(CASES))]

    /// Probabilities are in [0, 1] and sum to 1 within K ulps of 1; log-probabilities are
    /// finite and at most 0.
    #[test]
    fn softmax_is_a_distribution(x in logits()) {
        let mut p = vec![0.0; x.len()];
        let lse = softmax(&x, &mut p);
        prop_assert!(lse.is_finite());
        prop_assert!(p.iter().all(|&v| (0.0..=1.0).contains(&v)));
        let total: f64 = p.iter().sum();
        prop_assert!((total - 1.0).abs() <= x.len() as f64 * f64::EPSILON, "sum {}", total);
        let mut log_p = vec![0.0; x.len()];
        log_softmax(&x, &mut log_p);
        prop_assert!(log_p.iter().all(|v| v.is_finite() && *v <= 0.0));
    }

    /// Relaxed samples lie on the simplex at every allowed temperature, and the backward pass
    /// of a bounded loss gradient is finite.
    #[test]
    fn gumbel_softmax_samples_lie_on_the_simplex(
        x in logits(),
        temperature in log_uniform(TEMPERATURE.min, TEMPERATURE.max),
        seed in any::<u64>(),
    ) {
        let gs = GumbelSoftmax::new(temperature).expect("temperature in range");
        let mut rng = ils::Generator::seed_from_u64(seed);
        let mut y = vec![0.0; x.len()];
        let k = gs.sample(&x, &mut rng, &mut y);
        prop_assert!(k < x.len());
        prop_assert!(y.iter().all(|&v| (0.0..=1.0).contains(&v)));
        prop_assert!((y.iter().sum::<f64>() - 1.0).abs() <= x.len() as f64 * f64::EPSILON);
        let grad_y: Vec<f64> = (0..x.len()).map(|j| (j as f64).sin()).collect();
        let mut grad = vec![0.0; x.len()];
        gs.backward(&y, &grad_y, &mut grad);
        prop_assert!(grad.iter().all(|g| g.is_finite()));
    }

    /// The ILS backward pass is finite for every allowed step size, probabilities from any
    /// finite logits, and a loss gradient of the size the toy problem produces.
    #[test]
    fn ils_backward_is_finite(
        x in logits(),
        step_size in prop_oneof![Just(0.0), log_uniform(1e-12, 1e3)],
        drawn in any::<prop::sample::Index>(),
        seed in any::<u64>(),
    ) {
        prop_assume!(step_size <= STEP_SIZE.max);
        let ils = Ils::new(step_size).expect("step size in range");
        let mut p = vec![0.0; x.len()];
        softmax(&x, &mut p);
        let k = drawn.index(x.len());
        // -t / (N K (z + 1e-8)) with t in (0, 1): at most about 1e8 in size, all negative.
        let mut rng = ils::Generator::seed_from_u64(seed);
        let grad_z: Vec<f64> = (0..x.len())
            .map(|j| {
                let t: f64 = rand::RngExt::random(&mut rng);
                -t / (if j == k { 1.0 } else { 1e-8 })
            })
            .collect();
        let mut grad = vec![0.0; x.len()];
        ils.backward(&p, k, &grad_z, &mut grad);
        prop_assert!(grad.iter().all(|g| g.is_finite()), "{:?}", grad);
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Training at any allowed setting gives a finite KL at every step or stops with a
    /// reported divergence; and a seed replays to the same bits.
    #[test]
    fn training_is_finite_or_reports_divergence_and_replays(
        temperature in log_uniform(TEMPERATURE.min, TEMPERATURE.max),
        step_size in log_uniform(1e-12, 1e3),
        learning_rate in log_uniform(LEARNING_RATE.min, LEARNING_RATE.max),
        categories in 2usize..40,
        trials in 1usize..6,
        seed in 0u64..1 << 53,
    ) {
        let config = Config { steps: 200, categories, trials, learning_rate, seed, ..Config::default() };
        let estimators = [
            GumbelSoftmax::new(temperature).expect("in range").into(),
            GumbelSoftmax::new(temperature).expect("in range").with_straight_through(true).into(),
            Ils::new(step_size).expect("in range").into(),
        ];
        for estimator in estimators {
            let curve = ils::curve(config, estimator, |_| {}).expect("valid config");
            prop_assert!(curve.kl.iter().all(|kl| kl.is_finite() && *kl >= -1e-12));
            prop_assert_eq!(curve.kl.len() == 201, curve.divergence.is_none());
            let again = ils::curve(config, estimator, |_| {}).expect("valid config");
            let bits = |kl: &[f64]| kl.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&curve.kl), bits(&again.kl));
        }
    }
}

#[test]
fn trainer_rejects_out_of_range_settings_in_every_field() {
    // The one validation path: Config::validate and the estimators' constructors.
    for bad in [f64::NAN, f64::INFINITY, -1.0, 0.0, 1e308] {
        let config = Config {
            learning_rate: bad,
            ..Config::default()
        };
        assert!(Trainer::new(config, Ils::new(0.01).unwrap().into()).is_err());
        assert!(GumbelSoftmax::new(bad).is_err());
    }
}
