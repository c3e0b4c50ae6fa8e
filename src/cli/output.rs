//! What the command line writes: the summary table, curves.csv and the figures.
//!
//! Files are written into a hidden staging directory inside the output directory and moved
//! into place only once all of them are complete, so a failure leaves no partial file behind.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use tempfile::TempDir;

use ils::chart::{self, DrawError, Panel, Series, Theme, YAxis};
use ils::{Config, Curve, Envelope};

/// The font every chart's text is drawn in natively: DejaVu Sans, shipped with the crate so
/// that no font needs to be installed (its licence is beside it).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Buckets kept per curve before drawing; more than any figure has pixel columns.
const ENVELOPE_CAPACITY: usize = 4096;

/// The size of the PNG and SVG figure.
const FIGURE_SIZE: (u32, u32) = (1500, 900);

/// Files waiting in a staging directory inside the output directory.
pub struct Staging {
    out: PathBuf,
    directory: TempDir,
    files: Vec<&'static str>,
}

impl Staging {
    /// Creates `out` if needed and a staging directory inside it, which also proves that `out`
    /// is writable before any work is done.
    pub fn new(out: &Path) -> Result<Self> {
        std::fs::create_dir_all(out)
            .with_context(|| format!("cannot create output directory {}", out.display()))?;
        let directory = tempfile::Builder::new()
            .prefix(".ils-staging-")
            .tempdir_in(out)
            .with_context(|| format!("cannot write to output directory {}", out.display()))?;
        Ok(Self {
            out: out.to_owned(),
            directory,
            files: Vec::new(),
        })
    }

    /// The path to write the file `name` at, in the staging directory; [`commit`](Self::commit)
    /// moves it into the output directory.
    pub fn staged(&mut self, name: &'static str) -> PathBuf {
        self.files.push(name);
        self.directory.path().join(name)
    }

    /// Stages `curves.csv`: `estimator,parameter,optimiser,learning_rate,step,kl`, one row per
    /// curve and kept step
    /// (every step, or every `stride`-th of a run longer than [`ils::MAX_CURVE_POINTS`]: the
    /// `step` column says which); `kl` is in nats, written with enough digits to read back the
    /// same bits.
    pub fn write_csv(&mut self, curves: &[Curve]) -> Result<()> {
        let path = self.staged("curves.csv");
        let file = File::create(&path).context("cannot write curves.csv")?;
        ils::write_csv(curves, BufWriter::new(file)).context("cannot write curves.csv")
    }

    /// Stages `figure.png` and `figure.svg`: one panel per curve, three to a row, on one
    /// y-scale.
    pub fn write_figures(&mut self, curves: &[Curve], config: &Config) -> Result<()> {
        let envelopes: Vec<Envelope> = curves.iter().map(envelope_of).collect();
        let y = YAxis::fitting(&envelopes, false);
        let panels: Vec<Panel> = curves
            .iter()
            .zip(&envelopes)
            .map(|(curve, envelope)| Panel {
                title: curve.estimator.to_string(),
                y_label: chart::KL_AXIS_LABEL,
                series: vec![Series {
                    label: curve.estimator.to_string(),
                    envelope,
                    colour: chart::colour(&curve.estimator),
                    faint: false,
                    diverged_at: curve.divergence.map(|d| d.step),
                }],
                reference: chart::floor_reference(config, &curve.estimator),
                steps: config.steps,
                y,
                theme: Theme::LIGHT,
                scale: 1.0,
            })
            .collect();
        let title = format!(
            "Toy problem: N = {}, K = {}, learning rate {}, seed {} \
             (KL in nats; the published figure divides it by K = {})",
            config.trials, config.categories, config.learning_rate, config.seed, config.categories
        );
        self.write_figure(["figure.png", "figure.svg"], &CurveGrid { title, panels })
    }

