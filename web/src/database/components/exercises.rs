//! The exercises: a question, the student's query, the verdict from comparing result sets, and
//! the pack as Markdown with or without answers.

use wasm_bindgen::JsCast;
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use campus_jobs::db::page::pack_markdown;

use super::super::hook::{DbHandle, offer};
use super::super::state::{Action, Busy, DbState};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<DbState>,
    pub handle: DbHandle,
}

#[component]
pub fn Exercises(props: &Props) -> Html {
    let state = &props.state;
    let exercises = state.exercises();
    let on_select = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: Event| {
            let idx = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
                .and_then(|s| s.value().parse().ok());
            if let Some(idx) = idx {
                dispatch.dispatch(Action::SelectExercise(idx));
            }
        })
    };
    let on_answer = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
            {
                dispatch.dispatch(Action::Answer(area.value()));
            }
        })
    };
    let on_check = {
        let (handle, state) = (props.handle.clone(), state.clone());
        Callback::from(move |_: MouseEvent| handle.check(&state))
    };
    let pack = |with: bool| {
        Callback::from(move |_: MouseEvent| {
            let name = if with {
                "exercises-with-answers.md"
            } else {
                "exercises.md"
            };
            let _ = offer(name, "text/markdown", pack_markdown(with).as_bytes());
        })
    };
    let current = state.current_exercise();
    let checking = state.busy == Some(Busy::Checking);
    html! {
        <fieldset class="db-exercises" data-testid="db-exercises">
            <legend>{ "Exercises" }</legend>
            <div class="preview-controls">
                <label for="db-exercise">{ "Question" }</label>
                <select id="db-exercise" onchange={on_select} data-testid="db-exercise">
                    { for exercises.iter().enumerate().map(|(i, e)| html! {
                        <option value={i.to_string()} selected={i == state.exercise}>
                            { format!("{}. {}", i + 1, e.title) }</option>
                    }) }
                </select>
            </div>
            if let Some(exercise) = current {
                <p class="db-question" data-testid="db-question">{ exercise.question }</p>
                <p class="hint">{ format!("Practises: {}.", exercise.topics.join(", ")) }</p>
            }
            <label for="db-answer">{ "Your query" }</label>
            <textarea id="db-answer" class="db-editor" rows="5" spellcheck="false"
                value={state.answer.clone()} oninput={on_answer} data-testid="db-answer" />
            <div class="actions">
                <button type="button" class="primary" onclick={on_check}
                    disabled={!state.idle() || !state.loaded() || state.answer.trim().is_empty()}
                    data-testid="db-check">{ if checking { "Checking…" } else { "Check" } }</button>
                <button type="button" onclick={pack(false)} data-testid="db-pack">{ "Download the questions" }</button>
                <button type="button" onclick={pack(true)} data-testid="db-pack-answers">{ "…with answers" }</button>
            </div>
            if let Some((correct, text)) = state.verdict_text() {
                <p class={if correct { "notice" } else { "notice error" }} role="status"
                    data-testid="db-verdict" data-correct={correct.to_string()}>{ text }</p>
            }
        </fieldset>
    }
}
