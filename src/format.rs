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
    let rounded = round_significant(value, digits);
    if rounded == 0.0 || !rounded.is_finite() || (1e-4..1e6).contains(&rounded.abs()) {
        rounded.to_string()
    } else {
        format!("{rounded:e}")
    }
}

/// `value` rounded to `digits` significant digits (at least one), as a number: `0.0316` for
/// `0.031622776601683794` at 3.
pub fn round_significant(value: f64, digits: usize) -> f64 {
    // Formatting in scientific notation rounds to the digits once, correctly.
    format!("{value:.*e}", digits.max(1) - 1)
        .parse()
        .unwrap_or(value)
}

/// A whole number with thousands separators: `1234567` as `1,234,567`.
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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

    #[test]
    fn rounding_and_grouping_by_hand() {
        assert_eq!(round_significant(10f64.powf(-1.5), 3), 0.0316);
        assert_eq!(group_thousands(1_000_000), "1,000,000");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(0), "0");
    }
}
