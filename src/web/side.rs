//! One panel of the demo: an estimator's run on the toy problem, drawn as it goes.

use plotters::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::{HtmlCanvasElement, HtmlElement};

use super::canvas::Canvas;
use super::page::element;
use super::{format_kl, group_thousands};
use crate::chart::{self, Panel, Series, Theme, YAxis};
use crate::settings::Settings;
pub use crate::settings::Slot;
use crate::{Envelope, Estimator, Optimiser, Trainer};

/// Buckets kept per curve: memory and drawing cost stay bounded however long the run.
const CURVE_CAPACITY: usize = 2048;

/// A run and its curve, advanced together.
struct Run {
    trainer: Trainer,
    curve: Envelope,
    /// The objective exact one-hot draws optimise, step by step: kept for the live run only,
    /// since the sweep's runs never draw it and it costs a pass over the logits per step.
    objective: Option<Envelope>,
    start_kl: f64,
}

/// What the update readout measures, for its tooltip.
const UPDATE_HELP: &str = "Under plain SGD: the length of each recent step of the logits, \
    noise included (each trial's all-ones part left out, since it changes no probability), \
    over the step along the exact gradient of the true KL at the same learning rate; averaged \
    over about the last 100 steps";

/// How many times its starting KL a run's KL may reach before the readout says it is running
/// away (the KL stays finite, so it is no divergence).
const RUNAWAY: f64 = 10.0;

impl Run {
    fn new(
        slot: Slot,
        settings: &Settings,
        estimator: Estimator,
        live: bool,
    ) -> Result<Self, JsValue> {
        let trainer = Trainer::new(settings.config(slot), estimator).map_err(js)?;
        // The live run feeds the readout of its update's length; the sweep's runs never do.
        let trainer = if live {
            trainer.measuring_updates()
        } else {
            trainer
        };
        let mut curve = Envelope::new(CURVE_CAPACITY);
        curve.push(trainer.kl());
        let objective = live.then(|| {
            let mut objective = Envelope::new(CURVE_CAPACITY);
            objective.push(trainer.sampled_objective());
            objective
        });
        let start_kl = trainer.kl();
        Ok(Self {
            trainer,
            curve,
            objective,
            start_kl,
        })
    }

    fn finished(&self, steps: u64) -> bool {
        self.trainer.steps_taken() >= steps || self.trainer.divergence().is_some()
    }

    /// Takes up to `count` steps, stopping at `steps` or at a divergence.
    fn advance(&mut self, count: u64, steps: u64) {
        for _ in 0..count {
            if self.finished(steps) {
                return;
            }
            match self.trainer.step() {
                Ok(kl) => {
                    self.curve.push(kl);
                    if let Some(objective) = &mut self.objective {
                        objective.push(self.trainer.sampled_objective());
                    }
                }
                Err(_) => return,
            }
        }
    }
}

fn js(error: impl ToString) -> JsValue {
    JsValue::from_str(&error.to_string())
}

/// Colours of the published-sweep curves: the remaining Okabe–Ito hues, so that each is told
/// apart from the others and from the panel's own curve.
const SWEEP_COLOURS: [RGBColor; 3] = [
    RGBColor(86, 180, 233), // sky blue
    RGBColor(230, 159, 0),  // orange
    RGBColor(0, 158, 115),  // bluish green
];

/// One panel: an estimator's run, its curve, the previous run's curve, the published sweep's
/// runs if shown, and where it is all drawn.
pub struct Side {
    pub slot: Slot,
    run: Run,
    ghost: Option<(Envelope, String)>,
    sweep: Vec<(Run, String)>,
    /// The dashed line of the live run, if it has a floor (see [`crate::Floor::of`]).
    floor: Option<(f64, String)>,
    pub canvas: HtmlCanvasElement,
    objective_canvas: HtmlCanvasElement,
    readout: HtmlElement,
    update: HtmlElement,
}

impl Side {
    pub fn new(slot: Slot, settings: &Settings) -> Result<Self, JsValue> {
        let estimator = Self::estimator(slot, settings)?;
        Ok(Self {
            slot,
            run: Run::new(slot, settings, estimator, true)?,
            ghost: None,
            sweep: Self::sweep(slot, settings)?,
            floor: chart::floor_reference(&settings.config(slot), &estimator),
            canvas: element(&format!("{}-canvas", slot.key()))?,
            objective_canvas: element(&format!("{}-objective", slot.key()))?,
            readout: element(&format!("{}-readout", slot.key()))?,
            update: {
                let update: HtmlElement = element(&format!("{}-update", slot.key()))?;
                update.set_title(UPDATE_HELP);
                update
            },
        })
    }

