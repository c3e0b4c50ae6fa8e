//! The gradient-quality section: how each panel's estimator compares with the exact gradient
//! of the true objective, at the start and at the current logits, and across its parameter.

use plotters::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlInputElement};

use super::canvas::Canvas;
use super::page::{self, element};
use super::side::Side;
use crate::chart::{self, QualityPanel, Theme};
use crate::parameter;
use crate::settings::Settings;
use crate::{DEFAULT_ESTIMATES, Estimator, GradientQuality, Objectives, Snapshot, SweepPoint};

/// Parameter values per sweep: every third of a decade over the temperatures, about two
/// thirds of a decade over the step sizes.
const SWEEP_POINTS: usize = 13;

/// The most logit-draws one measurement may make (estimates x logits x the 15 points it
/// visits): about half a second in the browser (measured: 2e7 took about 2 s), so the page
/// never freezes for long.
const WORK_BUDGET: usize = 5_000_000;

/// One panel's measurement.
struct Measurement {
    estimator: Estimator,
    /// The panel's title: the estimator, and how it is trained where not as published.
    title: String,
    step: u64,
    start: GradientQuality,
    now: GradientQuality,
    start_objectives: Objectives,
    now_objectives: Objectives,
    sweep: Vec<SweepPoint>,
}

/// The section's elements and its last measurements.
pub struct Quality {
    canvases: [HtmlCanvasElement; 2],
    table: HtmlElement,
    note: HtmlElement,
    estimates: HtmlInputElement,
    measurements: Vec<Measurement>,
}

fn js(error: impl ToString) -> JsValue {
    JsValue::from_str(&error.to_string())
}

impl Quality {
    pub fn new() -> Result<Self, JsValue> {
        let estimates: HtmlInputElement = element("estimates")?;
        estimates.set_min(&parameter::ESTIMATES.min.to_string());
        estimates.set_max(&parameter::ESTIMATES.max.to_string());
        estimates.set_value(&DEFAULT_ESTIMATES.to_string());
        Ok(Self {
            canvases: [element("left-quality")?, element("right-quality")?],
            table: element("quality-rows")?,
            note: element("quality-note")?,
            estimates,
            measurements: Vec::new(),
        })
    }

    /// `M`, the estimates per measurement, from its input: clamped into range, with the
    /// input corrected to match and, if it had to be, a sentence saying so.
    fn estimates(&self) -> (usize, Option<String>) {
        let range = parameter::ESTIMATES;
        let given = self.estimates.value();
        let value = match given.trim().parse::<f64>() {
            Ok(v) if !v.is_nan() => range.nearest(v),
            _ => DEFAULT_ESTIMATES as f64,
        };
        let corrected = given.trim().parse::<f64>().ok() != Some(value);
        let message = corrected.then(|| {
            format!(
                "M must be a whole number from {} to {}, not “{}”; using {value}. ",
                range.min,
                super::group_thousands(range.max as u64),
                given.trim()
            )
        });
        self.estimates.set_value(&value.to_string());
        (value as usize, message)
    }

