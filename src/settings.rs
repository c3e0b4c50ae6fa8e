//! The demo's settings and their form in a link: parsed leniently (a bad value is replaced and
//! reported, never fatal) and written back canonically. The allowed values are those of
//! [`parameter`], the same the library and the command line check.

use std::fmt;

use crate::error::ParameterError;
use crate::estimator::{Estimator, EstimatorKind};
use crate::optimiser::Optimiser;
use crate::parameter::{self, Parameter};
use crate::toy_problem::Config;

/// Which of the page's two panels: the left one (Gumbel-Softmax by default) or the right one
/// (ILS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Left,
    Right,
}

impl Slot {
    /// Both panels, left first.
    pub const BOTH: [Self; 2] = [Self::Left, Self::Right];

    /// The prefix of the panel's settings in a link and of its element ids on the page.
    pub fn key(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Right => "right",
        }
    }
}

/// Everything that determines the two curves the page shows. [`Default`] is the published
/// experiment: `T = 1`, `alpha = 0.01`, plain SGD at learning rate 0.01 on both sides,
/// 50,000 steps, `K = N = 5`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// The estimator of the left panel; Gumbel-Softmax by default.
    pub left: EstimatorKind,
    /// The estimator of the right panel; ILS by default.
    pub right: EstimatorKind,
    pub temperature: f64,
    pub step_size: f64,
    pub baseline_decay: f64,
    /// The learning rate of the left panel's run: each panel has its own, so that each
    /// estimator can run at a rate that suits it.
    pub left_learning_rate: f64,
    /// The learning rate of the right panel's run.
    pub right_learning_rate: f64,
    /// How both panels turn a gradient estimate into a step; plain SGD as published.
    pub optimiser: Optimiser,
    /// The epsilon in the loss's `ln(draw + epsilon)`: it sets the size of the gradient the
    /// ILS step sees, about `t / epsilon`.
    pub loss_epsilon: f64,
    pub steps: u64,
    pub categories: usize,
    pub trials: usize,
    pub seed: u64,
    /// Draw the KL on a logarithmic axis.
    pub log_y: bool,
    /// Overlay, faintly, each panel's estimator at the published values of its parameter.
    pub published_sweep: bool,
}

impl Default for Settings {
    fn default() -> Self {
        let config = Config::default();
        Self {
            left: EstimatorKind::GumbelSoftmax,
            right: EstimatorKind::Ils,
            temperature: 1.0,
            step_size: 0.01,
            baseline_decay: 0.9,
            left_learning_rate: config.learning_rate,
            right_learning_rate: config.learning_rate,
            optimiser: config.optimiser,
            loss_epsilon: config.loss_epsilon,
            steps: config.steps,
            categories: config.categories,
            trials: config.trials,
            seed: config.seed,
            log_y: false,
            published_sweep: false,
        }
    }
}

/// The settings' names in a link, in the order a link lists them.
pub const KEYS: [&str; 15] = [
    "left",
    "right",
    "temperature",
    "step_size",
    "baseline_decay",
    "optimiser",
    "left_learning_rate",
    "right_learning_rate",
    "loss_epsilon",
    "steps",
    "categories",
    "trials",
    "seed",
    "log_y",
    "published_sweep",
];

/// A setting that was given a value it cannot take, and what was used instead.
#[derive(Clone, Debug, PartialEq)]
pub struct Adjustment {
    pub key: String,
    pub given: String,
    pub reason: &'static str,
    /// The value used instead, as text; `None` when the key itself was ignored.
    pub used: Option<String>,
}

impl Adjustment {
    /// The same adjustment reported under `key`: for settings that share a parameter's range
    /// but not its name.
    fn for_key(self, key: &str) -> Self {
        Self {
            key: key.to_owned(),
            ..self
        }
    }
}

impl fmt::Display for Adjustment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let given = shorten(&self.given);
        match &self.used {
            Some(used) => write!(f, "{}={given} {}; using {used}", self.key, self.reason),
            None => write!(f, "{}={given} {}; ignored", shorten(&self.key), self.reason),
        }
    }
}

