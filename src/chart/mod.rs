//! KL-against-step charts, written once against plotters' `DrawingBackend` so that the
//! browser's canvas and the command line's PNG and SVG files draw the same picture.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::envelope::Envelope;
use crate::estimator::Estimator;

mod quality;

pub use quality::{QualityPanel, draw_quality_panel};

/// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
pub const ILS_COLOUR: RGBColor = RGBColor(0, 114, 178); // blue
pub const GUMBEL_SOFTMAX_COLOUR: RGBColor = RGBColor(213, 94, 0); // vermillion
pub const REFERENCE_COLOUR: RGBColor = RGBColor(0, 158, 115); // bluish green
pub const SCORE_FUNCTION_COLOUR: RGBColor = RGBColor(204, 121, 167); // reddish purple

/// The colour an estimator is drawn in, on every chart: one per family.
pub fn colour(estimator: &Estimator) -> RGBColor {
    match estimator {
        Estimator::GumbelSoftmax(_) => GUMBEL_SOFTMAX_COLOUR,
        Estimator::Ils(_) => ILS_COLOUR,
        Estimator::ScoreFunction(_) => SCORE_FUNCTION_COLOUR,
    }
}

/// The smallest KL a log-scale axis shows; the KL is never negative but can round to zero.
const LOG_FLOOR: f64 = 1e-12;

/// The label of the y-axis: the quantity and its unit, and how it relates to the published
/// figure's.
pub const KL_AXIS_LABEL: &str = "mean KL(t ‖ softmax(θ)) [nats]";

/// The y-axis label of the objective that exact one-hot draws optimise.
pub const SAMPLED_OBJECTIVE_LABEL: &str = "K E_z[L(z)] [nats]";

/// Colours for the background, the text and axes, and the grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Theme {
    pub background: RGBColor,
    pub foreground: RGBColor,
    pub grid: RGBColor,
}

impl Theme {
    pub const LIGHT: Theme = Theme {
        background: RGBColor(255, 255, 255),
        foreground: RGBColor(30, 30, 30),
        grid: RGBColor(225, 225, 225),
    };
    pub const DARK: Theme = Theme {
        background: RGBColor(24, 26, 27),
        foreground: RGBColor(225, 225, 225),
        grid: RGBColor(60, 62, 64),
    };
}

/// One curve of a panel.
#[derive(Clone, Debug)]
pub struct Series<'a> {
    pub label: String,
    pub envelope: &'a Envelope,
    pub colour: RGBColor,
    /// A faint series is drawn thin and translucent behind the others: a previous run, say.
    pub faint: bool,
    /// The step at which the run diverged, if it did: the curve ends there, under a marker.
    pub diverged_at: Option<u64>,
}

/// The y-axis of a panel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YAxis {
    /// The KL range shown, in nats.
    pub range: (f64, f64),
    /// Whether the axis is logarithmic.
    pub log: bool,
}

impl YAxis {
    /// An axis that shows every series of every panel in `envelopes`, with a little margin:
    /// pass all panels' envelopes to give them one scale.
    pub fn fitting<'a>(envelopes: impl IntoIterator<Item = &'a Envelope>, log: bool) -> Self {
        let range = envelopes
            .into_iter()
            .filter_map(Envelope::range)
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
            .unwrap_or((0.0, 1.0));
        Self::around(range, log)
    }

    /// An axis that shows values from `range.0` to `range.1`, with a little margin: from 0
    /// on a linear axis, from above 1e-12 on a logarithmic one.
    pub fn around(range: (f64, f64), log: bool) -> Self {
        let range = if log {
            let low = range.0.max(LOG_FLOOR);
            let high = range.1.max(low * 10.0);
            (low / 1.5, high * 1.5)
        } else {
            let high = if range.1 > 0.0 { range.1 } else { 1.0 };
            (0.0, high * 1.05)
        };
        Self { range, log }
    }

    /// A linear axis from just below the smallest value of `envelopes` to just above the
    /// largest, for a quantity whose changes matter more than its distance from 0.
    pub fn spanning<'a>(envelopes: impl IntoIterator<Item = &'a Envelope>) -> Self {
        let (low, high) = envelopes
            .into_iter()
            .filter_map(Envelope::range)
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
            .unwrap_or((0.0, 1.0));
        let pad = ((high - low) * 0.05).max(high.abs() * 1e-6).max(1e-12);
        Self {
            range: (low - pad, high + pad),
            log: false,
        }
    }

    /// The plotted coordinate of a KL value: itself, or its base-10 logarithm.
    fn map(&self, kl: f64) -> f64 {
        if self.log {
            kl.max(LOG_FLOOR).log10()
        } else {
            kl
        }
    }
}