    /// Measures both panels' estimators: at the problem's starting logits, at each run's
    /// current logits, and across the estimator's parameter at the current logits. Every
    /// measurement draws from the settings' seed, so a link reproduces it too.
    pub fn measure(&mut self, sides: &[Side], settings: &Settings) -> Result<(), JsValue> {
        let (asked, correction) = self.estimates();
        let logits = settings.trials * settings.categories;
        let affordable = (WORK_BUDGET / (SWEEP_POINTS + 2) / logits).max(2);
        let estimates = asked.min(affordable);
        let note = if estimates < asked {
            format!(
                "Measured with M = {estimates} estimates, not {asked}, seed {}, to keep the \
                 page responsive at N K = {} logits; the library has no such limit.",
                settings.seed,
                super::group_thousands(logits as u64)
            )
        } else {
            format!(
                "Measured with M = {estimates} estimates, seed {}.",
                settings.seed
            )
        };
        let note = correction.unwrap_or_default() + &note;
        self.note.set_text_content(Some(&note));
        let seed = settings.seed;
        let mut measurements = Vec::with_capacity(sides.len());
        for side in sides {
            let estimator = *side.trainer().estimator();
            let fresh = crate::Trainer::new(settings.config(side.slot), estimator).map_err(js)?;
            let start = Snapshot::of(&fresh).map_err(js)?;
            // After a divergence the logits are no longer finite: measure the start only.
            let now = Snapshot::of(side.trainer()).unwrap_or_else(|_| start.clone());
            measurements.push(Measurement {
                estimator,
                title: side.title(),
                step: side.trainer().steps_taken(),
                start: start.quality(&estimator, estimates, seed).map_err(js)?,
                now: now.quality(&estimator, estimates, seed).map_err(js)?,
                start_objectives: start.objectives(),
                now_objectives: now.objectives(),
                sweep: now
                    .sweep(&estimator, SWEEP_POINTS, estimates, seed)
                    .map_err(js)?,
            });
        }
        self.measurements = measurements;
        self.write_table()
    }

    /// Fills the table: one row per panel and moment.
    fn write_table(&self) -> Result<(), JsValue> {
        let document = page::document()?;
        self.table.set_text_content(None);
        for (measurement, panel) in self.measurements.iter().zip(["left", "right"]) {
            let rows = [
                ("start", &measurement.start, &measurement.start_objectives),
                ("now", &measurement.now, &measurement.now_objectives),
            ];
            for (moment, quality, objectives) in rows {
                let at = if moment == "start" {
                    "step 0".to_owned()
                } else {
                    format!("step {}", super::group_thousands(measurement.step))
                };
                let cells = [
                    format!("{panel}: {}", measurement.title),
                    at,
                    format_measure(quality.cosine),
                    format_measure(quality.norm_ratio),
                    format_measure(quality.relative_error),
                    format_measure(quality.relative_variance),
                    format_measure(objectives.kl),
                    format_measure(objectives.sampled),
                ];
                let row = document.create_element("tr")?;
                for text in cells {
                    let cell = document.create_element("td")?;
                    cell.set_text_content(Some(&text));
                    row.append_child(&cell)?;
                }
                self.table.append_child(&row)?;
            }
        }
        Ok(())
    }

    /// Matches both canvases to their size on screen; returns whether either changed.
    pub fn fit_canvases(&self, pixel_ratio: f64) -> bool {
        // Every canvas is fitted: no short-circuit.
        let mut changed = false;
        for canvas in &self.canvases {
            changed |= super::fit_canvas(canvas, pixel_ratio);
        }
        changed
    }

    /// Draws each panel's sweep.
    pub fn draw(&self, theme: Theme, scale: f64) -> Result<(), JsValue> {
        for (measurement, canvas) in self.measurements.iter().zip(&self.canvases) {
            let estimator = measurement.estimator;
            let panel = QualityPanel {
                title: estimator.title().to_owned(),
                parameter_label: format!(
                    "{} {}",
                    estimator.parameter_name(),
                    estimator.parameter_symbol()
                ),
                points: measurement.sweep.clone(),
                current: estimator.parameter(),
                colour: chart::colour(&estimator),
                theme,
                scale,
            };
            let backend = Canvas::new(canvas).ok_or_else(|| JsValue::from_str("no 2D context"))?;
            let root = backend.into_drawing_area();
            chart::draw_quality_panel(&root, &panel).map_err(js)?;
            root.present().map_err(js)?;
        }
        Ok(())
    }
}

/// A measure for the table: four significant digits, scientific when tiny or huge; a dash
/// where it is undefined (at the optimum, say).
fn format_measure(value: f64) -> String {
    if !value.is_finite() {
        "–".to_owned()
    } else if value == 0.0 || (1e-3..1e4).contains(&value.abs()) {
        format!("{value:.4}")
    } else {
        format!("{value:.3e}")
    }
}
