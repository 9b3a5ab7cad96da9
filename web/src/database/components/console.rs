//! The SQL console: the editor (Ctrl+Enter runs the statement under the cursor), run, run all,
//! stop, examples and history; the answer below it.

use wasm_bindgen::JsCast;
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use campus_jobs::db::page::{EXAMPLES, utf16_to_byte};

use super::super::hook::DbHandle;
use super::super::state::{Action, Busy, DbState};
use super::grid::Answer;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<DbState>,
    pub handle: DbHandle,
}

/// The editor's cursor as a byte offset in its text.
fn cursor(editor: &NodeRef, text: &str) -> Option<usize> {
    let area = editor.cast::<HtmlTextAreaElement>()?;
    let units = area.selection_start().ok().flatten()?;
    Some(utf16_to_byte(text, units as usize))
}

fn selected(event: &Event) -> Option<usize> {
    let select = event.target()?.dyn_into::<HtmlSelectElement>().ok()?;
    let value = select.value();
    select.set_value("");
    value.parse().ok()
}

#[component]
pub fn Console(props: &Props) -> Html {
    let state = &props.state;
    let editor = use_node_ref();
    let run = {
        let (handle, state, editor) = (props.handle.clone(), state.clone(), editor.clone());
        move |all: bool| {
            if state.idle() && state.loaded() {
                let at = if all {
                    None
                } else {
                    cursor(&editor, &state.editor).or(Some(0))
                };
                handle.run(&state.editor, at);
            }
        }
    };
    let on_key = {
        let run = run.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                run(e.shift_key());
            }
        })
    };
    let on_input = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
            {
                dispatch.dispatch(Action::Editor(area.value()));
            }
        })
    };
    let on_run = {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| run(false))
    };
    let on_run_all = Callback::from(move |_: MouseEvent| run(true));
    let on_stop = {
        let handle = props.handle.clone();
        Callback::from(move |_: MouseEvent| handle.stop())
    };
    let can_run = state.idle() && state.loaded();
    let running = state.busy == Some(Busy::Running);
    html! {
        <fieldset class="db-console">
            <legend>{ "SQL console" }</legend>
            <Pickers state={state.clone()} />
            <label for="db-editor" class="db-editor-label">{ "SQL (Ctrl+Enter runs the statement under the cursor, Ctrl+Shift+Enter runs all)" }</label>
            <textarea id="db-editor" class="db-editor" ref={editor} rows="8" spellcheck="false"
                value={state.editor.clone()} oninput={on_input} onkeydown={on_key}
                data-testid="db-editor" />
            <div class="actions">
                <button type="button" class="primary" onclick={on_run} disabled={!can_run}
                    data-testid="db-run">{ "Run statement" }</button>
                <button type="button" onclick={on_run_all} disabled={!can_run}
                    data-testid="db-run-all">{ "Run all" }</button>
                <button type="button" class="danger" onclick={on_stop} disabled={!running}
                    data-testid="db-stop">{ "Stop" }</button>
                if running { <span class="hint" role="status">{ " Running…" }</span> }
                if !state.loaded() && state.worker_ready { <span class="hint">{ " Load or open a database first." }</span> }
            </div>
            <Answer state={state.clone()} handle={props.handle.clone()} />
        </fieldset>
    }
}

#[derive(Properties, PartialEq)]
struct PickerProps {
    state: UseReducerHandle<DbState>,
}

/// The example queries and the history, each a select that puts its pick into the editor.
#[component]
fn Pickers(props: &PickerProps) -> Html {
    let state = &props.state;
    let on_example = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some((_, sql)) = selected(&e).and_then(|i| EXAMPLES.get(i)) {
                dispatch.dispatch(Action::Example((*sql).to_owned()));
            }
        })
    };
    let on_history = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(idx) = selected(&e) {
                dispatch.dispatch(Action::FromHistory(idx));
            }
        })
    };
    let short = |sql: &str| {
        let line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.chars().count() > 70 {
            format!("{}…", line.chars().take(70).collect::<String>())
        } else {
            line
        }
    };
    html! {
        <div class="preview-controls db-pickers">
            <label for="db-examples">{ "Examples" }</label>
            <select id="db-examples" onchange={on_example} data-testid="db-examples">
                <option value="" selected=true>{ "Choose an example…" }</option>
                { for EXAMPLES.iter().enumerate().map(|(i, (label, _))| html! {
                    <option value={i.to_string()}>{ *label }</option>
                }) }
            </select>
            <label for="db-history">{ "History" }</label>
            <select id="db-history" onchange={on_history} disabled={state.history.is_empty()}
                data-testid="db-history">
                <option value="" selected=true>{ format!("Statements run before ({})…", state.history.len()) }</option>
                { for state.history.iter().enumerate().map(|(i, sql)| html! {
                    <option value={i.to_string()}>{ short(sql) }</option>
                }) }
            </select>
        </div>
    }
}
