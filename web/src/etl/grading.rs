//! The workbench's side of a hand-over, and the grading of its quality report against the
//! generator's answer key (`campus_jobs::etl::grade` decides; this draws).

use web_sys::Blob;
use yew::prelude::*;

use campus_jobs::etl::grade::{LineGrade, grade, parse_answer_key, rows};

use super::handover::{Handover, etl_actions};
use super::state::{EtlAction, EtlState, FileView};

/// Takes handed exports as the inputs; returns the answer key that came with them.
#[hook]
pub fn use_handover(
    handed: Option<Handover>,
    dispatch: UseReducerDispatcher<EtlState>,
) -> Option<Blob> {
    let key = use_state(|| None::<Blob>);
    {
        let key = key.clone();
        use_effect_with(handed, move |handed| {
            if let Some(Handover::Exports {
                files, answer_key, ..
            }) = handed
            {
                for action in etl_actions(files) {
                    dispatch.dispatch(action);
                }
                // With an answer key, the run keeps every flagged line so it can be graded.
                dispatch.dispatch(EtlAction::SetLineGrading(answer_key.is_some()));
                key.set(answer_key.clone());
            }
        });
    }
    (*key).clone()
}

#[derive(PartialEq, Properties)]
pub struct GradingProps {
    pub answer_key: Blob,
    pub files: Vec<FileView>,
    /// The run the files come from.
    pub run: u64,
}

/// The answer key against the report: planted, found and missed per kind, and false flags.
#[component]
pub fn Grading(props: &GradingProps) -> Html {
    let text = use_state(|| None::<String>);
    {
        let text = text.clone();
        use_effect_with(props.answer_key.clone(), move |blob| {
            let blob = gloo_file::Blob::from(blob.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let read = gloo_file::futures::read_as_text(&blob).await;
                text.set(read.ok());
            });
        });
    }
    if props.files.is_empty() || props.run == 0 {
        return html! {
            <p class="hint" data-testid="etl-grading-wait">{ "Run the workbench: its quality report will be graded against the generator's answer key." }</p>
        };
    }
    let Some(text) = (*text).clone() else {
        return Html::default();
    };
    let key = match parse_answer_key(&text) {
        Ok(key) => key,
        Err(message) => return html! { <p class="field-error">{ message }</p> },
    };
    let reports: Vec<_> = props.files.iter().map(|f| f.report.clone()).collect();
    let grading = grade(&key, &reports);
    html! {
        <section class="grading" aria-labelledby="grading-title" data-testid="etl-grading"
            data-perfect={grading.perfect().to_string()}>
            <h2 id="grading-title">{ "Graded against the answer key" }</h2>
            <table class="counts">
                <thead><tr><th scope="col">{ "Planted defect" }</th><th scope="col" class="num">{ "Planted" }</th>
                    <th scope="col" class="num">{ "Found" }</th><th scope="col" class="num">{ "Missed" }</th></tr></thead>
                <tbody>
                    { for rows(&grading).into_iter().map(|[kind, planted, found, missed]| html! {
                        <tr data-testid="etl-grade-row"><th scope="row">{ kind }</th><td class="num">{ planted }</td>
                            <td class="num" data-testid="etl-grade-found">{ found }</td>
                            <td class="num" data-testid="etl-grade-missed">{ missed }</td></tr>
                    }) }
                </tbody>
            </table>
            if grading.by_line {
                <p data-testid="etl-grade-wrong">{ format!("Clean lines flagged: {}",
                    grading.wrongly_flagged.iter().map(|(_, n)| n).sum::<u64>()) }</p>
                <LineTable lines={grading.lines.clone()} />
            } else {
                <p class="hint">{ "The report keeps a few example lines per finding, so this compares \
                    counts: they tell what was found and what was missed, not whether a clean line \
                    was flagged as well." }</p>
            }
        </section>
    }
}

#[derive(PartialEq, Properties)]
struct LineTableProps {
    lines: Vec<LineGrade>,
}

/// Every planted defect and every clean line flagged, misses and false flags first.
#[component]
fn LineTable(props: &LineTableProps) -> Html {
    html! {
        <details class="grading-lines" open={props.lines.len() <= 50}>
            <summary>{ format!("Line by line ({} lines)", props.lines.len()) }</summary>
            <div class="table-scroll grading-scroll"><table class="counts">
                <thead><tr><th scope="col">{ "Outcome" }</th><th scope="col">{ "File" }</th>
                    <th scope="col" class="num">{ "Line" }</th><th scope="col">{ "Kind" }</th></tr></thead>
                <tbody>{ for props.lines.iter().map(|l| html! {
                    <tr data-testid="etl-grade-line" data-outcome={l.outcome.name()}>
                        <td>{ l.outcome.name() }</td><td>{ l.file.clone() }</td>
                        <td class="num">{ l.line }</td><td>{ l.kind.clone() }</td></tr>
                }) }</tbody>
            </table></div>
        </details>
    }
}