    /// The estimator this panel runs with `settings`.
    pub fn estimator(slot: Slot, settings: &Settings) -> Result<Estimator, JsValue> {
        settings.estimator(settings.kind(slot)).map_err(js)
    }

    /// The panel's estimator at each published value of its parameter, if asked for.
    fn sweep(slot: Slot, settings: &Settings) -> Result<Vec<(Run, String)>, JsValue> {
        if !settings.published_sweep {
            return Ok(Vec::new());
        }
        let estimator = Self::estimator(slot, settings)?;
        let kind = settings.kind(slot);
        kind.published_parameters()
            .iter()
            .map(|&value| {
                let estimator = estimator.with_parameter(value).map_err(js)?;
                let run = Run::new(slot, settings, estimator, false)?;
                let label = format!("at {} = {value}", estimator.parameter_symbol());
                Ok((run, label))
            })
            .collect()
    }

    /// The run shown in bold.
    pub fn trainer(&self) -> &Trainer {
        &self.run.trainer
    }

    /// Whether going from `before` to `after` changes this panel's run: its estimator, that
    /// estimator's parameter, or the problem as this panel trains on it.
    pub fn changed_by(&self, before: &Settings, after: &Settings) -> Result<bool, JsValue> {
        let problem = |s: &Settings| crate::Config {
            steps: 0,
            ..s.config(self.slot)
        };
        let estimator_changed =
            Self::estimator(self.slot, before)? != Self::estimator(self.slot, after)?;
        Ok(estimator_changed || problem(before) != problem(after))
    }

    /// Replaces the published-sweep runs only, leaving the live run and its ghost alone.
    pub fn resweep(&mut self, settings: &Settings) -> Result<(), JsValue> {
        self.sweep = Self::sweep(self.slot, settings)?;
        Ok(())
    }

    /// Starts again from step 0; the old curve becomes the ghost, labelled `ghost`, if given.
    pub fn restart(&mut self, settings: &Settings, ghost: Option<String>) -> Result<(), JsValue> {
        let estimator = Self::estimator(self.slot, settings)?;
        let run = Run::new(self.slot, settings, estimator, true)?;
        let old = std::mem::replace(&mut self.run, run);
        self.floor = chart::floor_reference(&settings.config(self.slot), &estimator);
        self.ghost = ghost
            .filter(|_| old.curve.len() > 1)
            .map(|label| (old.curve, label));
        self.sweep = Self::sweep(self.slot, settings)?;
        Ok(())
    }

    /// The curves that set the y-axis: the live run's, and each published-sweep curve that
    /// stays within [`RUNAWAY`] times its start (a caption may point at one). A ghost, or a
    /// sweep curve that blew up, must not flatten the live curve: those are clipped instead.
    pub fn axis_curves(&self) -> impl Iterator<Item = &Envelope> {
        let tame = self.sweep.iter().filter(|(run, _)| {
            run.curve
                .range()
                .is_some_and(|(_, high)| high <= RUNAWAY * run.start_kl)
        });
        std::iter::once(&self.run.curve).chain(tame.map(|(run, _)| &run.curve))
    }

    pub fn finished(&self, steps: u64) -> bool {
        self.run.finished(steps) && self.sweep.iter().all(|(run, _)| run.finished(steps))
    }

    /// Takes up to `count` steps of every run, stopping at `steps` or at a divergence.
    pub fn advance(&mut self, count: u64, steps: u64) {
        self.run.advance(count, steps);
        for (run, _) in &mut self.sweep {
            run.advance(count, steps);
        }
    }