/// A chart of KL against step.
#[derive(Clone, Debug)]
pub struct Panel<'a> {
    pub title: String,
    /// The y-axis label: [`KL_AXIS_LABEL`] for a KL curve.
    pub y_label: &'static str,
    pub series: Vec<Series<'a>>,
    /// A level drawn as a dashed line across the panel, with its legend label: where ILS's
    /// mean update stops, say (see [`ils_floor`](crate::ils_floor)).
    pub reference: Option<(f64, String)>,
    /// The last step on the x-axis.
    pub steps: u64,
    pub y: YAxis,
    pub theme: Theme,
    /// Device pixels per layout pixel: text, margins and lines grow by this factor, so a
    /// canvas sized for a high-density screen keeps its proportions. 1 for files.
    pub scale: f64,
}

/// The dashed line of an ILS panel trained by plain SGD: where its mean update stops (see
/// [`Floor::of`](crate::Floor::of)), labelled with its KL; `None` where there is no floor.
pub fn floor_reference(
    config: &crate::Config,
    estimator: &crate::Estimator,
) -> Option<(f64, String)> {
    let floor = crate::Floor::of(config, estimator)?;
    let label = format!("mean update stops: {}", crate::significant(floor.kl, 2));
    Some((floor.kl, label))
}

/// What drawing can fail with: the backend's own error, wrapped by plotters.
pub type DrawError<DB> = DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>;

/// Draws `panel` filling `area`.
///
/// Each series is reduced to one min/max stroke per pixel column first, so the cost of a draw
/// depends on the width of the plot, not on the number of steps.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
) -> Result<(), DrawError<DB>> {
    let theme = panel.theme;
    let steps = panel.steps.max(1);
    let x = YAxis {
        range: (0.0, steps as f64),
        log: false,
    };
    let look = Look {
        theme,
        scale: panel.scale,
    };
    let mut chart = frame(
        area,
        &panel.title,
        (x, "SGD step"),
        (panel.y, panel.y_label),
        look,
    )?;

    // Each curve reduced to one min/max stroke per pixel column, once per draw: the strokes
    // and the legend's placement both read them.
    let width = chart.plotting_area().dim_in_pixel().0 as usize;
    let reduced: Vec<_> = panel
        .series
        .iter()
        .map(|series| (series, series.envelope.columns(width, steps)))
        .collect();
    for (series, columns) in reduced.iter().filter(|(s, _)| s.faint) {
        draw_series(&mut chart, series, columns, panel)?;
    }
    let reference_style = theme
        .foreground
        .mix(0.8)
        .stroke_width(pixels(1.5, panel.scale));
    let shown = |level: f64| level >= panel.y.range.0 && level <= panel.y.range.1;
    if let Some((level, _)) = panel.reference.as_ref().filter(|(level, _)| shown(*level)) {
        // Before the live curve, which would otherwise be hidden where they meet.
        let y = panel.y.map(*level);
        let (dash, gap) = (pixels(6.0, panel.scale), pixels(4.0, panel.scale));
        chart.draw_series(DashedLineSeries::new(
            [(0.0, y), (steps as f64, y)],
            dash,
            gap,
            reference_style,
        ))?;
    }
    for (series, columns) in reduced.iter().filter(|(s, _)| !s.faint) {
        draw_series(&mut chart, series, columns, panel)?;
    }

    // A level outside the axis is neither drawn nor listed.
    let reference: Vec<_> = panel
        .reference
        .iter()
        .filter(|(level, _)| shown(*level))
        .map(|(_, label)| Swatch::dashed(label, reference_style))
        .collect();
    if panel.series.len() + reference.len() > 1 {
        let entries: Vec<Swatch> = panel
            .series
            .iter()
            .map(|series| Swatch::solid(&series.label, legend_style(series, panel)))
            .chain(reference)
            .collect();
        let area = chart.plotting_area().strip_coord_spec();
        let corner = legend_corner(panel, reduced.iter().map(|(_, c)| c.as_slice()));
        draw_legend(&area, &entries, corner, theme, panel.scale)?;
    }
    Ok(())
}

