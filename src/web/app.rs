//! The page's state in one struct: every input updates it and asks for one redraw, and each
//! animation frame runs a bounded number of steps and draws at most once.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlInputElement, HtmlSelectElement};

use super::export;
use super::page::{self, element};
use super::quality::Quality;
use super::side::{Side, Slot};
use super::tour::Tour;
use super::{group_thousands, round_significant};
use crate::chart::{Theme, YAxis};
use crate::parameter::{self, Parameter};
use crate::settings::Settings;

/// The most time a frame spends stepping, in milliseconds, so the page stays responsive at any
/// speed.
const FRAME_BUDGET_MS: f64 = 12.0;

/// Logits updated between two looks at the clock inside a frame: about a millisecond of work,
/// so that even at the largest problem (a step of 1e5 logits) a frame overruns its budget by
/// at most one step.
const LOGITS_PER_CLOCK_CHECK: u64 = 32_768;

/// The most lines a notice about a link shows, so a link cannot push the demo off screen.
const MAX_NOTICES: usize = 6;

/// Steps per frame at the speed slider's starting position, `10^2.3` (see `index.html`).
const DEFAULT_STEPS_PER_FRAME: f64 = 200.0;

/// The number of KL values (steps 0 to 10) written for the same-seed check.
const CHECK_STEPS: u64 = 10;

/// The controls, found once.
struct Controls {
    play: HtmlButtonElement,
    speed: HtmlInputElement,
    speed_value: HtmlElement,
    shared_y: HtmlInputElement,
    check: HtmlElement,
}

pub struct App {
    settings: Settings,
    sides: [Side; 2],
    controls: Controls,
    playing: bool,
    steps_per_frame: u64,
    needs_draw: bool,
    quality: Quality,
    tour: Tour,
    /// Whether the gradient-quality charts need drawing (they change only when measured).
    quality_needs_draw: bool,
    /// Whether the current runs have been measured since they finished.
    measured: bool,
    /// Whether the reader's colour scheme is dark, as last drawn.
    dark: bool,
    timing: Timing,
}

/// What the page measures of itself, for the benchmark script: how long drawing both panels
/// takes, and how long a run takes from its start to its last step.
#[derive(Default)]
struct Timing {
    run_started_ms: f64,
    run_finished: bool,
    draw_total_ms: f64,
    draws: u32,
}

/// The log-scale sliders and the span each covers. A span is a choice of this page, not a
/// limit: a link may hold any allowed value (see [`parameter`]), and the slider then rests at
/// its end while the readout shows the value.
const SLIDERS: [(&str, f64, f64); 3] = [
    ("temperature", 0.01, 100.0),
    ("step_size", 1e-9, 1.0),
    ("loss_epsilon", 1e-12, 1e-2),
];

/// The selectors: an estimator per panel, and the optimiser of both.
const SELECTORS: [&str; 3] = ["left", "right", "optimiser"];

/// The number inputs (and the baseline decay's linear slider) by id, with their allowed values.
const NUMBERS: [(&str, Parameter); 7] = [
    ("baseline_decay", parameter::BASELINE_DECAY),
    ("left_learning_rate", parameter::LEARNING_RATE),
    ("right_learning_rate", parameter::LEARNING_RATE),
    ("steps", parameter::STEPS),
    ("categories", parameter::CATEGORIES),
    ("trials", parameter::TRIALS),
    ("seed", parameter::SEED),
];