    pub fn panel(&self, steps: u64, y: YAxis, theme: Theme, scale: f64) -> Panel<'_> {
        let estimator = self.run.trainer.estimator();
        let colour = chart::colour(estimator);
        let mut series = Vec::with_capacity(2 + self.sweep.len());
        for ((run, label), sweep_colour) in self.sweep.iter().zip(SWEEP_COLOURS) {
            series.push(Series {
                label: label.clone(),
                envelope: &run.curve,
                colour: sweep_colour,
                faint: true,
                diverged_at: run.trainer.divergence().map(|d| d.step),
            });
        }
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
            envelope: &self.run.curve,
            colour,
            faint: false,
            diverged_at: self.run.trainer.divergence().map(|d| d.step),
        });
        Panel {
            title: self.title(),
            y_label: chart::KL_AXIS_LABEL,
            series,
            reference: self.floor.clone(),
            steps,
            y,
            theme,
            scale,
        }
    }

    /// The KL chart's title: the estimator, then how it is trained where that is not as
    /// published, so that two panels of one estimator are told apart (and a PNG says so).
    pub fn title(&self) -> String {
        let trainer = &self.run.trainer;
        let config = trainer.config();
        let mut title = trainer.estimator().to_string();
        if config.learning_rate != crate::Config::default().learning_rate {
            title.push_str(&format!(", learning rate {}", config.learning_rate));
        }
        if config.optimiser != crate::Optimiser::Sgd {
            title.push_str(&format!(", {}", config.optimiser.title()));
        }
        title
    }

    /// Matches both canvases to their size on screen; returns whether either changed.
    pub fn fit_canvas(&self, pixel_ratio: f64) -> bool {
        let curve = super::fit_canvas(&self.canvas, pixel_ratio);
        super::fit_canvas(&self.objective_canvas, pixel_ratio) || curve
    }

    /// The chart of the objective exact one-hot draws optimise, on its own scale (always
    /// there: the live run keeps its objective).
    pub fn objective_panel(&self, steps: u64, theme: Theme, scale: f64) -> Option<Panel<'_>> {
        let estimator = self.run.trainer.estimator();
        let objective = self.run.objective.as_ref()?;
        Some(Panel {
            title: format!("{}: what exact draws optimise", estimator.title()),
            y_label: chart::SAMPLED_OBJECTIVE_LABEL,
            series: vec![Series {
                label: String::new(),
                envelope: objective,
                colour: chart::colour(estimator),
                faint: false,
                diverged_at: None,
            }],
            reference: None,
            steps,
            y: YAxis::spanning([objective]),
            theme,
            scale,
        })
    }

    /// Draws the KL chart `panel` and the objective chart `objective`, if any.
    pub fn draw(&self, panel: &Panel, objective: Option<&Panel>) -> Result<(), JsValue> {
        let objective = objective.map(|o| (&self.objective_canvas, o));
        for (canvas, panel) in std::iter::once((&self.canvas, panel)).chain(objective) {
            let backend = Canvas::new(canvas)
                .ok_or_else(|| JsValue::from_str("the canvas has no 2D context"))?;
            let root = backend.into_drawing_area();
            chart::draw_panel(&root, panel).map_err(js)?;
            root.present().map_err(js)?;
        }
        Ok(())
    }

    pub fn write_readout(&self, steps: u64) {
        let trainer = &self.run.trainer;
        let mut text = format!(
            "Step {} of {}: KL {} nats",
            group_thousands(trainer.steps_taken().min(steps)),
            group_thousands(steps),
            format_kl(trainer.kl())
        );
        let rate = trainer.config().learning_rate;
        // Only plain SGD's steps say something about the estimator's scale: the other two
        // optimisers set the length of a step themselves.
        let update = match (trainer.config().optimiser, trainer.update_ratio()) {
            (Optimiser::Sgd, Some(ratio)) if trainer.divergence().is_none() => format!(
                "Steps {}× the exact gradient's, noise included (learning rate {rate}, plain SGD)",
                crate::significant(ratio, 2),
            ),
            (Optimiser::Sgd, _) => format!("Learning rate {rate}, plain SGD"),
            (Optimiser::NormalisedSgd, _) => format!(
                "Every step {rate} long in the directions that change the probabilities \
                 (normalised SGD)"
            ),
            (Optimiser::Adam, _) => {
                format!("Learning rate {rate}, Adam: each logit's step set by its own history")
            }
        };
        self.update.set_text_content(Some(&update));
        if let Some(divergence) = self.run.trainer.divergence() {
            text.push_str(&format!(". Stopped: {divergence}"));
        } else if self.run.trainer.kl() > RUNAWAY * self.run.start_kl {
            text.push_str(". Far above its start: this setting does not converge");
        }
        self.readout.set_text_content(Some(&text));
    }
}
