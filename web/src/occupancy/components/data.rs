//! The dataset panel: generate sessions, import a CSV (appended), clear.

use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use campus_jobs::format::group;
use campus_jobs::occupancy::generate_form::{GenerateField, GenerateForm};
use campus_occupancy::GenerateConfig;

#[derive(PartialEq, Properties)]
pub struct DataProps {
    pub n_rows: usize,
    pub overcrowded_share: Option<f64>,
    pub ready: bool,
    pub busy: bool,
    pub on_generate: Callback<GenerateConfig>,
    pub on_import: Callback<File>,
    pub on_clear: Callback<()>,
}

/// The first file chosen in a file input, which is then reset so the same file can be chosen
/// again.
pub fn take_file(event: &Event) -> Option<File> {
    let input: HtmlInputElement = event.target_dyn_into()?;
    let file = input.files().and_then(|files| files.get(0));
    input.set_value("");
    file
}

/// A file input's change handler that hands the chosen file to `on_file`.
pub fn on_file_chosen(on_file: &Callback<File>) -> Callback<Event> {
    let on_file = on_file.clone();
    Callback::from(move |e: Event| {
        if let Some(file) = take_file(&e) {
            on_file.emit(file);
        }
    })
}

/// One text field of the generation form, with its problem under it.
fn text_field(form: &UseStateHandle<GenerateForm>, field: GenerateField) -> Html {
    let (id, label, value) = match field {
        GenerateField::Seed => ("occ-seed", "Seed", form.seed.clone()),
        GenerateField::Sessions => ("occ-sessions", "Sessions", form.sessions.clone()),
    };
    let oninput = {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let mut next = (*form).clone();
                match field {
                    GenerateField::Seed => next.seed = input.value(),
                    GenerateField::Sessions => next.sessions = input.value(),
                }
                form.set(next);
            }
        })
    };
    let error = form.error(field);
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id}>{ label }</label>
            <input {id} inputmode="numeric" {value} {oninput} data-testid={id} />
            if let Some(message) = error { <p class="field-error">{ message }</p> }
        </div>
    }
}

fn summary(n_rows: usize, overcrowded_share: Option<f64>) -> String {
    match overcrowded_share {
        Some(share) => format!(
            "{} sessions in the dataset · {:.1}% overcrowded",
            group(n_rows as u64),
            share * 100.0
        ),
        None => "No sessions yet: generate some or add a CSV file in the layout \
                 date,time,school,venue,venue_capacity,weekday,semester_day,exam_week,\
                 enrolled_students,prev_attendance,rolling_avg_3,rolling_avg_5,trend_delta,actual_attendance."
            .to_owned(),
    }
}

#[component]
pub fn DataPanel(props: &DataProps) -> Html {
    let form = use_state(GenerateForm::default);
    let parsed = form.parse();
    let on_submit = {
        let on_generate = props.on_generate.clone();
        let parsed = parsed.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Ok(config) = &parsed {
                on_generate.emit(config.clone());
            }
        })
    };
    let on_import = on_file_chosen(&props.on_import);
    let on_clear = props.on_clear.reform(|_: MouseEvent| ());
    let disabled = !props.ready || props.busy;
    html! {
        <form class="occ-panel" onsubmit={on_submit} novalidate=true>
            <fieldset>
                <legend>{ "1. Class sessions" }</legend>
                <div class="fields">
                    { text_field(&form, GenerateField::Seed) }
                    { text_field(&form, GenerateField::Sessions) }
                    <div class="field">
                        <label for="occ-import-csv">{ "Add sessions from a CSV file" }</label>
                        <input id="occ-import-csv" type="file" accept=".csv,text/csv" onchange={on_import}
                            disabled={disabled} data-testid="occ-import-csv" />
                    </div>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" disabled={disabled || parsed.is_err()} data-testid="occ-generate">
                        { "Generate sessions" }
                    </button>
                    <button type="button" onclick={on_clear} disabled={props.busy || props.n_rows == 0}
                        data-testid="occ-clear">{ "Clear data" }</button>
                </div>
                <p data-testid="occ-rows" data-rows={props.n_rows.to_string()}>
                    { summary(props.n_rows, props.overcrowded_share) }
                </p>
            </fieldset>
        </form>
    }
}
