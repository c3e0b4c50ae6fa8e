//! Finding the page's elements and writing messages into it.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, HtmlElement, Window};

pub fn window() -> Result<Window, JsValue> {
    web_sys::window().ok_or_else(|| JsValue::from_str("there is no window"))
}

pub fn document() -> Result<Document, JsValue> {
    window()?
        .document()
        .ok_or_else(|| JsValue::from_str("there is no document"))
}

/// The element with `id`, as the type it must be.
pub fn element<T: JsCast>(id: &str) -> Result<T, JsValue> {
    document()?
        .get_element_by_id(id)
        .ok_or_else(|| JsValue::from_str(&format!("the page has no element #{id}")))?
        .dyn_into::<T>()
        .map_err(|_| JsValue::from_str(&format!("#{id} is not the kind of element expected")))
}

/// Shows `lines` in the box `id` (as text, never as markup), or hides it if there are none.
pub fn show_lines(id: &str, lines: &[String]) -> Result<(), JsValue> {
    let target: HtmlElement = element(id)?;
    let document = document()?;
    target.set_text_content(None);
    for line in lines {
        let paragraph = document.create_element("p")?;
        paragraph.set_text_content(Some(line));
        target.append_child(&paragraph)?;
    }
    target.set_hidden(lines.is_empty());
    Ok(())
}

/// Whether the reader's colour scheme is dark.
pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|query| query.matches())
}

/// Hides the "loading" message that a page without WebAssembly keeps showing.
pub fn hide_fallback() -> Result<(), JsValue> {
    element::<HtmlElement>("fallback")?.set_hidden(true);
    Ok(())
}

/// Shows `message` in the error box, as best it can: this runs after failures.
pub fn show_error(message: &str) {
    let _ = hide_fallback();
    if show_lines("error", &[message.to_owned()]).is_err() {
        web_sys::console::error_1(&message.into());
    }
}
