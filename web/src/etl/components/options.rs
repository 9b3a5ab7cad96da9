//! The run's options: plain or keyed hash (with its secret), de-identification, the rejected
//! rows a run may have, dirty samples.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::etl::state::{Choices, EtlAction, EtlState};

#[derive(PartialEq, Properties)]
pub struct OptionsProps {
    pub choices: Choices,
    pub dispatch: UseReducerDispatcher<EtlState>,
}

fn input_of(event: &Event) -> Option<HtmlInputElement> {
    event
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
}

const WHY_KEYED: &str = "Why keyed? Roll numbers are sequential (AKTU003-CSE-2023-1001, …1002, … in the format of \
    AKTU, the Uttar Pradesh technical university whose exports these mimic) and birthdates fall in a \
    few years, so anyone can hash every candidate and look the plain SHA-256 up: it is a pseudonym, \
    not anonymity. The attack demo below does exactly that. With a secret key the dictionary is \
    useless. The secret stays in this tab's memory and the worker's; it is never stored and never \
    written to any output.";

#[component]
pub fn RunOptionsPanel(props: &OptionsProps) -> Html {
    let dispatch = &props.dispatch;
    let on_keyed = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            let keyed = input_of(&event).is_some_and(|i| i.value() == "keyed");
            dispatch.dispatch(EtlAction::SetKeyed(keyed));
        })
    };
    let checkbox = |action: fn(bool) -> EtlAction| {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            let checked = input_of(&event).is_some_and(|i| i.checked());
            dispatch.dispatch(action(checked));
        })
    };
    let on_secret = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                dispatch.dispatch(EtlAction::SetSecret(input.value()));
            }
        })
    };
    let on_max_bad_rows = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                dispatch.dispatch(EtlAction::SetMaxBadRows(input.value()));
            }
        })
    };
    let choices = &props.choices;
    html! {
        <>
        <fieldset class="etl-options">
            <legend>{ "Student hash" }</legend>
            <label><input type="radio" name="etl-hash" value="sha256" checked={!choices.keyed}
                onchange={on_keyed.clone()} data-testid="etl-hash-sha256" />{ " SHA-256 of college_code-roll_no-dob, as the original pandas notebook computes it (bit-exact with Python)" }</label>
            <label><input type="radio" name="etl-hash" value="keyed" checked={choices.keyed}
                onchange={on_keyed} data-testid="etl-hash-keyed" />{ " Keyed HMAC-SHA-256" }</label>
            if choices.keyed {
                <label class="etl-secret">{ "Secret " }
                    <input type="password" autocomplete="off" value={choices.secret.clone()} oninput={on_secret}
                        data-testid="etl-secret" />
                </label>
            }
            <p class="hint">{ WHY_KEYED }</p>
            <label><input type="checkbox" checked={choices.deidentify}
                onchange={checkbox(EtlAction::SetDeidentify)} data-testid="etl-deidentify" />
                { " Drop roll_no and dob from the outputs after hashing" }</label>
        </fieldset>
        <fieldset class="etl-options">
            <legend>{ "Rejected rows" }</legend>
            <label>{ "Rows a run may reject and still count as done " }
                <input type="text" inputmode="decimal" autocomplete="off" spellcheck="false"
                    placeholder="0" value={choices.max_bad_rows.clone()} oninput={on_max_bad_rows}
                    data-testid="etl-max-bad-rows" />
            </label>
            <p class="hint">{ "A number of rows or a percentage (10 or 0.5%), like the CLI's                 --max-bad-rows. Rejected rows are always counted per file below; beyond this                 allowance the run counts as failed." }</p>
        </fieldset>
        <fieldset class="etl-options">
            <legend>{ "Sample data" }</legend>
            <label><input type="checkbox" checked={choices.dirty}
                onchange={checkbox(EtlAction::SetDirty)} data-testid="etl-dirty" />
                { " With typical dirt (duplicates, orphans, blank totals, BOM, CRLF)" }</label>
            <p class="hint">{ "\"Use sample data\" makes the four exports in this page and runs them; \
                the dirty ones show what the quality checks catch." }</p>
        </fieldset>
        </>
    }
}
