//! Downloads and the link: the curves on screen as CSV, both panels as one PNG, and the
//! address of the exact state.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, HtmlAnchorElement, HtmlCanvasElement, Url,
};

use super::page::{self, element};
use crate::settings::Slot;
use crate::{Curve, Estimator, Settings};

/// The name a download is saved under: the two estimators with their parameters and the
/// problem, so that different comparisons never overwrite each other.
pub fn file_name(settings: &Settings, runs: &[Estimator], extension: &str) -> String {
    let estimators: Vec<String> = runs
        .iter()
        .map(|e| format!("{}-{}", e.name(), e.parameter()))
        .collect();
    let (left, right) = (settings.left_learning_rate, settings.right_learning_rate);
    let rates = if left == right {
        left.to_string()
    } else {
        format!("{left}-{right}")
    };
    let optimiser = match settings.optimiser {
        crate::Optimiser::Sgd => String::new(),
        other => format!("-{}", other.name()),
    };
    let epsilon = if settings.loss_epsilon == crate::PUBLISHED_LOSS_EPSILON {
        String::new()
    } else {
        format!("-eps{:e}", settings.loss_epsilon)
    };
    format!(
        "{}-lr{rates}{optimiser}{epsilon}-K{}-N{}-seed{}.{extension}",
        estimators.join("-vs-"),
        settings.categories,
        settings.trials,
        settings.seed
    )
}

/// Recomputes each panel's run up to the step it has reached (the same seed gives the same
/// numbers) and offers them as a CSV file in the command line's format.
pub fn download_csv(settings: &Settings, runs: &[(Slot, Estimator, u64)]) -> Result<(), JsValue> {
    let curves = runs
        .iter()
        .map(|&(slot, estimator, steps)| {
            let config = crate::Config {
                steps,
                ..settings.config(slot)
            };
            crate::curve(config, estimator, |_| {})
        })
        .collect::<Result<Vec<Curve>, _>>()
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let mut text = Vec::new();
    crate::write_csv(&curves, &mut text).map_err(|e| JsValue::from_str(&e.to_string()))?;

    let options = BlobPropertyBag::new();
    options.set_type("text/csv");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(text.as_slice()));
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let estimators: Vec<Estimator> = runs.iter().map(|(_, e, _)| *e).collect();
    let result = click_download(&url, &file_name(settings, &estimators, "csv"));
    Url::revoke_object_url(&url)?;
    result
}

/// Draws the panels side by side on one canvas and offers it as a PNG file.
pub fn download_png(
    settings: &Settings,
    estimators: &[Estimator],
    canvases: &[&HtmlCanvasElement],
) -> Result<(), JsValue> {
    let width: u32 = canvases.iter().map(|c| c.width()).sum();
    let height = canvases.iter().map(|c| c.height()).max().unwrap_or(0);
    let sheet: HtmlCanvasElement = page::document()?.create_element("canvas")?.dyn_into()?;
    sheet.set_width(width);
    sheet.set_height(height);
    let context: CanvasRenderingContext2d = sheet
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2D context for the PNG"))?
        .dyn_into()?;
    let mut left = 0.0;
    for canvas in canvases {
        context.draw_image_with_html_canvas_element(canvas, left, 0.0)?;
        left += f64::from(canvas.width());
    }
    click_download(
        &sheet.to_data_url()?,
        &file_name(settings, estimators, "png"),
    )
}

/// Copies the page's address to the clipboard, or shows it for copying by hand where the
/// browser will not allow that.
pub fn copy_link() -> Result<(), JsValue> {
    let window = page::window()?;
    let link = window.location().href()?;
    let status: web_sys::HtmlElement = element("export-status")?;
    let promise = window.navigator().clipboard().write_text(&link);
    let done = status.clone();
    let failed = status.clone();
    let shown = link.clone();
    let on_done = wasm_bindgen::closure::Closure::once(move |_: JsValue| {
        done.set_text_content(Some("Link copied."));
    });
    let on_failed = wasm_bindgen::closure::Closure::once(move |_: JsValue| {
        failed.set_text_content(Some(&format!("Copy this link: {shown}")));
    });
    let _ = promise.then2(&on_done, &on_failed);
    on_done.forget();
    on_failed.forget();
    Ok(())
}

fn click_download(href: &str, name: &str) -> Result<(), JsValue> {
    let anchor: HtmlAnchorElement = page::document()?.create_element("a")?.dyn_into()?;
    anchor.set_href(href);
    anchor.set_download(name);
    anchor.click();
    let status: web_sys::HtmlElement = element("export-status")?;
    status.set_text_content(Some(&format!("Saved {name}.")));
    Ok(())
}