impl App {
    /// Reads the settings from the address, builds both runs, wires every control and starts
    /// the animation.
    pub fn start() -> Result<(), JsValue> {
        let window = page::window()?;
        let query = window.location().search()?;
        let (settings, adjustments) = Settings::from_query(&query);

        let mut app = App {
            settings,
            sides: [
                Side::new(Slot::Left, &settings)?,
                Side::new(Slot::Right, &settings)?,
            ],
            controls: Controls {
                play: element("play")?,
                speed: element("speed")?,
                speed_value: element("speed-value")?,
                shared_y: element("shared_y")?,
                check: element("check")?,
            },
            playing: true,
            steps_per_frame: 1,
            needs_draw: true,
            quality: Quality::new()?,
            tour: Tour::new()?,
            quality_needs_draw: true,
            measured: false,
            dark: page::prefers_dark(),
            timing: Timing {
                run_started_ms: now(),
                ..Timing::default()
            },
        };
        for (id, min, max) in SLIDERS {
            let input: HtmlInputElement = element(id)?;
            input.set_min(&min.log10().to_string());
            input.set_max(&max.log10().to_string());
            input.set_step("0.01");
        }
        for (id, parameter) in NUMBERS {
            let input: HtmlInputElement = element(id)?;
            input.set_min(&parameter.min.to_string());
            input.set_max(&parameter.max.to_string());
        }
        let mut messages: Vec<String> = adjustments
            .iter()
            .take(MAX_NOTICES)
            .map(|a| format!("The link's {a}."))
            .collect();
        if adjustments.len() > MAX_NOTICES {
            let more = adjustments.len() - MAX_NOTICES;
            messages.push(format!(
                "… and {more} more settings of the link were changed or ignored."
            ));
        }
        page::show_lines("notice", &messages)?;
        let estimators = crate::EstimatorKind::ALL.map(|kind| (kind.title(), kind.name()));
        let optimisers = crate::Optimiser::ALL.map(|o| (o.title(), o.name()));
        for (key, options) in
            SELECTORS
                .into_iter()
                .zip([&estimators[..], &estimators[..], &optimisers[..]])
        {
            let select: HtmlSelectElement = element(key)?;
            for &(text, value) in options {
                let option = web_sys::HtmlOptionElement::new_with_text_and_value(text, value)?;
                select.add_with_html_option_element(&option)?;
            }
        }
        app.write_controls()?;
        app.write_address()?;
        app.write_check()?;
        app.measure()?;

        let app = Rc::new(RefCell::new(app));
        app.borrow_mut().start_speed();
        app.borrow().write_play_button();
        wire(&app)?;
        page::hide_fallback()?;
        animate(app)
    }

    /// Puts every setting's value into its control.
    fn write_controls(&self) -> Result<(), JsValue> {
        let s = &self.settings;
        let values = [s.temperature, s.step_size, s.loss_epsilon];
        for ((id, min, max), value) in SLIDERS.into_iter().zip(values) {
            let input: HtmlInputElement = element(id)?;
            // A value beyond the slider's span (or 0, whose logarithm is -inf) rests at an end.
            let position = value.log10().clamp(min.log10(), max.log10());
            input.set_value(&position.to_string());
            show_slider_value(id, &super::compact(value))?;
        }
        for (id, _) in NUMBERS {
            let value = s.get(id).unwrap_or_default();
            element::<HtmlInputElement>(id)?.set_value(&value);
        }
        for key in SELECTORS {
            let value = s.get(key).unwrap_or_default();
            element::<HtmlSelectElement>(key)?.set_value(&value);
        }
        // The one linear slider.
        show_slider_value("baseline_decay", &s.baseline_decay.to_string())?;
        element::<HtmlInputElement>("log_y")?.set_checked(s.log_y);
        element::<HtmlInputElement>("published_sweep")?.set_checked(s.published_sweep);
        element::<HtmlElement>("about-trials")?.set_text_content(Some(&s.trials.to_string()));
        element::<HtmlElement>("about-categories")?
            .set_text_content(Some(&s.categories.to_string()));
        Ok(())
    }

    /// Replaces the address's query with the settings, so the link reproduces the run, and
    /// marks the stop of the tour they match, if any.
    fn write_address(&self) -> Result<(), JsValue> {
        self.tour.show(&self.settings)?;
        let window = page::window()?;
        let location = window.location();
        let url = format!(
            "{}?{}{}",
            location.pathname()?,
            self.settings.to_query(),
            location.hash()?
        );
        window
            .history()?
            .replace_state_with_url(&JsValue::NULL, "", Some(&url))
    }