/// At most 40 characters of a value, so a pasted essay cannot flood the notice.
fn shorten(text: &str) -> String {
    let mut visible = text.chars().filter(|c| is_visible(*c));
    let mut short: String = visible.by_ref().take(40).collect();
    if visible.next().is_some() {
        short.push('…');
    }
    short
}

/// Control and invisible formatting characters (a right-to-left override, say) are dropped
/// from notices, so they cannot rearrange the rest of the text.
fn is_visible(c: char) -> bool {
    !c.is_control()
        && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Keys that sites and newsletters add to links on their own: ignored without a notice, so
/// that a reader arriving from a social network is not warned about something they did not do.
fn is_tracking_key(key: &str) -> bool {
    key.starts_with("utm_") || matches!(key, "fbclid" | "gclid" | "msclkid" | "ref")
}

impl Settings {
    /// Reads settings from a query string such as `temperature=0.5&seed=3` (a leading `?` is
    /// allowed). Missing keys keep their defaults; a value that is not a number, not whole
    /// where it must be, or out of range is clamped or replaced, and each such change is
    /// returned so that the page can say what it did.
    pub fn from_query(query: &str) -> (Self, Vec<Adjustment>) {
        let query = query.strip_prefix('?').unwrap_or(query);
        // The last value of a repeated key counts, as in most web frameworks.
        let mut pairs: Vec<(String, String, usize)> = Vec::new();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if is_tracking_key(&key) {
                continue;
            }
            match pairs.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, last, count)) => {
                    *last = value.into_owned();
                    *count += 1;
                }
                None => pairs.push((key.into_owned(), value.into_owned(), 1)),
            }
        }

        let mut settings = Self::default();
        // Each notice with the position of its key in the link, so that they read in order.
        let mut adjustments: Vec<(usize, Adjustment)> = Vec::new();
        let mut ordered: Vec<_> = pairs.into_iter().enumerate().collect();
        // An old link's learning_rate sets both panels; a panel's own rate, wherever it
        // stands in the link, then overrides it for that panel.
        ordered.sort_by_key(|(_, (key, _, _))| key != "learning_rate");
        for (position, (key, value, count)) in ordered {
            if count > 1 {
                let repeated = Adjustment {
                    key: key.clone(),
                    given: value.clone(),
                    reason: "is the last of several values",
                    used: Some("it".to_owned()),
                };
                adjustments.push((position, repeated));
            }
            if let Err(adjustment) = settings.set(&key, &value) {
                adjustments.push((position, adjustment));
            }
        }
        adjustments.sort_by_key(|(position, _)| *position);
        let adjustments = adjustments.into_iter().map(|(_, a)| a).collect();
        (settings, adjustments)
    }

    /// Sets the setting `key` from text. On a bad value the setting is clamped into range, or
    /// left as it was if the text is not a number, and the change is returned as an error.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), Adjustment> {
        match key {
            "left" => set_kind(key, value, &mut self.left),
            "right" => set_kind(key, value, &mut self.right),
            "temperature" => set_real(parameter::TEMPERATURE, value, &mut self.temperature),
            "baseline_decay" => {
                set_real(parameter::BASELINE_DECAY, value, &mut self.baseline_decay)
            }
            "step_size" => set_real(parameter::STEP_SIZE, value, &mut self.step_size),
            "optimiser" => set_optimiser(key, value, &mut self.optimiser),
            "left_learning_rate" => set_real(
                parameter::LEARNING_RATE,
                value,
                &mut self.left_learning_rate,
            )
            .map_err(|a| a.for_key(key)),
            "right_learning_rate" => set_real(
                parameter::LEARNING_RATE,
                value,
                &mut self.right_learning_rate,
            )
            .map_err(|a| a.for_key(key)),
            // Links made before each panel had its own learning rate set both at once.
            "learning_rate" => {
                let mut rate = self.left_learning_rate;
                let result = set_real(parameter::LEARNING_RATE, value, &mut rate);
                // Text that is no number changes neither panel.
                if value.trim().parse::<f64>().is_ok_and(|v| !v.is_nan()) {
                    self.left_learning_rate = rate;
                    self.right_learning_rate = rate;
                }
                result
            }
            "loss_epsilon" => set_real(parameter::LOSS_EPSILON, value, &mut self.loss_epsilon),
            "steps" => set_whole(parameter::STEPS, value, &mut self.steps),
            "categories" => set_count(parameter::CATEGORIES, value, &mut self.categories),
            "trials" => set_count(parameter::TRIALS, value, &mut self.trials),
            "seed" => set_whole(parameter::SEED, value, &mut self.seed),
            "log_y" => set_flag(key, value, &mut self.log_y),
            "published_sweep" => set_flag(key, value, &mut self.published_sweep),
            _ => Err(Adjustment {
                key: key.to_owned(),
                given: value.to_owned(),
                reason: "is not a setting of this page",
                used: None,
            }),
        }
    }

    /// The value of the setting `key` as a link writes it, or `None` for an unknown key.
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "left" => self.left.name().to_owned(),
            "right" => self.right.name().to_owned(),
            "temperature" => self.temperature.to_string(),
            "baseline_decay" => self.baseline_decay.to_string(),
            "step_size" => self.step_size.to_string(),
            "optimiser" => self.optimiser.name().to_owned(),
            "left_learning_rate" => self.left_learning_rate.to_string(),
            "right_learning_rate" => self.right_learning_rate.to_string(),
            "loss_epsilon" => self.loss_epsilon.to_string(),
            "steps" => self.steps.to_string(),
            "categories" => self.categories.to_string(),
            "trials" => self.trials.to_string(),
            "seed" => self.seed.to_string(),
            "log_y" => u8::from(self.log_y).to_string(),
            "published_sweep" => u8::from(self.published_sweep).to_string(),
            _ => return None,
        })
    }

    /// The settings as a query string, every key of [`KEYS`] present.
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for key in KEYS {
            if let Some(value) = self.get(key) {
                query.append_pair(key, &value);
            }
        }
        query.finish()
    }

    /// The toy problem these settings describe, as the panel `slot` trains on it (the panels
    /// differ in their learning rates only).
    pub fn config(&self, slot: Slot) -> Config {
        Config {
            trials: self.trials,
            categories: self.categories,
            steps: self.steps,
            learning_rate: self.learning_rate(slot),
            loss_epsilon: self.loss_epsilon,
            seed: self.seed,
            optimiser: self.optimiser,
        }
    }

    /// The estimator the panel `slot` shows.
    pub fn kind(&self, slot: Slot) -> EstimatorKind {
        match slot {
            Slot::Left => self.left,
            Slot::Right => self.right,
        }
    }

    /// The learning rate of the panel `slot`.
    pub fn learning_rate(&self, slot: Slot) -> f64 {
        match slot {
            Slot::Left => self.left_learning_rate,
            Slot::Right => self.right_learning_rate,
        }
    }

    /// The estimator of kind `kind` with these settings' parameters (and the published ILS
    /// epsilon).
    ///
    /// # Errors
    /// Never for settings built by this module, whose values lie in the parameters' ranges.
    pub fn estimator(&self, kind: EstimatorKind) -> Result<Estimator, ParameterError> {
        kind.build(
            self.temperature,
            self.step_size,
            crate::ils::PUBLISHED_EPSILON,
            self.baseline_decay,
        )
    }
}

