//! The browser demo: two canvases, Gumbel-Softmax and ILS trained live side by side on the same
//! problem, with sliders, a link that reproduces the run, and readable errors.
//!
//! All browser code lives here, compiled only for `wasm32`; the maths and the charts it calls
//! are the same as the command line's.

mod app;
mod canvas;
mod export;
mod page;

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
