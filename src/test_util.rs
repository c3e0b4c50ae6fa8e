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
