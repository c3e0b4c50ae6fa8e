//! One panel of the demo: an estimator's run on the toy problem, drawn as it goes.

use plotters::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::{HtmlCanvasElement, HtmlElement};

use super::canvas::Canvas;
use super::page::element;
use super::{format_kl, group_thousands};
use crate::chart::{self, Panel, Series, Theme, YAxis};
use crate::settings::Settings;
use crate::{Envelope, Estimator, EstimatorKind, Trainer};

/// Buckets kept per curve: memory and drawing cost stay bounded however long the run.
const CURVE_CAPACITY: usize = 2048;

/// Which panel: the left one (Gumbel-Softmax by default) or the right one (ILS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Left,
    Right,
}

impl Slot {
    /// The prefix of the panel's element ids and its setting's name in a link.
    pub fn key(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Right => "right",
        }
    }

    /// The estimator the settings choose for this panel.
    pub fn kind(self, settings: &Settings) -> EstimatorKind {
        match self {
            Self::Left => settings.left,
            Self::Right => settings.right,
        }
    }
}

/// One panel: an estimator's run, its curve, the previous run's curve, and where it is drawn.
pub struct Side {
    pub slot: Slot,
    pub trainer: Trainer,
    curve: Envelope,
    ghost: Option<(Envelope, String)>,
    pub canvas: HtmlCanvasElement,
    readout: HtmlElement,
}

impl Side {
    pub fn new(slot: Slot, settings: &Settings) -> Result<Self, JsValue> {
        let trainer = Self::trainer(slot, settings)?;
        let mut curve = Envelope::new(CURVE_CAPACITY);
        curve.push(trainer.kl());
        Ok(Self {
            slot,
            trainer,
            curve,
            ghost: None,
            canvas: element(&format!("{}-canvas", slot.key()))?,
            readout: element(&format!("{}-readout", slot.key()))?,
        })
    }

    /// The estimator this panel runs with `settings`.
    pub fn estimator(slot: Slot, settings: &Settings) -> Result<Estimator, JsValue> {
        settings
            .estimator(slot.kind(settings))
            .map_err(|e| JsValue::from_str(&e.to_string()))
    }

    fn trainer(slot: Slot, settings: &Settings) -> Result<Trainer, JsValue> {
        let estimator = Self::estimator(slot, settings)?;
        Trainer::new(settings.config(), estimator).map_err(|e| JsValue::from_str(&e.to_string()))
    }

    /// Whether going from `before` to `after` changes this panel's run: its estimator, that
    /// estimator's parameter, or the problem.
    pub fn changed_by(&self, before: &Settings, after: &Settings) -> Result<bool, JsValue> {
        let problem = |s: &Settings| crate::Config {
            steps: 0,
            ..s.config()
        };
        let estimator_changed =
            Self::estimator(self.slot, before)? != Self::estimator(self.slot, after)?;
        Ok(estimator_changed || problem(before) != problem(after))
    }

    /// Starts again from step 0; the old curve becomes the ghost, labelled `ghost`, if given.
    pub fn restart(&mut self, settings: &Settings, ghost: Option<String>) -> Result<(), JsValue> {
        let trainer = Self::trainer(self.slot, settings)?;
        let mut curve = Envelope::new(CURVE_CAPACITY);
        curve.push(trainer.kl());
        let old = std::mem::replace(&mut self.curve, curve);
        self.trainer = trainer;
        self.ghost = ghost.filter(|_| old.len() > 1).map(|label| (old, label));
        Ok(())
    }

    /// The current curve and the ghost, if any.
    pub fn curves(&self) -> impl Iterator<Item = &Envelope> {
        std::iter::once(&self.curve).chain(self.ghost.as_ref().map(|(ghost, _)| ghost))
    }

    pub fn finished(&self, steps: u64) -> bool {
        self.trainer.steps_taken() >= steps || self.trainer.divergence().is_some()
    }

    /// Takes up to `count` steps, stopping at `steps` or at a divergence.
    pub fn advance(&mut self, count: u64, steps: u64) {
        for _ in 0..count {
            if self.finished(steps) {
                return;
            }
            match self.trainer.step() {
                Ok(kl) => self.curve.push(kl),
                Err(_) => return,
            }
        }
    }

    pub fn panel(&self, steps: u64, y: YAxis, theme: Theme, scale: f64) -> Panel<'_> {
        let estimator = self.trainer.estimator();
        let colour = chart::colour(estimator);
        let mut series = Vec::with_capacity(2);
        if let Some((ghost, label)) = &self.ghost {
            series.push(Series {
                label: label.clone(),
                envelope: ghost,
                colour,
                faint: true,
                diverged_at: None,
            });
        }
        series.push(Series {
            label: format!(
                "{} = {}",
                estimator.parameter_symbol(),
                estimator.parameter()
            ),
            envelope: &self.curve,
            colour,
            faint: false,
            diverged_at: self.trainer.divergence().map(|d| d.step),
        });
        Panel {
            title: estimator.to_string(),
            series,
            steps,
            y,
            theme,
            scale,
        }
    }

    /// Matches the canvas to its size on screen; returns whether it changed.
    pub fn fit_canvas(&self, pixel_ratio: f64) -> bool {
        super::fit_canvas(&self.canvas, pixel_ratio)
    }

    pub fn draw(&self, panel: &Panel) -> Result<(), JsValue> {
        let backend = Canvas::new(&self.canvas)
            .ok_or_else(|| JsValue::from_str("the canvas has no 2D context"))?;
        let root = backend.into_drawing_area();
        chart::draw_panel(&root, panel).map_err(|e| JsValue::from_str(&e.to_string()))?;
        root.present()
            .map_err(|e| JsValue::from_str(&e.to_string()))
    }

    pub fn write_readout(&self, steps: u64) {
        let mut text = format!(
            "Step {} of {}: KL {} nats",
            group_thousands(self.trainer.steps_taken().min(steps)),
            group_thousands(steps),
            format_kl(self.trainer.kl())
        );
        if let Some(divergence) = self.trainer.divergence() {
            text.push_str(&format!(". Stopped: {divergence}"));
        }
        self.readout.set_text_content(Some(&text));
    }
}
