//! Steps per second of the toy problem for each estimator, at the published size (N = 5,
//! K = 5) and with many categories (K = 1,000). Criterion reports the throughput as
//! "elem/s": one element is one SGD step over all trials.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ils::{Config, Estimator, GumbelSoftmax, Ils, LogitGradient, ScoreFunction, Trainer};

fn estimators() -> Vec<Estimator> {
    let gs = GumbelSoftmax::new(1.0).expect("valid temperature");
    let ils = Ils::new(0.01).expect("valid step size");
    let sf = ScoreFunction::new(0.9).expect("valid baseline decay");
    vec![
        gs.into(),
        gs.with_straight_through(true).into(),
        ils.into(),
        ils.with_logit_gradient(LogitGradient::Exact).into(),
        sf.into(),
    ]
}

fn steps(c: &mut Criterion) {
    for categories in [5, 1_000] {
        let mut group = c.benchmark_group(format!("step/K={categories}"));
        group.throughput(Throughput::Elements(1));
        for estimator in estimators() {
            let config = Config {
                categories,
                ..Config::default()
            };
            let mut trainer = Trainer::new(config, estimator).expect("valid config");
            group.bench_function(BenchmarkId::from_parameter(estimator.name()), |b| {
                b.iter(|| black_box(trainer.step()))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, steps);
criterion_main!(benches);
