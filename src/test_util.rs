//! Helpers shared by the unit tests.

/// Asserts that `actual` and `expected` agree entry by entry within `tolerance`, absolute for
/// entries of magnitude up to 1 and relative above that.
#[track_caller]
pub(crate) fn assert_close(actual: &[f64], expected: &[f64], tolerance: f64) {
    assert_eq!(actual.len(), expected.len(), "lengths differ");
    for (j, (a, e)) in actual.iter().zip(expected).enumerate() {
        let scale = e.abs().max(1.0);
        assert!(
            (a - e).abs() <= tolerance * scale,
            "entry {j}: {a} vs {e} (tolerance {tolerance})\n actual: {actual:?}\n expected: {expected:?}"
        );
    }
}

/// The gradient of `f` at `x` by central differences, `(f(x + h e_j) - f(x - h e_j)) / 2h`
/// with `h = 1e-6`: its error is of order `h^2` times the third derivative, plus rounding of
/// order `1e-16 / h`, about `1e-10` for the smooth functions tested here.
pub(crate) fn numeric_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let h = 1e-6;
    (0..x.len())
        .map(|j| {
            let (mut up, mut down) = (x.to_vec(), x.to_vec());
            up[j] += h;
            down[j] -= h;
            (f(&up) - f(&down)) / (2.0 * h)
        })
        .collect()
}
