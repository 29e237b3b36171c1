use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::flow::{Field, Focus};

/// The id every step gives its heading, which receives focus when the step appears.
pub const STEP_HEADING_ID: &str = "sk-step-heading";
/// The step's position ("Step 2 of 5: Amount"), the description of every indicated step's
/// heading, so that it is read once, with the heading that receives focus.
pub const STEP_POSITION_ID: &str = "sk-step-position";
pub const ERROR_SUMMARY_ID: &str = "sk-error-summary";

/// Moves keyboard focus inside `frame`. For a group of choices, focus lands on the chosen one,
/// as it would when tabbing into the group.
pub fn move_focus(frame: &Element, focus: Focus) {
    let candidates = match focus {
        Focus::Heading => vec![format!("#{STEP_HEADING_ID}")],
        Focus::ErrorSummary => vec![format!("#{ERROR_SUMMARY_ID}")],
        Focus::Field(field @ (Field::Option | Field::Amount)) => {
            vec![format!("#{} input:checked", group_id(field)), format!("#{}", field.id())]
        }
        Focus::Field(field) => vec![format!("#{}", field.id())],
    };
    let target = candidates.iter().find_map(|selector| frame.query_selector(selector).ok().flatten());
    if let Some(target) = target {
        target.unchecked_into::<HtmlElement>().focus().ok();
    }
}

/// The fieldset holding a group of radios.
pub fn group_id(field: Field) -> &'static str {
    match field {
        Field::Option => "sk-option",
        _ => "sk-amount",
    }
}

/// The widget frame an element belongs to.
pub fn frame_of(element: &Element) -> Option<Element> {
    element.closest(".sk-frame").ok().flatten()
}