    /// Writes the KL after steps 0 to 10 of both runs, for tests that compare the browser's
    /// numbers with the command line's, bit for bit (Rust's shortest round-trip formatting).
    fn write_check(&self) -> Result<(), JsValue> {
        for side in &self.sides {
            let config = crate::Config {
                steps: CHECK_STEPS,
                ..self.settings.config(side.slot)
            };
            let estimator = *side.trainer().estimator();
            let curve = crate::curve(config, estimator, |_| {})
                .map_err(|e| JsValue::from_str(&e.to_string()))?;
            let values: Vec<String> = curve.kl.iter().map(f64::to_string).collect();
            self.controls
                .check
                .set_attribute(&format!("data-{}", estimator.name()), &values.join(","))?;
        }
        Ok(())
    }

    /// The button names the action it will take; a class marks it while the run plays.
    fn write_play_button(&self) {
        let label = if self.playing { "Pause" } else { "Play" };
        self.controls.play.set_text_content(Some(label));
        let _ = self
            .controls
            .play
            .class_list()
            .toggle_with_force("playing", self.playing);
    }

    /// Sets the speed so that a long run from a link (a million steps, say) takes about as
    /// many frames as the published one at the default speed, then reads it.
    fn start_speed(&mut self) {
        let frames = Settings::default().steps as f64 / DEFAULT_STEPS_PER_FRAME;
        let needed = self.settings.steps as f64 / frames;
        if needed > DEFAULT_STEPS_PER_FRAME {
            let position = needed.log10().min(6.0);
            self.controls.speed.set_value(&format!("{position:.1}"));
        }
        self.read_speed();
    }

    fn read_speed(&mut self) {
        let position: f64 = self.controls.speed.value().parse().unwrap_or(2.0);
        self.steps_per_frame = 10f64.powf(position.clamp(0.0, 6.0)).round().max(1.0) as u64;
        let unit = if self.steps_per_frame == 1 {
            "step"
        } else {
            "steps"
        };
        let text = format!("{} {unit} per frame", group_thousands(self.steps_per_frame));
        self.controls.speed_value.set_text_content(Some(&text));
        let _ = self.controls.speed.set_attribute("aria-valuetext", &text);
    }

    /// Applies the control for `key` to the settings and restarts what it affects.
    fn on_setting(&mut self, key: &str) -> Result<(), JsValue> {
        let text = if SELECTORS.contains(&key) {
            element::<HtmlSelectElement>(key)?.value()
        } else {
            Self::input_text(key)?
        };
        self.apply(key, &text)
    }

    /// What the input for `key` holds, as the settings read it: a slider's value rather than
    /// its logarithm, a checkbox as 0 or 1.
    fn input_text(key: &str) -> Result<String, JsValue> {
        let input: HtmlInputElement = element(key)?;
        Ok(if input.type_() == "checkbox" {
            if input.checked() { "1" } else { "0" }.to_owned()
        } else if SLIDERS.iter().any(|(id, _, _)| *id == key) {
            let position: f64 = input.value().parse().unwrap_or(f64::NAN);
            round_significant(10f64.powf(position), 3).to_string()
        } else {
            input.value()
        })
    }

    /// Sets `key` from `text` and restarts what the change affects.
    fn apply(&mut self, key: &str, text: &str) -> Result<(), JsValue> {
        let before = self.settings;
        let notice = match NUMBERS.iter().find(|(id, _)| *id == key) {
            // A number input reports an empty value for text that is no number at all.
            Some((_, parameter)) if text.trim().is_empty() => {
                let kept = before.get(key).unwrap_or_default();
                vec![format!(
                    "The {} needs a number; keeping {kept}.",
                    parameter.name
                )]
            }
            _ => match self.settings.set(key, text) {
                Ok(()) => vec![],
                Err(adjustment) => vec![format!("{adjustment}.")],
            },
        };
        page::show_lines("notice", &notice)?;
        self.write_controls()?;
        if self.settings == before {
            return Ok(());
        }

        let after = self.settings;
        if before.published_sweep != after.published_sweep {
            // The sweep runs alone change: the live runs go on.
            for side in &mut self.sides {
                side.resweep(&after)?;
            }
            self.playing = true;
            self.write_play_button();
            // Not finished until the sweep runs are: a script waiting for the end waits for them.
            self.restart_timing();
        }
        let mut restarted = false;
        for side in &mut self.sides {
            let past_end = side.trainer().steps_taken() > after.steps;
            if side.changed_by(&before, &after)? || past_end {
                let old = before.get(key).unwrap_or_default();
                // An estimator's ghost is named as the page names it, not by its key.
                let old = match (
                    crate::EstimatorKind::from_name(&old),
                    crate::Optimiser::from_name(&old),
                ) {
                    (Some(kind), _) => kind.title().to_owned(),
                    (_, Some(optimiser)) => optimiser.title().to_owned(),
                    _ => old,
                };
                side.restart(&after, Some(format!("previous: {} = {old}", label(key))))?;
                restarted = true;
            }
        }
        if restarted || after.steps > before.steps {
            self.playing = true;
            self.write_play_button();
            self.restart_timing();
        }
        self.write_address()?;
        self.write_check()?;
        self.needs_draw = true;
        Ok(())
    }

