//! The lesson panel under the results: the planted settings, the registrar's exports and the
//! lectures of the generated university, with the buttons that hand them to the ETL workbench
//! and to the occupancy section, and the lesson's path (its text is `campus_jobs` data).

use web_sys::HtmlInputElement;
use yew::prelude::*;

use campus_jobs::format::group;
use campus_jobs::generate::lesson_form::{LESSON_PATH, LessonField, LessonInput};

use crate::generator::state::{Action, Generated, JobKind, LessonOutput};

#[derive(PartialEq, Properties)]
pub struct LessonProps {
    pub generated: Generated,
    pub lesson: LessonInput,
    pub busy: bool,
    pub on_action: Callback<Action>,
    /// Start the exports or the sessions with the settings shown.
    pub on_make: Callback<JobKind>,
    /// Hand the exports (or the sessions) to their section.
    pub on_open: Callback<JobKind>,
}

#[component]
pub fn LessonPanel(props: &LessonProps) -> Html {
    let parsed = props.lesson.parse();
    let errors = parsed.clone().err().unwrap_or_default();
    let can = parsed.is_ok() && !props.busy;
    let make = |kind: JobKind| props.on_make.reform(move |_: MouseEvent| kind);
    let open = |kind: JobKind| props.on_open.reform(move |_: MouseEvent| kind);
    let g = &props.generated;
    html! {
        <section class="lesson" aria-labelledby="lesson-title" data-testid="lesson">
            <h2 id="lesson-title">{ "One university, one lesson" }</h2>
            <p>{ "The same university as the registrar would export it, with a relationship and \
                  defects planted for a class to find, and its lectures for the occupancy models." }</p>
            <div class="fields">
                { for LessonField::ALL.into_iter().map(|field| html! {
                    <LessonFieldView {field} text={props.lesson.value(field).to_owned()}
                        error={errors.iter().find(|e| e.field == field).map(ToString::to_string)}
                        on_action={props.on_action.clone()} />
                }) }
            </div>
            <div class="downloads">
                <button type="button" class="secondary" onclick={make(JobKind::Exports)} disabled={!can}
                    data-testid="make-exports">{ "Prepare the registrar's exports (.zip)" }</button>
                <button type="button" class="secondary" onclick={make(JobKind::Sessions)} disabled={!can}
                    data-testid="make-sessions">{ "Prepare the lectures as sessions" }</button>
            </div>
            if let Some(exports) = &g.exports {
                { exports_view(exports, &g.config, open(JobKind::Exports), props.busy) }
            }
            if let Some(sessions) = &g.sessions {
                <div class="downloads" data-testid="lesson-sessions">
                    <a class="button primary" href={sessions.output.url.clone()}
                        download={sessions.output.file_name.clone()} data-testid="download-sessions">
                        { format!("Download {} ({} lectures)", sessions.output.file_name,
                            group(sessions.output.summary.tables.first().map_or(0, |t| t.1))) }</a>
                    <button type="button" class="primary" onclick={open(JobKind::Sessions)}
                        disabled={props.busy} data-testid="open-occupancy">
                        { "Use the generated university's lectures" }</button>
                </div>
            }
            <LessonPath />
        </section>
    }
}

/// The exports on offer: the zip, the answer key, the files and the hand-over.
fn exports_view(
    exports: &LessonOutput,
    config: &campus_gen::Config,
    on_open: Callback<MouseEvent>,
    busy: bool,
) -> Html {
    let output = &exports.output;
    html! {
        <div data-testid="lesson-exports">
            <p class="hint">{ format!("The same files as campus generate --format exports --seed {} \
                --students {} {} (with this form's other sizes).", config.seed, config.students,
                LessonInput::cli_flags(&exports.options)) }</p>
            <table class="counts" data-testid="export-counts">
                <thead><tr><th scope="col">{ "File" }</th><th scope="col" class="num">{ "Rows" }</th></tr></thead>
                <tbody>
                    { for output.summary.tables.iter().map(|(name, n)| html! {
                        <tr><th scope="row">{ name }</th>
                            <td class="num" data-testid={format!("export-count-{name}")}>{ group(*n) }</td></tr>
                    }) }
                </tbody>
            </table>
            <div class="downloads">
                <a class="button primary" href={output.url.clone()} download={output.file_name.clone()}
                    data-testid="download-exports">
                    { format!("Download {} ({:.2} MB)", output.file_name, output.summary.bytes as f64 / 1e6) }</a>
                if let Some(url) = &exports.answer_key_url {
                    <a class="button secondary" href={url.clone()} download="answer_key.csv"
                        data-testid="download-answer-key">{ "Download the answer key (CSV)" }</a>
                }
                <button type="button" class="primary" onclick={on_open} disabled={busy}
                    data-testid="open-etl">{ "Open in the ETL workbench" }</button>
            </div>
            <p class="timing" data-testid="exports-timing" data-bytes={output.summary.bytes.to_string()}
                data-worker-ms={format!("{:.1}", output.worker_ms)}>{ format!("Made in {:.0} ms ", output.worker_ms) }
                <span data-testid="exports-mbps">{ format!("({:.1} MB/s)",
                    output.summary.bytes as f64 / 1e3 / output.worker_ms.max(1.0)) }</span></p>
        </div>
    }
}

#[derive(PartialEq, Properties)]
struct FieldProps {
    field: LessonField,
    text: String,
    error: Option<String>,
    on_action: Callback<Action>,
}

#[component]
fn LessonFieldView(props: &FieldProps) -> Html {
    let field = props.field;
    let oninput = props.on_action.reform(move |e: InputEvent| {
        Action::EditLesson(field, e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let id = format!("field-{}", field.key());
    html! {
        <div class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <label for={id.clone()}>{ field.label() }</label>
            <input {id} type="text" inputmode="decimal" autocomplete="off" spellcheck="false"
                value={props.text.clone()} aria-invalid={props.error.is_some().to_string()}
                data-testid={format!("input-{}", field.key())} {oninput} />
            <p class="hint">{ field.hint() }</p>
            if let Some(error) = &props.error {
                <p class="field-error" data-testid={format!("error-{}", field.key())}>{ error }</p>
            }
        </div>
    }
}

/// The lesson's path, one numbered step each.
#[component]
pub fn LessonPath() -> Html {
    html! {
        <div class="lesson-path" data-testid="lesson-path">
            <h3>{ "The lesson, step by step" }</h3>
            <ol>
                { for LESSON_PATH.iter().map(|step| html! {
                    <li><a href={step.href}><strong>{ step.title }</strong></a>{ " — " }{ step.text }</li>
                }) }
            </ol>
        </div>
    }
}
