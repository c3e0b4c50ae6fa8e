//! The browser demo: two canvases, Gumbel-Softmax and ILS trained live side by side on the same
//! problem, with sliders, a link that reproduces the run, and readable errors.
//!
//! All browser code lives here, compiled only for `wasm32`; the maths and the charts it calls
//! are the same as the command line's.

mod app;
mod canvas;
mod export;
mod page;
mod quality;
mod side;
mod tour;

use crate::format::{group_thousands, round_significant};

/// Starts the demo: called from `main` when the page loads the WebAssembly module.
///
/// A failure to start, or a panic later, is written into the page's error box as well as to
/// the console, so a reader sees a message rather than a frozen page.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        page::show_error(&format!(
            "The demo stopped because of a bug ({info}). Reload the page to start again."
        ));
    }));
    match app::App::start() {
        Ok(()) => web_sys::console::info_1(&"ILS demo started".into()),
        Err(error) => {
            let message = error.as_string().unwrap_or_else(|| format!("{error:?}"));
            web_sys::console::error_1(&format!("ILS demo failed to start: {message}").into());
            page::show_error(&format!("The demo could not start: {message}"));
        }
    }
}

/// A KL for a readout: fixed-point in its usual range, scientific when tiny or huge.
fn format_kl(kl: f64) -> String {
    if kl >= 1e4 {
        format!("{kl:.3e}")
    } else if kl >= 1e-3 {
        format!("{kl:.5}")
    } else {
        format!("{kl:.3e}")
    }
}

/// Matches a canvas's backing store to its size on screen in device pixels, so it stays crisp
/// on a high-density screen; returns whether it changed.
fn fit_canvas(canvas: &web_sys::HtmlCanvasElement, pixel_ratio: f64) -> bool {
    let width = (f64::from(canvas.client_width()) * pixel_ratio).round() as u32;
    let height = (f64::from(canvas.client_height()) * pixel_ratio).round() as u32;
    if width == 0 || height == 0 || (width, height) == (canvas.width(), canvas.height()) {
        return false;
    }
    canvas.set_width(width);
    canvas.set_height(height);
    true
}

/// A setting's value for a readout beside its slider: plain, or scientific when it would need
/// many zeros (`1e-8` rather than `0.00000001`).
fn compact(value: f64) -> String {
    if value != 0.0 && !(1e-3..1e4).contains(&value.abs()) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}