    /// Sets each panel's learning rate to the one `ils tune` found best for its estimator
    /// under the chosen optimiser (the table the repository ships), where there is one, and
    /// says where there is none or the best lies at an end of the grid tried.
    fn on_best_rates(&mut self) -> Result<(), JsValue> {
        let optimiser = self.settings.optimiser.title();
        if !crate::tuning::tuned_for(&self.settings.config(Slot::Left)) {
            let message = format!(
                "The shipped learning rates were tuned on the published problem (N = 5, K = 5, \
                 loss ε = 1e-8), not on this one; kept {} and {}. ils tune --help says how to \
                 tune for another.",
                self.settings.left_learning_rate, self.settings.right_learning_rate
            );
            return page::show_lines("notice", &[message]);
        }
        let mut notes = Vec::new();
        let mut rates = Vec::new();
        for side in &self.sides {
            let estimator = *side.trainer().estimator();
            match crate::tuning::best_learning_rate(&estimator, self.settings.optimiser) {
                Some(rate) => {
                    if crate::tuning::at_grid_edge(rate) {
                        notes.push(format!(
                            "{estimator} under {optimiser}: {rate} is at the end of the grid \
                             ils tune tried, so its best may lie beyond it."
                        ));
                    }
                    rates.push((side.slot, rate));
                }
                None => notes.push(format!(
                    "No tuned learning rate for {estimator} under {optimiser}: ils tune tunes \
                     each estimator at its published parameter values; kept {}.",
                    self.settings.learning_rate(side.slot)
                )),
            }
        }
        for (slot, rate) in rates {
            self.apply(&format!("{}_learning_rate", slot.key()), &rate.to_string())?;
        }
        page::show_lines("notice", &notes)
    }

    fn steps_per_clock_check(&self) -> u64 {
        let logits = (self.settings.trials * self.settings.categories) as u64;
        (LOGITS_PER_CLOCK_CHECK / logits).max(1)
    }

    fn on_play(&mut self) -> Result<(), JsValue> {
        if !self.playing && self.sides.iter().all(|s| s.finished(self.settings.steps)) {
            self.restart_all(None)?;
        }
        self.playing = !self.playing;
        self.write_play_button();
        Ok(())
    }

    fn on_step(&mut self) {
        self.playing = false;
        self.write_play_button();
        for side in &mut self.sides {
            side.advance(1, self.settings.steps);
        }
        self.needs_draw = true;
    }

    fn restart_all(&mut self, ghost: Option<&str>) -> Result<(), JsValue> {
        for side in &mut self.sides {
            side.restart(&self.settings, ghost.map(str::to_owned))?;
        }
        self.needs_draw = true;
        self.restart_timing();
        Ok(())
    }

    /// Measures both estimators' gradient quality now.
    fn measure(&mut self) -> Result<(), JsValue> {
        self.quality.measure(&self.sides, &self.settings)?;
        self.quality_needs_draw = true;
        Ok(())
    }

    fn restart_timing(&mut self) {
        self.measured = false;
        self.timing = Timing {
            run_started_ms: now(),
            ..Timing::default()
        };
        // At once, so a script that just changed a setting never reads the old run's figure.
        let _ = self.controls.check.remove_attribute("data-run-ms");
    }

