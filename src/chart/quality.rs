//! The bias/variance chart of an estimator: how far the mean of its gradient estimates is from
//! the exact gradient, and how much they spread, across the estimator's own parameter.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{DrawError, Look, Swatch, Theme, YAxis, draw_legend, frame, parameter_axis, pixels};
use crate::diagnostics::SweepPoint;

/// A chart of [`SweepPoint`]s: the relative error of the mean estimate (bias) and the total
/// variance relative to the exact gradient's squared norm, both on a logarithmic axis, with a
/// vertical line at the parameter value in use.
#[derive(Clone, Debug)]
pub struct QualityPanel {
    pub title: String,
    /// The x-axis label: the parameter's name and symbol.
    pub parameter_label: String,
    /// In order of parameter.
    pub points: Vec<SweepPoint>,
    /// The parameter value in use, marked on the chart.
    pub current: f64,
    pub colour: RGBColor,
    pub theme: Theme,
    /// Device pixels per layout pixel, as for [`super::Panel::scale`].
    pub scale: f64,
}

impl QualityPanel {
    fn x_axis(&self) -> YAxis {
        parameter_axis(self.points.iter().map(|p| p.parameter))
    }

    /// Both measures, where finite and positive, so the log axis can show them.
    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.points
            .iter()
            .flat_map(|p| [p.quality.relative_error, p.quality.relative_variance])
            .filter(|v| v.is_finite() && *v > 0.0)
    }

    fn y_axis(&self) -> YAxis {
        let range = self
            .values()
            .map(|v| (v, v))
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
            .unwrap_or((1e-3, 1.0));
        YAxis::around(range, true)
    }
}

/// Draws `panel` filling `area`.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw_quality_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &QualityPanel,
) -> Result<(), DrawError<DB>> {
    let theme = panel.theme;
    let (x, y) = (panel.x_axis(), panel.y_axis());
    let look = Look {
        theme,
        scale: panel.scale,
    };
    let axes = (
        (x, panel.parameter_label.as_str()),
        (y, "relative to the exact gradient"),
    );
    let mut chart = frame(area, &panel.title, axes.0, axes.1, look)?;

    // The parameter in use: a thin vertical line across the plot.
    let (low, high) = (y.map(y.range.0), y.map(y.range.1));
    let marker = theme.foreground.mix(0.5).stroke_width(1);
    let current = x.map(panel.current.clamp(x.range.0, x.range.1));
    chart.draw_series(std::iter::once(PathElement::new(
        [(current, low), (current, high)],
        marker,
    )))?;

    let bold = panel.colour.stroke_width(pixels(2.0, panel.scale));
    let faint = panel.colour.mix(0.5).stroke_width(pixels(2.0, panel.scale));
    let radius = pixels(3.0, panel.scale);
    let bias: fn(&SweepPoint) -> f64 = |p| p.quality.relative_error;
    let variance: fn(&SweepPoint) -> f64 = |p| p.quality.relative_variance;
    let lines = [(bold, bias), (faint, variance)];
    for (style, measure) in lines {
        // A non-finite or zero value (no variance at all, say) has no place on a log axis:
        // the line breaks there rather than inventing a number.
        let points: Vec<(f64, f64)> = panel
            .points
            .iter()
            .filter(|p| measure(p).is_finite() && measure(p) > 0.0)
            .map(|p| (x.map(p.parameter), y.map(measure(p))))
            .collect();
        chart.draw_series(LineSeries::new(points.iter().copied(), style))?;
        chart.draw_series(
            points
                .iter()
                .map(|&point| Circle::new(point, radius, style.color.filled())),
        )?;
    }

    let entries = [
        Swatch::solid("bias: |mean − exact| / |exact|", bold),
        Swatch::solid("variance / |exact|²", faint),
    ];
    let area = chart.plotting_area().strip_coord_spec();
    draw_legend(
        &area,
        &entries,
        super::Corner::UpperRight,
        theme,
        panel.scale,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::GradientQuality;

    fn point(parameter: f64, relative_error: f64, relative_variance: f64) -> SweepPoint {
        SweepPoint {
            parameter,
            quality: GradientQuality {
                cosine: 1.0,
                relative_error,
                relative_variance,
                norm_ratio: 1.0,
            },
        }
    }

    #[test]
    fn axes_cover_the_finite_positive_values() {
        let panel = QualityPanel {
            title: String::new(),
            parameter_label: String::new(),
            points: vec![
                point(0.01, 0.5, 0.0),
                point(1.0, 2.0, f64::NAN),
                point(100.0, 0.1, 30.0),
            ],
            current: 1.0,
            colour: super::super::ILS_COLOUR,
            theme: Theme::LIGHT,
            scale: 1.0,
        };
        // Zero and NaN variances are left out: 0.1 to 30, with the log axis's margins.
        assert_eq!(panel.y_axis().range, (0.1 / 1.5, 30.0 * 1.5));
        assert!(panel.x_axis().log);
        assert_eq!(panel.x_axis().range, (0.01 / 1.5, 100.0 * 1.5));
    }
}