/// Parses `text` into `target` if it is an allowed value of `parameter`; otherwise sets the
/// nearest allowed value (or keeps the old one, for text that is no number) and says so.
fn set_real(parameter: Parameter, text: &str, target: &mut f64) -> Result<(), Adjustment> {
    let adjustment = |reason, used: f64| Adjustment {
        key: parameter.key.to_owned(),
        given: text.to_owned(),
        reason,
        used: Some(used.to_string()),
    };
    let value = match text.trim().parse::<f64>() {
        Ok(value) if !value.is_nan() => value,
        _ => return Err(adjustment("is not a number", *target)),
    };
    if parameter.check(value).is_ok() {
        // + 0.0 turns -0 into 0, so a link never carries a negative zero.
        *target = value + 0.0;
        return Ok(());
    }
    *target = parameter.nearest(value);
    let reason = if value < parameter.min {
        "is below the smallest allowed value"
    } else if value > parameter.max {
        "is above the largest allowed value"
    } else {
        "is not a whole number"
    };
    Err(adjustment(reason, *target))
}

fn set_flag(key: &str, text: &str, target: &mut bool) -> Result<(), Adjustment> {
    match text {
        "1" | "true" | "0" | "false" => {
            *target = matches!(text, "1" | "true");
            Ok(())
        }
        _ => Err(Adjustment {
            key: key.to_owned(),
            given: text.to_owned(),
            reason: "is not 0 or 1",
            used: Some(u8::from(*target).to_string()),
        }),
    }
}

