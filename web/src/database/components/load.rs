//! Loading the generated university (seed and size), its progress and cancel; saving and opening
//! `.sqlite` files.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::super::hook::DbHandle;
use super::super::state::{Action, Busy, DbState};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<DbState>,
    pub handle: DbHandle,
    /// What the other sections left to add ([`crate::shared::handoff::version`]).
    pub handoff: u32,
}

fn input_value(event: &InputEvent) -> String {
    event
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// Opens the chosen `.sqlite` file (and clears the picker, so the same file can be chosen again).
fn open_file(handle: DbHandle) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let input = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
        if let Some(input) = input {
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                handle.open(file);
            }
            input.set_value("");
        }
    })
}

#[component]
pub fn LoadPanel(props: &Props) -> Html {
    let state = &props.state;
    let dispatch = state.dispatcher();
    let on_seed = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: InputEvent| dispatch.dispatch(Action::SetSeed(input_value(&e))))
    };
    let on_students = Callback::from(move |e: InputEvent| {
        dispatch.dispatch(Action::SetStudents(input_value(&e)))
    });
    let on_load = {
        let (handle, state) = (props.handle.clone(), state.clone());
        Callback::from(move |_: MouseEvent| handle.load(&state))
    };
    let on_stop = {
        let handle = props.handle.clone();
        Callback::from(move |_: MouseEvent| handle.stop())
    };
    let on_save = {
        let handle = props.handle.clone();
        Callback::from(move |_: MouseEvent| handle.save())
    };
    let on_open = open_file(props.handle.clone());
    let idle = state.idle();
    let loading = state.busy == Some(Busy::Loading);
    let progress = state.progress.as_ref();
    html! {
        <fieldset class="db-load">
            <legend>{ "The database" }</legend>
            <p class="hint" data-testid="db-sizes">{ format!("The same university as the Generator section's for \
                the same seed and students. {}", state.sizes_text()) }</p>
            <div class="fields">
                <div class="field">
                    <label for="db-seed">{ "Seed" }</label>
                    <input id="db-seed" inputmode="numeric" value={state.seed.clone()} oninput={on_seed}
                        data-testid="db-seed" />
                </div>
                <div class="field">
                    <label for="db-students">{ "Students" }</label>
                    <input id="db-students" inputmode="numeric" value={state.students.clone()}
                        oninput={on_students} data-testid="db-students" />
                </div>
            </div>
            if let Some(error) = &state.form_error {
                <p class="field-error" role="alert" data-testid="db-form-error">{ error }</p>
            }
            <div class="actions">
                <button type="button" class="primary" onclick={on_load} disabled={!idle}
                    data-testid="db-load">{ "Load the university" }</button>
                if loading || state.busy == Some(Busy::Adding) {
                    <button type="button" class="danger" onclick={on_stop.clone()}
                        data-testid="db-load-cancel">{ "Cancel" }</button>
                }
                <button type="button" onclick={on_save} disabled={!idle || !state.loaded()}
                    data-testid="db-save">{ "Save as .sqlite" }</button>
                <label class="button db-open">{ "Open a .sqlite file" }
                    <input type="file" accept=".sqlite,.db,.sqlite3,application/vnd.sqlite3"
                        onchange={on_open} disabled={!idle} data-testid="db-open" />
                </label>
            </div>
            if let (Some(text), Some(p)) = (state.progress_text(), progress) {
                <div class="progress" data-testid="db-progress">
                    <label for="db-progress-bar">{ text }</label>
                    <progress id="db-progress-bar" max={p.rows_total.max(1).to_string()}
                        value={p.rows_done.to_string()}></progress>
                </div>
            }
            <AddPanel state={state.clone()} handle={props.handle.clone()} handoff={props.handoff} />
            <p class="db-summary" data-testid="db-summary">{ state.summary() }</p>
            <TableList state={state.clone()} />
        </fieldset>
    }
}

/// The tables, each a button that puts a first look at it into the console.
#[component]
fn TableList(props: &TableProps) -> Html {
    let state = &props.state;
    if state.tables.is_empty() {
        return html! {};
    }
    let button = |t: &campus_jobs::db::TableRows| {
        let dispatch = state.dispatcher();
        let sql = campus_jobs::db::page::table_example(&t.name);
        let onclick =
            Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Example(sql.clone())));
        html! {
            <li><button type="button" class="db-table" onclick={onclick}
                title={format!("Put SELECT * FROM {} into the console", t.name)}>
                { &t.name }<span class="hint">{ format!(" {}", campus_jobs::format::group(t.rows)) }</span>
            </button></li>
        }
    };
    html! {
        <details class="db-tables" data-testid="db-tables">
            <summary>{ "Tables (click one for an example query)" }</summary>
            <ul>{ for state.tables.iter().map(button) }</ul>
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct TableProps {
    state: UseReducerHandle<DbState>,
}

/// Adding what other sections made: the ETL's staging tables, the occupancy sessions.
#[component]
fn AddPanel(props: &Props) -> Html {
    let idle = props.state.idle();
    let staging = crate::shared::handoff::staging().len();
    let sessions = crate::shared::handoff::sessions().len();
    let on_staging = {
        let handle = props.handle.clone();
        Callback::from(move |_: MouseEvent| handle.add_staging())
    };
    let on_sessions = {
        let handle = props.handle.clone();
        Callback::from(move |_: MouseEvent| handle.add_sessions())
    };
    let staging_text = if staging == 0 {
        "Run the ETL section first.".to_owned()
    } else {
        format!("The {staging} files of its last run.")
    };
    let sessions_text = if sessions == 0 {
        "Generate or import sessions in the occupancy section first.".to_owned()
    } else {
        format!("{} sessions.", campus_jobs::format::group(sessions as u64))
    };
    html! {
        <div class="db-add">
            <p><button type="button" onclick={on_staging} disabled={!idle || staging == 0}
                data-testid="db-add-staging" title="stg_students, stg_attendance, stg_exam_results, stg_placements">
                { "Add the ETL's staging tables" }</button>
            { " " }<span class="hint">{ staging_text }</span></p>
            <p><button type="button" onclick={on_sessions} disabled={!idle || sessions == 0}
                data-testid="db-add-sessions" title="The table occupancy_sessions">
                { "Add the occupancy sessions" }</button>
            { " " }<span class="hint">{ sessions_text }</span></p>
        </div>
    }
}
