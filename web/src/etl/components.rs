//! The workbench section: inputs, progress, per-file previews, correlation, attack demo, report
//! and downloads. Components only render state and turn events into actions or worker commands.

mod attack;
mod columns;
mod correlation;
mod files;
mod inputs;
mod options;
mod outputs;
mod status;
mod steps;

use yew::prelude::*;

use campus_etl::FileKind;

use super::grading::{Grading, use_handover};
use super::handover::Handover;
use super::hook::use_etl;
use super::state::EtlState;
use attack::AttackPanel;
use columns::ColumnsPanel;
use correlation::Correlation;
use files::FilesView;
use inputs::Inputs;
use options::RunOptionsPanel;
use outputs::Outputs;
use status::{Actions, Status};
use steps::StepsView;

/// A full-precision number as the CLI prints it (`{:?}`: the shortest text that reads back exactly).
pub fn full(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:?}"))
}

fn megabytes(bytes: f64) -> String {
    format!("{:.2} MB", bytes / 1e6)
}

fn test_key(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Students => "students",
        FileKind::Attendance => "attendance",
        FileKind::Exams => "exams",
        FileKind::Placements => "placements",
    }
}

const LEDE: &str = "Load the four student-record exports (students, attendance, exam results, placements — \
    package_lpa is the offer in lakh rupees per annum, LPA, as Indian placement cells report it). The page \
    replaces identity with a hash, joins it into the other tables, checks quality, measures how \
    attendance relates to marks and stages it all for MySQL — in a worker, file slice by file slice, \
    without uploading anything.";

#[derive(PartialEq, Properties)]
pub struct WorkbenchProps {
    /// Exports another section handed over, taken as if chosen here.
    #[prop_or_default]
    pub handed: Option<Handover>,
}

#[component]
pub fn Workbench(props: &WorkbenchProps) -> Html {
    let state = use_reducer(EtlState::default);
    let etl = use_etl(state.dispatcher());
    let dispatch = state.dispatcher();
    let answer_key = use_handover(props.handed.clone(), dispatch.clone());
    let busy = state.running.is_some() || state.attack.as_ref().is_some_and(|a| a.running);
    // A finished run's files table is shown where the user will see it.
    use_effect_with(state.run_id, |run| {
        if *run > 0 {
            crate::shared::reveal("etl-counts");
        }
    });
    html! {
        <section id="etl" aria-labelledby="etl-title" data-testid="etl" data-ready={state.worker_ready.to_string()}
            data-running={state.running.is_some().to_string()} data-run={state.run_id.to_string()}>
            <h1 id="etl-title">{ campus_jobs::route::Section::Etl.heading() }</h1>
            <p class="lede">{ LEDE }</p>
            <Inputs inputs={state.inputs.clone()} {busy} dispatch={dispatch.clone()} />
            <RunOptionsPanel choices={state.choices.clone()} dispatch={dispatch.clone()} />
            <ColumnsPanel columns={state.choices.columns.clone()} inputs={state.inputs.clone()}
                headers={state.input_headers()} {dispatch} />
            <Actions state={state.clone()} etl={etl.clone()} {busy} />
            <Status state={state.clone()} etl={etl.clone()} {busy} />
            if let Some(verdict) = state.bad_rows_verdict() {
                <BadRowsVerdict {verdict} />
            }
            if !state.files.is_empty() {
                <FilesView files={state.files.clone()} />
            }
            if let Some(steps) = &state.steps {
                <StepsView steps={steps.clone()} />
            }
            if let Some(analysis) = &state.analysis {
                <Correlation analysis={analysis.clone()} />
                <AttackPanel attack={state.attack.clone()} keyed={state.choices.keyed} {busy}
                    etl={etl.clone()} />
            }
            if let Some(answer_key) = answer_key {
                <Grading {answer_key} files={state.files.clone()} run={u64::from(state.run_id)} />
            }
            <Outputs downloads={state.downloads.clone()} markdown={state.markdown.clone()} />
        </section>
    }
}

#[derive(PartialEq, Properties)]
struct VerdictProps {
    verdict: Result<String, String>,
}

/// Whether the finished run's rejected rows are within the allowance, as the CLI's exit status
/// would say.
#[component]
fn BadRowsVerdict(props: &VerdictProps) -> Html {
    match &props.verdict {
        Ok(account) => html! {
            <p class="notice" data-testid="etl-bad-rows-verdict" data-failed="false">{ account.clone() }</p>
        },
        Err(failure) => html! {
            <p class="notice error" role="alert" data-testid="etl-bad-rows-verdict" data-failed="true">
                { failure.clone() }</p>
        },
    }
}
