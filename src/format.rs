//! Numbers as the captions, legends and readouts write them.

/// `value` to `digits` significant digits, written plainly in the usual range (`0.0051`,
/// `151`, `1.5`) and in scientific notation when it would need many zeros (`1.2e-5`, `3e7`).
///
/// ```
/// assert_eq!(ils::significant(0.005136562, 2), "0.0051");
/// assert_eq!(ils::significant(150.71, 2), "150");
/// assert_eq!(ils::significant(0.000012345, 2), "1.2e-5");
/// ```
pub fn significant(value: f64, digits: usize) -> String {
    let digits = digits.max(1);
    // Formatting in scientific notation rounds to the digits once, correctly.
    let rounded: f64 = format!("{value:.*e}", digits - 1).parse().unwrap_or(value);
    if rounded == 0.0 || !rounded.is_finite() || (1e-4..1e6).contains(&rounded.abs()) {
        rounded.to_string()
    } else {
        format!("{rounded:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_in_the_usual_range_and_scientific_outside() {
        assert_eq!(significant(0.25029285470636065, 2), "0.25");
        assert_eq!(significant(0.25029285470636065, 4), "0.2503");
        assert_eq!(significant(1_234_567.0, 3), "1.23e6");
        assert_eq!(significant(999_999.0, 2), "1e6");
        assert_eq!(significant(-0.0996, 2), "-0.1");
        assert_eq!(significant(0.0, 2), "0");
        assert_eq!(significant(f64::INFINITY, 2), "inf");
        assert_eq!(significant(0.5, 0), "0.5");
    }
}
