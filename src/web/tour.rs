//! The guided tour's row of links, and the caption of the stop the page is at.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlAnchorElement, HtmlElement};

use super::page::{document, element};
use crate::settings::Settings;
use crate::tour::{self, Stop};

/// The links, in order, and the box their captions go in.
pub struct Tour {
    stops: Vec<(Stop, HtmlAnchorElement)>,
    caption: HtmlElement,
}

impl Tour {
    /// Writes a link per stop into `#tour-links`. A stop whose caption is missing from the
    /// shipped file is still listed: its caption box then says so.
    pub fn new() -> Result<Self, JsValue> {
        let list: HtmlElement = element("tour-links")?;
        let document = document()?;
        let stops = tour::stops().map_err(|e| JsValue::from_str(&e.to_string()))?;
        let mut links = Vec::with_capacity(stops.len());
        for stop in stops {
            let item = document.create_element("li")?;
            let link: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
            link.set_id(&format!("tour-{}", stop.name));
            // Relative to the page itself, so the links work under any path and in an iframe.
            link.set_href(&format!("?{}", stop.settings.to_query()));
            link.set_text_content(Some(stop.title));
            item.append_child(&link)?;
            list.append_child(&item)?;
            links.push((stop, link));
        }
        Ok(Self {
            stops: links,
            caption: element("tour-caption")?,
        })
    }

    /// Marks the stop whose settings are `settings`, if any, and shows its caption. The scale
    /// of the KL axis is a matter of display: a stop viewed on the other scale is still that
    /// stop.
    pub fn show(&self, settings: &Settings) -> Result<(), JsValue> {
        let mut current = None;
        for (stop, link) in &self.stops {
            let viewed = Settings {
                log_y: stop.settings.log_y,
                ..*settings
            };
            if stop.settings == viewed {
                link.set_attribute("aria-current", "true")?;
                current = Some(stop);
            } else {
                link.remove_attribute("aria-current")?;
            }
        }
        let text = match current {
            Some(stop) => tour::shipped_caption(stop.name)
                .unwrap_or(
                    "This stop's caption is missing from assets/tour.txt, which ils tour writes.",
                )
                .to_owned(),
            None => "Each link above opens the page at settings that show one finding, \
                     with a caption of what to look for."
                .to_owned(),
        };
        self.caption.set_text_content(Some(&text));
        let _ = self
            .caption
            .class_list()
            .toggle_with_force("current", current.is_some());
        Ok(())
    }
}