fn set_optimiser(key: &str, text: &str, target: &mut Optimiser) -> Result<(), Adjustment> {
    match Optimiser::from_name(text.trim()) {
        Some(optimiser) => {
            *target = optimiser;
            Ok(())
        }
        None => Err(Adjustment {
            key: key.to_owned(),
            given: text.to_owned(),
            reason: "is not an optimiser of this page (sgd, normalised-sgd or adam)",
            used: Some(target.name().to_owned()),
        }),
    }
}

fn set_kind(key: &str, text: &str, target: &mut EstimatorKind) -> Result<(), Adjustment> {
    match EstimatorKind::from_name(text.trim()) {
        Some(kind) => {
            *target = kind;
            Ok(())
        }
        None => Err(Adjustment {
            key: key.to_owned(),
            given: text.to_owned(),
            reason: "is not an estimator of this page",
            used: Some(target.name().to_owned()),
        }),
    }
}

fn set_whole(parameter: Parameter, text: &str, target: &mut u64) -> Result<(), Adjustment> {
    let mut value = *target as f64;
    let result = set_real(parameter, text, &mut value);
    *target = value as u64;
    result
}

fn set_count(parameter: Parameter, text: &str, target: &mut usize) -> Result<(), Adjustment> {
    let mut value = *target as f64;
    let result = set_real(parameter, text, &mut value);
    *target = value as usize;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parameter::{STEP_SIZE, TEMPERATURE};

    #[test]
    fn round_trip_of_every_setting() {
        let settings = Settings {
            left: EstimatorKind::ScoreFunction,
            right: EstimatorKind::IlsExact,
            temperature: 0.25,
            step_size: 1e-7,
            baseline_decay: 0.5,
            optimiser: Optimiser::NormalisedSgd,
            left_learning_rate: 0.5,
            right_learning_rate: 2.0,
            loss_epsilon: 1e-3,
            steps: 200_000,
            categories: 12,
            trials: 3,
            seed: 9_007_199_254_740_991,
            log_y: true,
            published_sweep: true,
        };
        let query = settings.to_query();
        assert_eq!(
            query,
            "left=score-function&right=ils-exact&temperature=0.25&step_size=0.0000001\
             &baseline_decay=0.5&optimiser=normalised-sgd&left_learning_rate=0.5\
             &right_learning_rate=2&loss_epsilon=0.001&steps=200000&categories=12\
             &trials=3&seed=9007199254740991&log_y=1&published_sweep=1"
        );
        assert_eq!(Settings::from_query(&query), (settings, vec![]));
        assert_eq!(Settings::from_query("?"), (Settings::default(), vec![]));
    }

    #[test]
    fn bad_values_are_clamped_and_reported() {
        let (settings, adjustments) = Settings::from_query(
            "temperature=abc&step_size=NaN&learning_rate=-1&steps=1e308&categories=2.5\
             &trials=Infinity&seed=-0&log_y=yes&colour=red&left=softmax",
        );
        let expected = Settings {
            left_learning_rate: parameter::LEARNING_RATE.min,
            right_learning_rate: parameter::LEARNING_RATE.min,
            steps: 10_000_000,
            categories: 3,
            trials: 100,
            ..Settings::default()
        };
        assert_eq!(settings, expected);
        let messages: Vec<String> = adjustments.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "temperature=abc is not a number; using 1",
                "step_size=NaN is not a number; using 0.01",
                "learning_rate=-1 is below the smallest allowed value; using 0.000000001",
                "steps=1e308 is above the largest allowed value; using 10000000",
                "categories=2.5 is not a whole number; using 3",
                "trials=Infinity is above the largest allowed value; using 100",
                "log_y=yes is not 0 or 1; using 0",
                "colour=red is not a setting of this page; ignored",
                "left=softmax is not an estimator of this page; using gumbel-softmax",
            ]
        );
    }

    #[test]
    fn repeated_keys_take_the_last_value() {
        let (settings, adjustments) = Settings::from_query("seed=1&seed=2");
        assert_eq!(settings.seed, 2);
        assert_eq!(adjustments.len(), 1);
        assert_eq!(
            adjustments[0].to_string(),
            "seed=2 is the last of several values; using it"
        );
        // A bad last value gets one notice for repeating and one for being bad, not a
        // contradiction.
        let (settings, adjustments) = Settings::from_query("seed=1&seed=abc");
        assert_eq!(settings.seed, 0);
        let messages: Vec<String> = adjustments.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "seed=abc is the last of several values; using it",
                "seed=abc is not a number; using 0"
            ]
        );
    }

    #[test]
    fn tracking_keys_are_ignored_quietly_and_control_characters_dropped() {
        let (settings, adjustments) =
            Settings::from_query("utm_source=x&fbclid=abc&seed=4&temperature=1%E2%80%AEx");
        assert_eq!(settings.seed, 4);
        assert_eq!(adjustments.len(), 1);
        assert_eq!(
            adjustments[0].to_string(),
            "temperature=1x is not a number; using 1"
        );
    }

    #[test]
    fn long_and_script_like_values_are_shortened_in_notices() {
        let long = "<script>alert(1)</script>".repeat(20);
        let (settings, adjustments) = Settings::from_query(&format!("temperature={long}"));
        assert_eq!(settings, Settings::default());
        let message = adjustments[0].to_string();
        assert!(message.chars().count() < 100, "{message}");
        assert!(
            message.starts_with("temperature=<script>alert(1)</script><script>alert(1… is not"),
            "{message}"
        );
    }

    #[test]
    fn every_allowed_setting_builds_its_estimators() {
        for (t, a) in [
            (TEMPERATURE.min, STEP_SIZE.min),
            (TEMPERATURE.max, STEP_SIZE.max),
        ] {
            let settings = Settings {
                temperature: t,
                step_size: a,
                ..Settings::default()
            };
            for kind in EstimatorKind::ALL {
                assert!(settings.estimator(kind).is_ok(), "{kind:?}");
            }
            for slot in Slot::BOTH {
                assert!(settings.config(slot).validate().is_ok());
            }
        }
    }

    #[test]
    fn each_panel_has_its_own_learning_rate_and_old_links_set_both() {
        let (settings, adjustments) =
            Settings::from_query("left_learning_rate=1.5&right_learning_rate=-3&optimiser=adam");
        assert_eq!(settings.config(Slot::Left).learning_rate, 1.5);
        assert_eq!(
            settings.config(Slot::Right).learning_rate,
            parameter::LEARNING_RATE.min
        );
        assert_eq!(settings.config(Slot::Right).optimiser, Optimiser::Adam);
        let messages: Vec<String> = adjustments.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            ["right_learning_rate=-3 is below the smallest allowed value; using 0.000000001"]
        );

        let (settings, _) = Settings::from_query("learning_rate=0.2");
        assert_eq!(
            (settings.left_learning_rate, settings.right_learning_rate),
            (0.2, 0.2)
        );
        assert!(!settings.to_query().contains("&learning_rate="));

        // A panel's own rate overrides the old key for that panel, wherever it stands.
        for link in [
            "left_learning_rate=0.7&learning_rate=0.3",
            "learning_rate=0.3&left_learning_rate=0.7",
        ] {
            let (settings, adjustments) = Settings::from_query(link);
            assert_eq!(
                (settings.left_learning_rate, settings.right_learning_rate),
                (0.7, 0.3)
            );
            assert_eq!(adjustments, []);
        }
        // Text that is no number leaves both rates alone.
        let (settings, adjustments) = Settings::from_query("learning_rate=abc");
        assert_eq!(
            (settings.left_learning_rate, settings.right_learning_rate),
            (0.01, 0.01)
        );
        assert_eq!(adjustments.len(), 1);

        let (settings, adjustments) = Settings::from_query("optimiser=rmsprop");
        assert_eq!(settings.optimiser, Optimiser::Sgd);
        assert_eq!(
            adjustments[0].to_string(),
            "optimiser=rmsprop is not an optimiser of this page (sgd, normalised-sgd or adam); \
             using sgd"
        );
    }
}