    /// Publishes the timings on the check element: `data-draw-ms`, the mean time to draw both
    /// panels over `data-draws` draws since the run started, and `data-run-ms`, the time from
    /// the start of the run to its last step.
    fn write_timing(&self) -> Result<(), JsValue> {
        let check = &self.controls.check;
        if self.timing.draws > 0 {
            let mean = self.timing.draw_total_ms / f64::from(self.timing.draws);
            check.set_attribute("data-draw-ms", &format!("{mean:.4}"))?;
            check.set_attribute("data-draws", &self.timing.draws.to_string())?;
        }
        if self.timing.run_finished && check.get_attribute("data-run-ms").is_none() {
            let elapsed = now() - self.timing.run_started_ms;
            check.set_attribute("data-run-ms", &format!("{elapsed:.1}"))?;
        }
        Ok(())
    }

    /// One animation frame: step within the time budget, then draw if anything changed.
    fn frame(&mut self) -> Result<(), JsValue> {
        let window = page::window()?;
        let steps = self.settings.steps;
        if self.playing {
            let start = now();
            let mut done = 0;
            while done < self.steps_per_frame {
                let chunk = self
                    .steps_per_clock_check()
                    .min(self.steps_per_frame - done);
                for side in &mut self.sides {
                    side.advance(chunk, steps);
                }
                done += chunk;
                if now() - start > FRAME_BUDGET_MS {
                    break;
                }
            }
            if self.sides.iter().all(|s| s.finished(steps)) {
                self.playing = false;
                self.write_play_button();
                self.timing.run_finished = true;
                if !self.measured {
                    self.measured = true;
                    self.measure()?;
                }
            }
            self.needs_draw = true;
        }

        let dark = page::prefers_dark();
        if dark != self.dark {
            self.dark = dark;
            self.needs_draw = true;
            self.quality_needs_draw = true;
        }
        let pixel_ratio = window.device_pixel_ratio().max(1.0);
        for side in &self.sides {
            self.needs_draw |= side.fit_canvas(pixel_ratio);
        }
        self.quality_needs_draw |= self.quality.fit_canvases(pixel_ratio);
        if self.quality_needs_draw {
            let theme = if self.dark { Theme::DARK } else { Theme::LIGHT };
            self.quality.draw(theme, pixel_ratio)?;
            self.quality_needs_draw = false;
        }
        if self.needs_draw {
            let start = now();
            self.draw(pixel_ratio)?;
            self.timing.draw_total_ms += now() - start;
            self.timing.draws += 1;
            self.needs_draw = false;
            self.write_timing()?;
        }
        Ok(())
    }

    fn draw(&self, pixel_ratio: f64) -> Result<(), JsValue> {
        let theme = if self.dark { Theme::DARK } else { Theme::LIGHT };
        let log = self.settings.log_y;
        let shared = YAxis::fitting(self.sides.iter().flat_map(Side::axis_curves), log);
        for side in &self.sides {
            let y = if self.controls.shared_y.checked() {
                shared
            } else {
                YAxis::fitting(side.axis_curves(), log)
            };
            let steps = self.settings.steps;
            side.draw(
                &side.panel(steps, y, theme, pixel_ratio),
                side.objective_panel(steps, theme, pixel_ratio).as_ref(),
            )?;
            side.write_readout(self.settings.steps);
        }
        Ok(())
    }
}

