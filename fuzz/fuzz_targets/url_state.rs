//! Any address the page can be opened with: the settings read from it are allowed values,
//! build both estimators and a trainer, and write a link that reads back to the same settings
//! with nothing to report.

#![no_main]

use ils::settings::Slot;
use ils::{Settings, Trainer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let (settings, _) = Settings::from_query(&query);

    for slot in Slot::BOTH {
        let estimator = settings
            .estimator(settings.kind(slot))
            .expect("a parameter from a link is in range");
        Trainer::new(settings.config(slot), estimator).expect("settings from a link are valid");
    }

    let link = settings.to_query();
    let (again, adjustments) = Settings::from_query(&link);
    assert_eq!(again, settings, "{link}");
    assert!(adjustments.is_empty(), "{link}: {adjustments:?}");
});
