//! The progress bar and cancel button of a running job.

use yew::prelude::*;

use crate::generator::state::{JobKind, Running};
use campus_jobs::format::group;

#[derive(PartialEq, Properties)]
pub struct ProgressProps {
    pub running: Running,
    pub on_cancel: Callback<()>,
}

#[component]
pub fn ProgressView(props: &ProgressProps) -> Html {
    let r = &props.running;
    let what = match r.kind {
        JobKind::Sql if r.workers > 1 => {
            &format!("Generating Create_FullDB.sql on {} workers", r.workers)
        }
        JobKind::Sql => "Generating Create_FullDB.sql",
        JobKind::CsvZip => "Zipping the CSV files",
        JobKind::Exports => "Writing the registrar's exports",
        JobKind::Sessions => "Counting the lectures' attendance",
    };
    let percent = if r.rows_total == 0 {
        0.0
    } else {
        r.rows_done as f64 * 100.0 / r.rows_total as f64
    };
    let on_cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
        <section class="progress" aria-live="polite" data-testid="progress">
            <label for="job-progress">{ what }</label>
            <progress id="job-progress" max="100" value={format!("{percent:.1}")}></progress>
            <p data-testid="progress-text">
                { format!("{} of {} rows · {:.1} MB", group(r.rows_done), group(r.rows_total), r.bytes as f64 / 1e6) }
            </p>
            <button type="button" class="danger" onclick={on_cancel} data-testid="cancel">{ "Cancel" }</button>
        </section>
    }
}