/// Attaches a handler to every control.
fn wire(app: &Rc<RefCell<App>>) -> Result<(), JsValue> {
    let sliders = SLIDERS.iter().map(|(id, _, _)| *id);
    let keys = sliders
        .chain(NUMBERS.iter().map(|(id, _)| *id))
        .chain(["log_y", "published_sweep"]);
    for key in SELECTORS {
        listen(app, key, "change", move |app| app.on_setting(key))?;
    }
    for key in keys {
        let input: HtmlInputElement = element(key)?;
        // Every control applies when committed: a slider when it is let go (or at each key
        // press), so that dragging restarts the run once, not at every pixel.
        listen(app, key, "change", move |app| app.on_setting(key))?;
        if input.type_() == "range" {
            // While dragging, the readout follows the slider.
            let log = SLIDERS.iter().any(|(id, _, _)| *id == key);
            listen(app, key, "input", move |_| {
                if !log {
                    return show_slider_value(key, &input.value());
                }
                let position: f64 = input.value().parse().unwrap_or(f64::NAN);
                show_slider_value(
                    key,
                    &super::compact(round_significant(10f64.powf(position), 3)),
                )
            })?;
        }
    }
    listen(app, "play", "click", App::on_play)?;
    listen(app, "step", "click", |app| {
        app.on_step();
        Ok(())
    })?;
    listen(app, "reset", "click", |app| app.restart_all(None))?;
    listen(app, "speed", "input", |app| {
        app.read_speed();
        Ok(())
    })?;
    listen(app, "download-csv", "click", |app| {
        let runs: Vec<_> = app
            .sides
            .iter()
            .map(|s| (s.slot, *s.trainer().estimator(), s.trainer().steps_taken()))
            .collect();
        export::download_csv(&app.settings, &runs)
    })?;
    listen(app, "download-png", "click", |app| {
        let canvases: Vec<_> = app.sides.iter().map(|s| &s.canvas).collect();
        let estimators: Vec<_> = app.sides.iter().map(|s| *s.trainer().estimator()).collect();
        export::download_png(&app.settings, &estimators, &canvases)
    })?;
    listen(app, "copy-link", "click", |_| export::copy_link())?;
    listen(app, "measure", "click", App::measure)?;
    listen(app, "best_learning_rates", "click", App::on_best_rates)?;
    listen(app, "shared_y", "change", |app| {
        app.needs_draw = true;
        Ok(())
    })?;
    Ok(())
}

/// Calls `handler` on the app whenever `event` fires on element `id`; an error goes to the
/// page's error box.
fn listen(
    app: &Rc<RefCell<App>>,
    id: &str,
    event: &str,
    handler: impl Fn(&mut App) -> Result<(), JsValue> + 'static,
) -> Result<(), JsValue> {
    let app = Rc::clone(app);
    let callback = Closure::<dyn FnMut()>::new(move || {
        let result = match app.try_borrow_mut() {
            Ok(mut app) => handler(&mut app),
            Err(_) => Ok(()), // re-entered from within a handler: nothing to do twice
        };
        if let Err(error) = result {
            page::show_error(&format!("{error:?}"));
        }
    });
    element::<HtmlElement>(id)?
        .add_event_listener_with_callback(event, callback.as_ref().unchecked_ref())?;
    // The controls live as long as the page, and so must their handlers.
    callback.forget();
    Ok(())
}

/// Runs `App::frame` on every animation frame for the life of the page.
fn animate(app: Rc<RefCell<App>>) -> Result<(), JsValue> {
    type Callback = Closure<dyn FnMut()>;
    let slot: Rc<RefCell<Option<Callback>>> = Rc::new(RefCell::new(None));
    let next = Rc::clone(&slot);
    *slot.borrow_mut() = Some(Closure::new(move || {
        if let Err(error) = app.borrow_mut().frame() {
            page::show_error(&format!("The demo stopped: {error:?}"));
            return;
        }
        if let (Some(callback), Ok(window)) = (next.borrow().as_ref(), page::window()) {
            let _ = window.request_animation_frame(callback.as_ref().unchecked_ref());
        }
    }));
    let window = page::window()?;
    let first = slot.borrow();
    let callback = first
        .as_ref()
        .ok_or_else(|| JsValue::from_str("the animation callback is missing"))?;
    window.request_animation_frame(callback.as_ref().unchecked_ref())?;
    Ok(())
}

/// Milliseconds from the page's high-resolution clock (0 where it has none).
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Shows a log-scale slider's value beside it and to assistive technology, which would
/// otherwise read out the slider's position, a logarithm.
fn show_slider_value(id: &str, text: &str) -> Result<(), JsValue> {
    element::<HtmlElement>(&format!("{id}-value"))?.set_text_content(Some(text));
    element::<HtmlElement>(id)?.set_attribute("aria-valuetext", text)
}

/// How a setting is named in a ghost's label.
fn label(key: &str) -> &str {
    match key {
        "temperature" => "T",
        "step_size" => "α",
        "left_learning_rate" | "right_learning_rate" => "learning rate",
        "loss_epsilon" => "loss ε",
        "categories" => "K",
        "trials" => "N",
        "left" | "right" => "estimator",
        other => other,
    }
}
