//! The demo's settings and their form in a link: parsed leniently (a bad value is replaced and
//! reported, never fatal) and written back canonically. The allowed values are those of
//! [`parameter`], the same the library and the command line check.

use std::fmt;

use crate::error::ParameterError;
use crate::gumbel_softmax::GumbelSoftmax;
use crate::ils::Ils;
use crate::parameter::{self, Parameter};
use crate::toy_problem::Config;

/// Everything that determines the two curves the page shows. [`Default`] is the published
/// experiment: `T = 1`, `alpha = 0.01`, learning rate 0.01, 50,000 steps, `K = N = 5`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub temperature: f64,
    pub step_size: f64,
    pub learning_rate: f64,
    /// The epsilon in the loss's `ln(draw + epsilon)`: it sets the size of the gradient the
    /// ILS step sees, about `t / epsilon`.
    pub loss_epsilon: f64,
    pub steps: u64,
    pub categories: usize,
    pub trials: usize,
    pub seed: u64,
    /// Draw the KL on a logarithmic axis.
    pub log_y: bool,
}

impl Default for Settings {
    fn default() -> Self {
        let config = Config::default();
        Self {
            temperature: 1.0,
            step_size: 0.01,
            learning_rate: config.learning_rate,
            loss_epsilon: config.loss_epsilon,
            steps: config.steps,
            categories: config.categories,
            trials: config.trials,
            seed: config.seed,
            log_y: false,
        }
    }
}

/// A setting that was given a value it cannot take, and what was used instead.
#[derive(Clone, Debug, PartialEq)]
pub struct Adjustment {
    pub key: String,
    pub given: String,
    pub reason: &'static str,
    /// The value used instead, as text; `None` when the key itself was ignored.
    pub used: Option<String>,
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
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

impl Settings {
    /// Reads settings from a query string such as `temperature=0.5&seed=3` (a leading `?` is
    /// allowed). Missing keys keep their defaults; a value that is not a number, not whole
    /// where it must be, or out of range is clamped or replaced, and each such change is
    /// returned so that the page can say what it did.
    pub fn from_query(query: &str) -> (Self, Vec<Adjustment>) {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut settings = Self::default();
        let mut adjustments = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if seen.iter().any(|k| *k == key) {
                adjustments.push(Adjustment {
                    key: key.to_string(),
                    given: value.to_string(),
                    reason: "repeats an earlier value",
                    used: Some("the last one".to_owned()),
                });
            } else {
                seen.push(key.to_string());
            }
            if let Err(adjustment) = settings.set(&key, &value) {
                adjustments.push(adjustment);
            }
        }
        (settings, adjustments)
    }

    /// Sets the setting `key` from text. On a bad value the setting is clamped into range, or
    /// left as it was if the text is not a number, and the change is returned as an error.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), Adjustment> {
        match key {
            "temperature" => set_real(parameter::TEMPERATURE, value, &mut self.temperature),
            "step_size" => set_real(parameter::STEP_SIZE, value, &mut self.step_size),
            "learning_rate" => set_real(parameter::LEARNING_RATE, value, &mut self.learning_rate),
            "loss_epsilon" => set_real(parameter::LOSS_EPSILON, value, &mut self.loss_epsilon),
            "steps" => set_whole(parameter::STEPS, value, &mut self.steps),
            "categories" => set_count(parameter::CATEGORIES, value, &mut self.categories),
            "trials" => set_count(parameter::TRIALS, value, &mut self.trials),
            "seed" => set_whole(parameter::SEED, value, &mut self.seed),
            "log_y" => match value {
                "1" | "true" | "0" | "false" => {
                    self.log_y = matches!(value, "1" | "true");
                    Ok(())
                }
                _ => Err(Adjustment {
                    key: key.to_owned(),
                    given: value.to_owned(),
                    reason: "is not 0 or 1",
                    used: Some(u8::from(self.log_y).to_string()),
                }),
            },
            _ => Err(Adjustment {
                key: key.to_owned(),
                given: value.to_owned(),
                reason: "is not a setting of this page",
                used: None,
            }),
        }
    }

    /// The settings as a query string, every key present.
    pub fn to_query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("temperature", &self.temperature.to_string())
            .append_pair("step_size", &self.step_size.to_string())
            .append_pair("learning_rate", &self.learning_rate.to_string())
            .append_pair("loss_epsilon", &self.loss_epsilon.to_string())
            .append_pair("steps", &self.steps.to_string())
            .append_pair("categories", &self.categories.to_string())
            .append_pair("trials", &self.trials.to_string())
            .append_pair("seed", &self.seed.to_string())
            .append_pair("log_y", if self.log_y { "1" } else { "0" })
            .finish()
    }

    /// The toy problem these settings describe.
    pub fn config(&self) -> Config {
        Config {
            trials: self.trials,
            categories: self.categories,
            steps: self.steps,
            learning_rate: self.learning_rate,
            loss_epsilon: self.loss_epsilon,
            seed: self.seed,
        }
    }

    /// The Gumbel-Softmax estimator at this temperature.
    ///
    /// # Errors
    /// Never for settings built by this module, whose range lies inside the estimator's.
    pub fn gumbel_softmax(&self) -> Result<GumbelSoftmax, ParameterError> {
        GumbelSoftmax::new(self.temperature)
    }

    /// The ILS estimator at this step size, with the published epsilon and logit update.
    ///
    /// # Errors
    /// Never for settings built by this module, whose range lies inside the estimator's.
    pub fn ils(&self) -> Result<Ils, ParameterError> {
        Ils::new(self.step_size)
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
            temperature: 0.25,
            step_size: 1e-7,
            learning_rate: 0.5,
            loss_epsilon: 1e-3,
            steps: 200_000,
            categories: 12,
            trials: 3,
            seed: 9_007_199_254_740_991,
            log_y: true,
        };
        let query = settings.to_query();
        assert_eq!(
            query,
            "temperature=0.25&step_size=0.0000001&learning_rate=0.5&loss_epsilon=0.001\
             &steps=200000&categories=12&trials=3&seed=9007199254740991&log_y=1"
        );
        assert_eq!(Settings::from_query(&query), (settings, vec![]));
        assert_eq!(Settings::from_query("?"), (Settings::default(), vec![]));
    }

    #[test]
    fn bad_values_are_clamped_and_reported() {
        let (settings, adjustments) = Settings::from_query(
            "temperature=abc&step_size=NaN&learning_rate=-1&steps=1e308&categories=2.5\
             &trials=Infinity&seed=-0&log_y=yes&colour=red",
        );
        let expected = Settings {
            learning_rate: parameter::LEARNING_RATE.min,
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
            "seed=2 repeats an earlier value; using the last one"
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
            assert!(settings.gumbel_softmax().is_ok() && settings.ils().is_ok());
            assert!(settings.config().validate().is_ok());
        }
    }
}
