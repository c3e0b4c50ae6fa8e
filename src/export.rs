//! The curves as CSV, the same from the command line and from the page.

use std::io::{self, Write};

use crate::toy_problem::Curve;

/// The header of a curves file: the estimator and its parameter, how it was trained, and the
/// mean KL in nats after `step` steps.
pub const CSV_HEADER: &str = "estimator,parameter,optimiser,learning_rate,step,kl";

/// Writes `curves` as CSV: [`CSV_HEADER`], then one row per curve and kept step.
///
/// Numbers are written in Rust's shortest form that reads back to the same bits, so a file
/// from the browser and one from the command line can be compared exactly. No field needs
/// quoting: names are fixed words and the rest are numbers.
///
/// ```
/// let config = ils::Config { steps: 2, ..ils::Config::default() };
/// let curve = ils::curve(config, ils::Ils::new(0.01)?.into(), |_| {})?;
/// let mut out = Vec::new();
/// ils::write_csv(&[curve], &mut out)?;
/// let text = String::from_utf8(out)?;
/// assert_eq!(text.lines().count(), 4);
/// assert!(text.starts_with(
///     "estimator,parameter,optimiser,learning_rate,step,kl\nils,0.01,sgd,0.01,0,0.2502928547063"
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Whatever `out` reports.
pub fn write_csv(curves: &[Curve], mut out: impl Write) -> io::Result<()> {
    writeln!(out, "{CSV_HEADER}")?;
    for curve in curves {
        let name = curve.estimator.name();
        let parameter = curve.estimator.parameter();
        let optimiser = curve.config.optimiser.name();
        let rate = curve.config.learning_rate;
        for (step, kl) in curve.steps().zip(&curve.kl) {
            writeln!(out, "{name},{parameter},{optimiser},{rate},{step},{kl}")?;
        }
    }
    out.flush()
}
