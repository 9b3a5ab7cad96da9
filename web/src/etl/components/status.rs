//! A run's controls and state: the run and sample buttons, progress with cancel, the error
//! notice and the throughput of the last first pass.

use yew::prelude::*;

use campus_etl::FileKind;
use campus_jobs::format::group;

use super::megabytes;
use crate::etl::hook::EtlHandle;
use crate::etl::state::{EtlAction, EtlState};

#[derive(PartialEq, Properties)]
pub struct StatusProps {
    pub state: UseReducerHandle<EtlState>,
    pub etl: EtlHandle,
    pub busy: bool,
}

#[component]
pub fn Actions(props: &StatusProps) -> Html {
    let (state, etl, busy) = (&props.state, &props.etl, props.busy);
    let keyed_without_secret = state.choices.keyed && state.choices.secret.is_empty();
    let has_students = state.inputs.iter().any(|f| f.kind == FileKind::Students);
    let on_run = {
        let (etl, inputs, choices) = (etl.clone(), state.inputs.clone(), state.choices.clone());
        Callback::from(move |_: MouseEvent| etl.run(inputs.clone(), choices.run_options()))
    };
    let on_sample = {
        let (etl, choices) = (etl.clone(), state.choices.clone());
        Callback::from(move |_: MouseEvent| etl.sample(choices.dirty, choices.sample_options()))
    };
    html! {
        <div class="actions">
            <button type="button" class="primary" onclick={on_run} data-testid="etl-run"
                disabled={busy || !state.worker_ready || !has_students || keyed_without_secret
                    || state.choices.columns.error().is_some()}>{ "Run the ETL" }</button>
            { " " }
            <button type="button" class="secondary" onclick={on_sample} data-testid="etl-sample"
                disabled={busy || !state.worker_ready || keyed_without_secret}>{ "Use sample data" }</button>
            if !has_students && !state.inputs.is_empty() {
                <p class="hint">{ "Add the students master file: every other file is joined to it." }</p>
            }
            if keyed_without_secret {
                <p class="hint">{ "Type a secret for the keyed hash." }</p>
            }
        </div>
    }
}

#[component]
pub fn Status(props: &StatusProps) -> Html {
    let state = &props.state;
    let on_cancel = {
        let etl = props.etl.clone();
        Callback::from(move |_: MouseEvent| etl.cancel())
    };
    let on_dismiss = {
        let dispatch = props.state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(EtlAction::DismissError))
    };
    html! {
        <>
            if let Some(running) = &state.running {
                <section class="progress" aria-live="polite" data-testid="etl-progress">
                    <label for="etl-job-progress">{ &running.phase }</label>
                    <progress id="etl-job-progress" max="100"
                        value={format!("{:.1}", if running.bytes_total > 0.0 { running.bytes_done * 100.0 / running.bytes_total } else { 0.0 })}></progress>
                    <p>{ format!("{} of {}", megabytes(running.bytes_done), megabytes(running.bytes_total)) }</p>
                    <button type="button" class="danger" onclick={on_cancel} data-testid="etl-cancel">{ "Cancel" }</button>
                </section>
            }
            if let Some(error) = &state.error {
                <div class="notice error" role="alert" data-testid="etl-error">
                    <span>{ error }</span>
                    <button type="button" class="secondary" onclick={on_dismiss}>{ "Dismiss" }</button>
                </div>
            }
            if let Some((rows, bytes, ms, compute)) = state.throughput.filter(|_| state.running.is_none()) {
                <p class="timing" data-testid="etl-throughput">
                    { format!("Read, hashed and joined {} rows ({}) in {:.0} ms", group(rows), megabytes(bytes), ms) }
                    if ms > 0.0 && compute > 0.0 {
                        { format!(": {} rows/s, {:.1} MB/s (the worker computed for {:.0} ms: {:.1} MB/s).",
                            group((rows as f64 * 1000.0 / ms) as u64), bytes / 1e3 / ms, compute, bytes / 1e3 / compute) }
                    }
                </p>
            }
        </>
    }
}