/// One line of a legend: its label and a sample of its line.
struct Swatch<'a> {
    label: &'a str,
    line: ShapeStyle,
    dashed: bool,
}

impl<'a> Swatch<'a> {
    fn solid(label: &'a str, line: ShapeStyle) -> Self {
        Self {
            label,
            line,
            dashed: false,
        }
    }

    fn dashed(label: &'a str, line: ShapeStyle) -> Self {
        Self {
            label,
            line,
            dashed: true,
        }
    }
}

/// Where a legend goes: the upper right of the plot, as usual, or the lower right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Corner {
    UpperRight,
    LowerRight,
}

/// The right-hand corner the panel's curves pass through less: KL curves mostly fall, so the
/// upper right is usually free, but a run that climbs back ends there and would be hidden.
/// Counts, over the right 40 % of the steps, the pixel columns of every curve (`reduced`, as
/// drawn) that reach into the upper or the lower 40 % of the plot.
fn legend_corner<'a>(panel: &Panel, reduced: impl Iterator<Item = &'a [Column]>) -> Corner {
    let steps = panel.steps.max(1);
    let (low, high) = (panel.y.map(panel.y.range.0), panel.y.map(panel.y.range.1));
    let height = |v: f64| (panel.y.map(v) - low) / (high - low);
    let (mut upper, mut lower) = (0, 0);
    for columns in reduced {
        let right = columns
            .iter()
            .filter(|&&(step, _, _)| step as f64 >= 0.6 * steps as f64);
        for &(_, min, max) in right {
            upper += usize::from(height(max) > 0.6);
            lower += usize::from(height(min) < 0.4);
        }
    }
    if upper > lower {
        Corner::LowerRight
    } else {
        Corner::UpperRight
    }
}

/// How a chart is drawn: its colours and its device pixels per layout pixel.
#[derive(Clone, Copy)]
struct Look {
    theme: Theme,
    scale: f64,
}

/// The frame every chart shares: the background, the title, the margins, and both axes with
/// their labels and grid, in `look`. Returns the chart to draw series into, in the axes'
/// plotted coordinates (see [`YAxis::map`]).
fn frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    (x, x_label): (YAxis, &str),
    (y, y_label): (YAxis, &str),
    Look { theme, scale }: Look,
) -> Result<Chart<'a, DB>, DrawError<DB>> {
    area.fill(&theme.background)?;
    let text = |size: f64| text_style(size, theme, scale);
    let mut chart = ChartBuilder::on(area)
        .caption(title, title_style(area, title, Look { theme, scale })?)
        .margin(pixels(10.0, scale))
        .margin_right(pixels(20.0, scale))
        .x_label_area_size(pixels(36.0, scale))
        .y_label_area_size(pixels(62.0, scale))
        .build_cartesian_2d(
            x.map(x.range.0)..x.map(x.range.1),
            y.map(y.range.0)..y.map(y.range.1),
        )?;
    let (x_format, y_format) = (axis_label_format(x), axis_label_format(y));
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .axis_desc_style(text(13.0))
        .label_style(text(12.0))
        .axis_style(theme.foreground)
        .bold_line_style(theme.grid)
        .light_line_style(theme.background)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .draw()?;
    Ok(chart)
}

/// A key in the upper right corner of `area`: a stroke and the label of each series.
///
/// Drawn from plain elements rather than plotters' series labels, so that text is measured by
/// the backend (`estimate_text_size`) and never by plotters' own browser font code, which adds
/// a styled element to the page for every label.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Swatch],
    corner: Corner,
    theme: Theme,
    scale: f64,
) -> Result<(), DrawError<DB>> {
    let style = text_style(12.0, theme, scale);
    let px = |size: f64| (size * scale).round() as i32;
    let mut widest = 0;
    let mut tallest = 0;
    for Swatch { label, .. } in entries {
        let (w, h) = area.estimate_text_size(label, &style)?;
        widest = widest.max(w as i32);
        tallest = tallest.max(h as i32);
    }
    let (pad, stroke, row) = (px(6.0), px(18.0), tallest + px(4.0));
    let width = pad + stroke + pad + widest + pad;
    let height = pad + row * entries.len() as i32 + pad;
    let (area_width, area_height) = area.dim_in_pixel();
    let left = area_width as i32 - width - px(8.0);
    let top = match corner {
        Corner::UpperRight => px(8.0),
        Corner::LowerRight => (area_height as i32 - height - px(8.0)).max(0),
    };

    let corners = [(left, top), (left + width, top + height)];
    area.draw(&Rectangle::new(
        corners,
        theme.background.mix(0.85).filled(),
    ))?;
    area.draw(&Rectangle::new(corners, theme.grid))?;
    let label_style = style.pos(Pos::new(HPos::Left, VPos::Center));
    for (
        i,
        Swatch {
            label,
            line,
            dashed,
        },
    ) in entries.iter().enumerate()
    {
        let y = top + pad + row * i as i32 + row / 2;
        let x = left + pad;
        if *dashed {
            // Three dashes, as the line on the plot is drawn.
            let dash = stroke / 5;
            for start in [x, x + 2 * dash, x + 4 * dash] {
                area.draw(&PathElement::new([(start, y), (start + dash, y)], *line))?;
            }
        } else {
            area.draw(&PathElement::new([(x, y), (x + stroke, y)], *line))?;
        }
        area.draw(&Text::new(
            *label,
            (x + stroke + pad, y),
            label_style.clone(),
        ))?;
    }
    Ok(())
}