    /// Stages `figure` as a PNG and an SVG file named `names`, in the bundled font.
    pub fn write_figure(&mut self, names: [&'static str; 2], figure: &impl Figure) -> Result<()> {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
            .map_err(|_| anyhow::anyhow!("the bundled font could not be read"))?;
        let [png_name, svg_name] = names;

        let png = self.staged(png_name);
        let root = BitMapBackend::new(&png, FIGURE_SIZE).into_drawing_area();
        figure
            .draw(&root)
            .with_context(|| format!("cannot draw {png_name}"))?;
        root.present()
            .with_context(|| format!("cannot write {png_name}"))?;

        let svg = self.staged(svg_name);
        let root = SVGBackend::new(&svg, FIGURE_SIZE).into_drawing_area();
        figure
            .draw(&root)
            .with_context(|| format!("cannot draw {svg_name}"))?;
        root.present()
            .with_context(|| format!("cannot write {svg_name}"))?;
        Ok(())
    }

    /// Moves every staged file into the output directory and returns their paths.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        // A directory in a file's place would stop the moves half way: look before moving any.
        for name in &self.files {
            let target = self.out.join(name);
            if target.is_dir() {
                anyhow::bail!("cannot write {name}: {} is a directory", target.display());
            }
        }
        let mut written = Vec::with_capacity(self.files.len());
        for name in &self.files {
            let target = self.out.join(name);
            std::fs::rename(self.directory.path().join(name), &target)
                .with_context(|| format!("cannot move {name} into {}", self.out.display()))?;
            written.push(target);
        }
        Ok(written)
    }
}

/// The curve at step resolution for drawing: a thinned curve's value stands for the steps up
/// to the next kept one.
fn envelope_of(curve: &Curve) -> Envelope {
    let mut envelope = Envelope::new(ENVELOPE_CAPACITY);
    let steps: Vec<u64> = curve.steps().collect();
    for (i, &kl) in curve.kl.iter().enumerate() {
        let span = steps.get(i + 1).map_or(1, |next| next - steps[i]);
        (0..span).for_each(|_| envelope.push(kl));
    }
    envelope
}

/// A picture drawn the same way on any plotters backend: the PNG and the SVG file.
pub trait Figure {
    /// Draws the whole figure filling `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError<DB>>;
}

/// The curves of `ils reproduce`, one panel each.
struct CurveGrid<'a> {
    title: String,
    panels: Vec<Panel<'a>>,
}

impl Figure for CurveGrid<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError<DB>> {
        chart::draw_grid(root, &self.title, &self.panels, 3)
    }
}

/// The steps the "recent" column averages over.
const RECENT_STEPS: usize = 1_000;

/// Prints one row per curve: the KL at the start, its minimum, the mean of the last 1,000
/// steps and the final value, all in nats.
pub fn print_summary(curves: &[Curve], config: &Config) -> io::Result<()> {
    let mut out = io::stdout().lock();
    // As wide as the longest name ("Straight-through Gumbel-Softmax, T = 0.1", say).
    let width = curves
        .iter()
        .map(|c| c.estimator.to_string().chars().count())
        .max()
        .unwrap_or(0)
        .max(34);
    writeln!(
        out,
        "{:<width$} {:>12} {:>12} {:>14} {:>12}",
        "estimator", "first", "minimum", "last 1k mean", "final"
    )?;
    for curve in curves {
        let after_start = &curve.kl[1.min(curve.kl.len())..];
        let recent_values = (RECENT_STEPS as u64).div_ceil(curve.stride) as usize;
        let recent = &after_start[after_start.len().saturating_sub(recent_values)..];
        let mean = if recent.is_empty() {
            f64::NAN
        } else {
            recent.iter().sum::<f64>() / recent.len() as f64
        };
        let minimum = curve.kl.iter().copied().fold(f64::INFINITY, f64::min);
        let first = curve.kl.first().copied().unwrap_or(f64::NAN);
        let last = curve.kl.last().copied().unwrap_or(f64::NAN);
        let mut row = format!(
            "{:<width$} {:>12} {:>12} {:>14} {:>12}",
            curve.estimator.to_string(),
            summary_number(first),
            summary_number(minimum),
            if mean.is_nan() {
                "-".to_owned()
            } else {
                summary_number(mean)
            },
            summary_number(last)
        );
        if let Some(divergence) = curve.divergence {
            row.push_str(&format!("  ({divergence})"));
        }
        writeln!(out, "{row}")?;
    }
    let optimiser = config.optimiser.title();
    writeln!(
        out,
        "KL(t || softmax(logits)) in nats, averaged over N = {} trials; divide by K = {} for \
         the published figure's scale. Trained by {optimiser} at learning rate {}, loss \
         epsilon {:e}, seed {}.",
        config.trials, config.categories, config.learning_rate, config.loss_epsilon, config.seed
    )
}

/// A KL for the summary table: six decimals in its usual range, scientific beyond it, so a
/// run that blew up keeps its columns.
fn summary_number(value: f64) -> String {
    if value.abs() < 1e6 {
        format!("{value:.6}")
    } else {
        format!("{value:.4e}")
    }
}
