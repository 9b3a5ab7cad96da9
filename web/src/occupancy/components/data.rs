//! The dataset panel: generate sessions, import a CSV (appended), clear (after a second click).

use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use campus_jobs::occupancy::generate_form::{GenerateField, GenerateForm};
use campus_jobs::occupancy::view::{CSV_LAYOUT, data_summary};
use campus_occupancy::GenerateConfig;

use super::field::{TextField, on_value, text_field};

#[derive(PartialEq, Properties)]
pub struct DataProps {
    pub n_rows: usize,
    pub overcrowded_share: Option<f64>,
    pub ready: bool,
    pub busy: bool,
    /// The Clear button was pressed once: ask again.
    pub confirm_clear: bool,
    pub on_generate: Callback<GenerateConfig>,
    pub on_import: Callback<File>,
    /// `false` asks, `true` clears.
    pub on_clear: Callback<bool>,
    pub on_keep: Callback<()>,
}

/// A file input's change handler that hands the chosen file to `on_file`; the input is reset
/// so the same file can be chosen again.
pub fn on_file_chosen(on_file: &Callback<File>) -> Callback<Event> {
    let on_file = on_file.clone();
    Callback::from(move |e: Event| {
        let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
            return;
        };
        let file = input.files().and_then(|files| files.get(0));
        input.set_value("");
        if let Some(file) = file {
            on_file.emit(file);
        }
    })
}

/// One text field of the generation form, with its problem under it.
fn generate_field(form: &UseStateHandle<GenerateForm>, field: GenerateField) -> Html {
    let (id, label, value) = match field {
        GenerateField::Seed => ("occ-seed", "Seed", form.seed.clone()),
        GenerateField::Sessions => ("occ-sessions", "Sessions", form.sessions.clone()),
    };
    let view = TextField {
        id,
        label,
        value,
        error: form.error(field),
        inputmode: "numeric",
        disabled: false,
    };
    text_field(
        view,
        on_value(form, move |f: &mut GenerateForm, v| match field {
            GenerateField::Seed => f.seed = v,
            GenerateField::Sessions => f.sessions = v,
        }),
    )
}

/// Clear, or the question whether to.
fn clear_view(props: &DataProps) -> Html {
    if props.confirm_clear {
        return html! {
            <span class="confirm" role="group" aria-label="Confirm clearing the data">
                { format!("Really clear all {} sessions? ", props.n_rows) }
                <button type="button" class="danger" data-testid="occ-confirm-clear" onclick={props.on_clear.reform(|_: MouseEvent| true)}>{ "Clear" }</button>
                <button type="button" data-testid="occ-keep-data" onclick={props.on_keep.reform(|_: MouseEvent| ())}>{ "Keep" }</button>
            </span>
        };
    }
    html! {
        <button type="button" onclick={props.on_clear.reform(|_: MouseEvent| false)}
            disabled={props.busy || props.n_rows == 0} data-testid="occ-clear">{ "Clear data" }</button>
    }
}

#[component]
pub fn DataPanel(props: &DataProps) -> Html {
    let form = use_state(GenerateForm::default);
    let parsed = form.parse();
    let on_submit = {
        let (on_generate, parsed) = (props.on_generate.clone(), parsed.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Ok(config) = &parsed {
                on_generate.emit(config.clone());
            }
        })
    };
    let disabled = !props.ready || props.busy;
    html! {
        <>
        <h2 id="occ-data-title">{ "1. Class sessions" }</h2>
        <form class="occ-panel" onsubmit={on_submit} novalidate=true>
            <fieldset aria-labelledby="occ-data-title">
                <div class="fields">
                    { generate_field(&form, GenerateField::Seed) }
                    { generate_field(&form, GenerateField::Sessions) }
                    <div class="field">
                        <label for="occ-import-csv">{ "Add sessions from a CSV file" }</label>
                        <input id="occ-import-csv" type="file" accept=".csv,text/csv" onchange={on_file_chosen(&props.on_import)}
                            disabled={disabled} data-testid="occ-import-csv" />
                    </div>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" disabled={disabled || parsed.is_err()} data-testid="occ-generate">
                        { "Generate sessions" }
                    </button>
                    { clear_view(props) }
                </div>
                <p data-testid="occ-rows" data-rows={props.n_rows.to_string()}>
                    { match data_summary(props.n_rows, props.overcrowded_share) {
                        Some(summary) => html! { summary },
                        None => html! { <>{ "No sessions yet: generate some or add a CSV file with the header " }
                            <code class="occ-layout" data-testid="occ-layout">{ CSV_LAYOUT }</code></> },
                    } }
                </p>
            </fieldset>
        </form>
        </>
    }
}