/// How a series' middle line is stroked: bold, or thin and translucent if faint.
fn series_style(series: &Series, panel: &Panel) -> ShapeStyle {
    if series.faint {
        series.colour.mix(0.3).stroke_width(1)
    } else {
        let bold = (2.0 * panel.scale).round().max(1.0) as u32;
        series.colour.stroke_width(bold)
    }
}

/// A series' swatch in the legend: a faint series drawn stronger than on the plot, where it is
/// seen against the others, so that its colour can be read off a small sample.
fn legend_style(series: &Series, panel: &Panel) -> ShapeStyle {
    if series.faint {
        let width = (1.5 * panel.scale).round().max(1.0) as u32;
        series.colour.mix(0.8).stroke_width(width)
    } else {
        series_style(series, panel)
    }
}

/// One pixel column of a curve: its first step, and the smallest and largest KL in it (see
/// [`Envelope::columns`]).
type Column = (u64, f64, f64);

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn draw_series<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    series: &Series,
    columns: &[Column],
    panel: &Panel,
) -> Result<(), DrawError<DB>> {
    let y = panel.y;

    // The band: within each pixel column a stroke from the minimum to the maximum, so noise
    // shows with the height it really has. One pixel wide on purpose: a thicker line turning
    // back on itself at every column would grow long mitred spikes.
    let band = columns
        .iter()
        .flat_map(|&(step, min, max)| [(step as f64, y.map(min)), (step as f64, y.map(max))]);
    let opacity = if series.faint { 0.3 } else { 0.55 };
    chart.draw_series(LineSeries::new(
        band,
        series.colour.mix(opacity).stroke_width(1),
    ))?;
    if series.faint {
        return Ok(());
    }

    // The middle of the band, bold, so the trend reads at a glance.
    let middle = columns
        .iter()
        .map(|&(step, min, max)| (step as f64, y.map(0.5 * (min + max))));
    chart.draw_series(LineSeries::new(middle, series_style(series, panel)))?;

    if let (Some(step), Some((_, last))) = (series.diverged_at, series.envelope.last()) {
        let at = (step as f64, y.map(last));
        let size = (6.0 * panel.scale).round() as i32;
        let stroke = series_style(series, panel);
        let text = ("sans-serif", (12.0 * panel.scale).round())
            .into_font()
            .color(&panel.theme.foreground)
            .pos(Pos::new(HPos::Right, VPos::Bottom));
        let label = format!("diverged at step {step}");
        chart.draw_series(std::iter::once(
            EmptyElement::at(at)
                + Cross::new((0, 0), size, stroke)
                + Text::new(label, (-size, -size), text),
        ))?;
    }
    Ok(())
}

/// Draws `panels` in a grid of `columns` columns under a figure title.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    panels: &[Panel],
    columns: usize,
) -> Result<(), DrawError<DB>> {
    let first = panels
        .first()
        .map_or((Theme::LIGHT, 1.0), |p| (p.theme, p.scale));
    grid_of(root, title, first, panels, columns, draw_panel)
}

/// Draws `panels` with `draw`, in a grid under a title drawn in the given theme and scale.
fn grid_of<DB: DrawingBackend, P>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    (theme, scale): (Theme, f64),
    panels: &[P],
    columns: usize,
    draw: impl Fn(&DrawingArea<DB, Shift>, &P) -> Result<(), DrawError<DB>>,
) -> Result<(), DrawError<DB>> {
    let areas = titled_grid(root, title, theme, scale, panels.len(), columns)?;
    for (area, panel) in areas.iter().zip(panels) {
        draw(area, panel)?;
    }
    Ok(())
}

