//! The dataset panel: generate sessions, import a CSV (appended), clear.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use campus_occupancy::GenerateConfig;
use web_sys::File;

use campus_jobs::format::group;

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

#[component]
pub fn DataPanel(props: &DataProps) -> Html {
    let seed = use_state(|| "42".to_owned());
    let sessions = use_state(|| "5000".to_owned());
    let parsed_seed = seed
        .trim()
        .parse::<u64>()
        .map_err(|_| "Seed must be a whole number from 0".to_owned());
    let parsed_sessions = sessions
        .trim()
        .replace([',', '_'], "")
        .parse::<usize>()
        .map_err(|_| "Sessions must be a whole number".to_owned())
        .and_then(|n| {
            if (10..=200_000).contains(&n) {
                Ok(n)
            } else {
                Err("Sessions must be between 10 and 200,000".to_owned())
            }
        });
    let valid = parsed_seed.is_ok() && parsed_sessions.is_ok();
    let on_seed = {
        let seed = seed.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                seed.set(input.value());
            }
        })
    };
    let on_sessions = {
        let sessions = sessions.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                sessions.set(input.value());
            }
        })
    };
    let on_submit = {
        let on_generate = props.on_generate.clone();
        let (seed, n) = (parsed_seed.clone(), parsed_sessions.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let (Ok(seed), Ok(n_sessions)) = (&seed, &n) {
                on_generate.emit(GenerateConfig {
                    seed: *seed,
                    n_sessions: *n_sessions,
                    ..GenerateConfig::default()
                });
            }
        })
    };
    let on_import = {
        let on_import = props.on_import.clone();
        Callback::from(move |e: Event| {
            if let Some(file) = take_file(&e) {
                on_import.emit(file);
            }
        })
    };
    let on_clear = props.on_clear.reform(|_: MouseEvent| ());
    let disabled = !props.ready || props.busy;
    html! {
        <form class="occ-panel" onsubmit={on_submit} novalidate=true>
            <fieldset>
                <legend>{ "1. Class sessions" }</legend>
                <div class="fields">
                    <div class={classes!("field", parsed_seed.is_err().then_some("invalid"))}>
                        <label for="occ-seed">{ "Seed" }</label>
                        <input id="occ-seed" inputmode="numeric" value={(*seed).clone()} oninput={on_seed}
                            data-testid="occ-seed" />
                        if let Err(message) = &parsed_seed { <p class="field-error">{ message }</p> }
                    </div>
                    <div class={classes!("field", parsed_sessions.is_err().then_some("invalid"))}>
                        <label for="occ-sessions">{ "Sessions" }</label>
                        <input id="occ-sessions" inputmode="numeric" value={(*sessions).clone()} oninput={on_sessions}
                            data-testid="occ-sessions" />
                        if let Err(message) = &parsed_sessions { <p class="field-error">{ message }</p> }
                    </div>
                    <div class="field">
                        <label for="occ-import-csv">{ "Add sessions from a CSV file" }</label>
                        <input id="occ-import-csv" type="file" accept=".csv,text/csv" onchange={on_import}
                            disabled={disabled} data-testid="occ-import-csv" />
                    </div>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" disabled={disabled || !valid} data-testid="occ-generate">
                        { "Generate sessions" }
                    </button>
                    <button type="button" onclick={on_clear} disabled={props.busy || props.n_rows == 0}
                        data-testid="occ-clear">{ "Clear data" }</button>
                </div>
                <p data-testid="occ-rows" data-rows={props.n_rows.to_string()}>
                    { match props.overcrowded_share {
                        Some(share) => format!("{} sessions in the dataset · {:.1}% overcrowded", group(props.n_rows as u64), share * 100.0),
                        None => "No sessions yet: generate some or add a CSV file in the layout \
                                 date,time,school,venue,venue_capacity,weekday,semester_day,exam_week,\
                                 enrolled_students,prev_attendance,rolling_avg_3,rolling_avg_5,trend_delta,actual_attendance.".to_owned(),
                    } }
                </p>
            </fieldset>
        </form>
    }
}
