//! One labelled text field with its problem under it, marked for assistive technology
//! (`aria-invalid`, `aria-describedby`), and the handlers that copy an edit into a form.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// What a text field shows.
pub struct TextField<'a> {
    /// Element id and test id; the problem's id is this plus `-error`.
    pub id: &'a str,
    pub label: &'a str,
    pub value: String,
    pub error: Option<String>,
    pub inputmode: &'static str,
    pub disabled: bool,
}

pub fn text_field(f: TextField<'_>, oninput: Callback<InputEvent>) -> Html {
    let error_id = format!("{}-error", f.id);
    let invalid = f.error.is_some();
    html! {
        <div class={classes!("field", invalid.then_some("invalid"))}>
            <label for={f.id.to_owned()}>{ f.label }</label>
            <input id={f.id.to_owned()} data-testid={f.id.to_owned()} value={f.value} inputmode={f.inputmode}
                disabled={f.disabled} {oninput} aria-invalid={invalid.then_some("true")}
                aria-describedby={invalid.then(|| error_id.clone())} />
            if let Some(message) = f.error {
                <p class="field-error" id={error_id.clone()} data-testid={error_id}>{ message }</p>
            }
        </div>
    }
}

/// The value of the input or select an event came from.
fn value_of(event: &Event) -> Option<String> {
    let target = event.target()?;
    target
        .dyn_ref::<HtmlInputElement>()
        .map(HtmlInputElement::value)
        .or_else(|| {
            target
                .dyn_ref::<HtmlSelectElement>()
                .map(HtmlSelectElement::value)
        })
}

/// A handler that applies the edited value to a copy of the form and stores it.
pub fn on_value<E: AsRef<Event> + 'static, F: Clone + 'static>(
    form: &UseStateHandle<F>,
    apply: impl Fn(&mut F, String) + 'static,
) -> Callback<E> {
    let form = form.clone();
    Callback::from(move |e: E| {
        if let Some(value) = value_of(e.as_ref()) {
            let mut next = (*form).clone();
            apply(&mut next, value);
            form.set(next);
        }
    })
}

/// A choice among `(value, text)` options.
pub fn select<'a>(
    id: &str,
    label: &str,
    value: &str,
    options: impl IntoIterator<Item = (&'a str, &'a str)>,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <div class="field">
            <label for={id.to_owned()}>{ label }</label>
            <select id={id.to_owned()} data-testid={id.to_owned()} {onchange}>
                { for options.into_iter().map(|(v, text)| html! { <option value={v.to_owned()} selected={v == value}>{ text }</option> }) }
            </select>
        </div>
    }
}