/// Fills `root`, writes `title` across its top and splits the rest into `count` areas,
/// `columns` to a row.
fn titled_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    theme: Theme,
    scale: f64,
    count: usize,
    columns: usize,
) -> Result<Vec<DrawingArea<DB, Shift>>, DrawError<DB>> {
    root.fill(&theme.background)?;
    let style = ("sans-serif", scale * 18.0)
        .into_font()
        .color(&theme.foreground);
    let body = root.titled(title, style)?;
    let columns = columns.max(1);
    Ok(body.split_evenly((count.div_ceil(columns), columns)))
}

/// A length of `size` layout pixels in device pixels, at least 1.
fn pixels(size: f64, scale: f64) -> u32 {
    (size * scale).round().max(1.0) as u32
}

/// Text of `size` layout pixels in the theme's foreground colour.
/// The title's text: 16 layout pixels, or smaller (down to 9) if that is what it takes to fit
/// the width of `area`, so that a long title on a narrow canvas loses no words at its ends.
fn title_style<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    Look { theme, scale }: Look,
) -> Result<TextStyle<'static>, DrawError<DB>> {
    const SIZE: f64 = 16.0;
    let room = f64::from(area.dim_in_pixel().0) - 2.0 * f64::from(pixels(20.0, scale));
    let (width, _) = area.estimate_text_size(title, &text_style(SIZE, theme, scale))?;
    let size = if f64::from(width) > room && width > 0 {
        (SIZE * room / f64::from(width)).floor().max(9.0)
    } else {
        SIZE
    };
    Ok(text_style(size, theme, scale))
}

fn text_style(size: f64, theme: Theme, scale: f64) -> TextStyle<'static> {
    ("sans-serif", pixels(size, scale))
        .into_font()
        .color(&theme.foreground)
}

/// The spread of one result across seeds at one parameter value: its smallest, middle
/// (median, say) and largest value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub parameter: f64,
    pub low: f64,
    pub middle: f64,
    pub high: f64,
}

/// A chart of a KL (the final KL of a run, say) against an estimator's parameter: a line
/// through the middle values and a band from the lowest to the highest.
///
/// The parameter axis is logarithmic when every parameter is greater than 0 (temperatures,
/// step sizes), linear otherwise (baseline decays from 0).
#[derive(Clone, Debug)]
pub struct SweepPanel {
    pub title: String,
    /// The x-axis label: the parameter's name and symbol.
    pub parameter_label: String,
    /// The y-axis label.
    pub value_label: String,
    /// In order of parameter.
    pub points: Vec<Spread>,
    pub colour: RGBColor,
    pub y: YAxis,
    pub theme: Theme,
    /// Device pixels per layout pixel, as for [`Panel::scale`].
    pub scale: f64,
}

impl SweepPanel {
    fn x_axis(&self) -> YAxis {
        parameter_axis(self.points.iter().map(|p| p.parameter))
    }
}

/// An axis for an estimator's parameter, with the same margins as a KL axis: logarithmic when
/// every value is greater than 0 (temperatures, step sizes), linear otherwise (baseline
/// decays from 0).
fn parameter_axis(parameters: impl Iterator<Item = f64> + Clone) -> YAxis {
    let log = parameters.clone().all(|p| p > 0.0);
    let range = parameters
        .map(|p| (p, p))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
        .unwrap_or((0.0, 1.0));
    YAxis::around(range, log)
}

/// Draws `panel` filling `area`.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw_sweep_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &SweepPanel,
) -> Result<(), DrawError<DB>> {
    let (x, y) = (panel.x_axis(), panel.y);
    let look = Look {
        theme: panel.theme,
        scale: panel.scale,
    };
    let mut chart = frame(
        area,
        &panel.title,
        (x, &panel.parameter_label),
        (y, &panel.value_label),
        look,
    )?;
    draw_spread(&mut chart, panel, x)
}

/// The band, a whisker at each point (so a single point still shows its spread), and the
/// middle line with a dot at each point.
fn draw_spread<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    panel: &SweepPanel,
    x: YAxis,
) -> Result<(), DrawError<DB>> {
    let y = panel.y;
    let at = |parameter: f64, value: f64| (x.map(parameter), y.map(value));
    let lows = panel.points.iter().map(|p| at(p.parameter, p.low));
    let highs = panel.points.iter().rev().map(|p| at(p.parameter, p.high));
    let band: Vec<(f64, f64)> = lows.chain(highs).collect();
    chart.draw_series([Polygon::new(band, panel.colour.mix(0.2).filled())])?;

    let whisker = panel.colour.mix(0.6).stroke_width(1);
    chart.draw_series(
        panel
            .points
            .iter()
            .map(|p| PathElement::new([at(p.parameter, p.low), at(p.parameter, p.high)], whisker)),
    )?;

    let bold = panel.colour.stroke_width(pixels(2.0, panel.scale));
    let middle = panel.points.iter().map(|p| at(p.parameter, p.middle));
    chart.draw_series(LineSeries::new(middle.clone(), bold))?;
    let radius = pixels(3.0, panel.scale);
    chart.draw_series(middle.map(|point| Circle::new(point, radius, panel.colour.filled())))?;
    Ok(())
}

/// Tick labels for an axis drawn by [`YAxis::map`]: the value itself, back from its logarithm
/// on a logarithmic axis. Ticks on a log axis fall wherever plotters puts them, not only on
/// whole decades, so each label shows the value at its height.
fn axis_label_format(axis: YAxis) -> impl Fn(&f64) -> String {
    move |&v| {
        if axis.log {
            crate::significant(10f64.powf(v), 2)
        } else {
            format_number(v)
        }
    }
}

/// Draws `panels` in a grid of `columns` columns under a figure title.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw_sweep_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    panels: &[SweepPanel],
    columns: usize,
) -> Result<(), DrawError<DB>> {
    let first = panels
        .first()
        .map_or((Theme::LIGHT, 1.0), |p| (p.theme, p.scale));
    grid_of(root, title, first, panels, columns, draw_sweep_panel)
}

/// A tick label: plain for ordinary magnitudes, with a `k` or `M` from ten thousand (so step
/// counts stay short and an axis never mixes forms), scientific for very large or small ones.
fn format_number(v: f64) -> String {
    let magnitude = v.abs();
    let plain = |v: f64, places: usize| {
        let text = format!("{v:.places$}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    if v == 0.0 {
        "0".to_owned()
    } else if (1e-3..1e4).contains(&magnitude) {
        plain(v, 4)
    } else if (1e4..1e6).contains(&magnitude) {
        format!("{}k", plain(v / 1e3, 2))
    } else if (1e6..1e9).contains(&magnitude) {
        format!("{}M", plain(v / 1e6, 2))
    } else {
        format!("{v:.1e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels() {
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(50_000.0), "50k");
        assert_eq!(format_number(2_000.0), "2000");
        assert_eq!(format_number(12_500.0), "12.5k");
        assert_eq!(format_number(0.25), "0.25");
        assert_eq!(format_number(1.5e-5), "1.5e-5");
        // Step counts stay plain up to the largest run, so an axis never mixes the forms.
        assert_eq!(format_number(1e6), "1M");
        assert_eq!(format_number(2e7), "20M");
        assert_eq!(format_number(2e9), "2.0e9");
        // Log-axis labels: the KL at the tick, not a rounded exponent.
        assert_eq!(crate::significant(10f64.powf(-0.5), 2), "0.32");
        assert_eq!(crate::significant(10f64.powf(-1.5), 2), "0.032");
        assert_eq!(crate::significant(0.1, 2), "0.1");
        assert_eq!(crate::significant(10f64.powf(-4.5), 2), "3.2e-5");
        assert_eq!(crate::significant(3e10, 2), "3e10");
    }

    #[test]
    fn shared_axis_covers_every_panel() {
        let a = Envelope::from_values(&[0.5, 0.2, 0.1], 16);
        let b = Envelope::from_values(&[0.5, 0.9, 0.05], 16);
        let axis = YAxis::fitting([&a, &b], false);
        assert_eq!(axis.range, (0.0, 0.9 * 1.05));
        let axis = YAxis::fitting([&a, &b], true);
        assert_eq!(axis.range, (0.05 / 1.5, 0.9 * 1.5));
        // Spanning: 0.05 to 0.9 with 5 % of the span, 0.0425, either side.
        let (low, high) = YAxis::spanning([&a, &b]).range;
        assert!((low - 0.0075).abs() < 1e-15 && (high - 0.9425).abs() < 1e-15);
    }
}
