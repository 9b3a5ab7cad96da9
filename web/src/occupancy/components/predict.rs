//! The live prediction form: every change predicts at once with the active version.

use std::rc::Rc;

use web_sys::HtmlInputElement;

use super::field::{TextField, on_value, select, text_field};
use campus_jobs::occupancy::guard::InputRanges;
use campus_occupancy::SessionInput;
use yew::prelude::*;

use campus_jobs::occupancy::predict_form::{Choice, Field, FieldError, PredictForm, week_order};
use campus_occupancy::Prediction;
use campus_occupancy::train::PredictError;

use campus_jobs::occupancy::predict_stream::FilePrediction;

use super::data::on_file_chosen;
use crate::occupancy::hook::OccupancyHandle;
use crate::occupancy::state::ActiveModel;
use crate::shared::now_ms;

#[derive(PartialEq, Properties)]
pub struct PredictProps {
    pub active: ActiveModel,
    /// Venue → capacity as seen in the dataset on the page (may be empty after a reload).
    pub capacities: Rc<Vec<(String, u32)>>,
    /// The serving version's training ranges, when it was trained here.
    pub ranges: Option<InputRanges>,
}

/// The three models' answers, or why there is none.
fn prediction_view(prediction: Option<Result<Prediction, PredictError>>, elapsed_ms: f64) -> Html {
    match prediction {
        Some(Ok(p)) => html! {
            <>
                <p>{ "Linear regression: " }<strong data-testid="pred-linear">{ format!("{:.1}", p.linear_attendance) }</strong>{ " students" }</p>
                <p>{ "Random forest: " }<strong data-testid="pred-forest">{ format!("{:.1}", p.forest_attendance) }</strong>{ " students" }</p>
                <p class={classes!("verdict", p.overcrowded.then_some("overcrowded"))}>
                    { "Overcrowding: " }
                    <strong data-testid="pred-verdict">{ if p.overcrowded { "overcrowded" } else { "fits the room" } }</strong>
                    { " (SVM margin " }<span data-testid="pred-margin">{ format!("{:+.3}", p.svm_margin) }</span>{ ")" }
                </p>
                <p class="hint" data-testid="pred-ms">{ format!("Predicted in {elapsed_ms:.2} ms on this page.") }</p>
            </>
        },
        Some(Err(e)) => html! { <p class="field-error">{ e.to_string() }</p> },
        None => html! { <p class="hint">{ "Fix the fields above to see a prediction." }</p> },
    }
}

/// A text field, with its problem under it.
fn input_field(form: &UseStateHandle<PredictForm>, field: Field, errors: &[FieldError]) -> Html {
    let id = format!("pred-{}", field.key());
    let view = TextField {
        id: &id,
        label: field.label(),
        value: form.value(field).to_owned(),
        error: errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone()),
        inputmode: if field == Field::Time {
            "text"
        } else {
            "decimal"
        },
        disabled: false,
    };
    text_field(
        view,
        on_value(form, move |f: &mut PredictForm, v| f.set(field, v)),
    )
}

/// Inputs outside the data the serving version was trained on.
fn range_warnings(ranges: Option<&InputRanges>, input: Option<&SessionInput>) -> Html {
    let (Some(ranges), Some(input)) = (ranges, input) else {
        return Html::default();
    };
    let outside = ranges.check(input);
    if outside.is_empty() {
        return Html::default();
    }
    html! {
        <ul class="notice warning occ-range" role="status" data-testid="pred-range-warning">
            { for outside.iter().map(|o| html! { <li data-field={format!("{:?}", o.field)}>{ &o.message }</li> }) }
        </ul>
    }
}

#[component]
pub fn PredictPanel(props: &PredictProps) -> Html {
    let encoder = &props.active.bundle.models.encoder;
    let weekdays = week_order(&encoder.weekdays);
    let form = {
        let initial = PredictForm::for_model(encoder, &props.capacities);
        use_state(move || initial)
    };
    let parsed = form.parse();
    let started = now_ms();
    let prediction = parsed
        .as_ref()
        .ok()
        .map(|input| props.active.bundle.predict(input));
    let elapsed_ms = now_ms() - started;

    let on_select = |choice: Choice| {
        let capacities = props.capacities.clone();
        on_value(&form, move |f: &mut PredictForm, v| {
            f.choose(choice, v, &capacities)
        })
    };
    let on_exam = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut next = (*form).clone();
            next.exam_week = e
                .target_dyn_into::<HtmlInputElement>()
                .is_some_and(|i| i.checked());
            form.set(next);
        })
    };
    let choose = |key: &str, label: &str, options: &[String], value: &str, choice: Choice| {
        let options = options.iter().map(|o| (o.as_str(), o.as_str()));
        select(
            &format!("pred-{key}"),
            label,
            value,
            options,
            on_select(choice),
        )
    };
    let errors = parsed.as_ref().err().cloned().unwrap_or_default();
    html! {
        <section class="occ-predict" aria-labelledby="occ-predict-title" data-testid="occ-predict">
            <h2 id="occ-predict-title">{ format!("4. Predict a session · version {}", props.active.id) }</h2>
            <div class="fields">
                { choose("school", "School", &encoder.schools, &form.school, Choice::School) }
                { choose("venue", "Venue", &encoder.venues, &form.venue, Choice::Venue) }
                { input_field(&form, Field::Capacity, &errors) }
                { choose("weekday", "Weekday", &weekdays, &form.weekday, Choice::Weekday) }
                { for [Field::Time, Field::SemesterDay, Field::Enrolled, Field::PrevAttendance, Field::RollingAvg3, Field::RollingAvg5]
                    .into_iter().map(|field| input_field(&form, field, &errors)) }
                <div class="field checks">
                    <label><input type="checkbox" checked={form.exam_week} onchange={on_exam} data-testid="pred-exam" />{ " Exam week" }</label>
                </div>
            </div>
            { range_warnings(props.ranges.as_ref(), parsed.as_ref().ok()) }
            <div class="occ-prediction" aria-live="polite" data-testid="prediction">
                { prediction_view(prediction, elapsed_ms) }
            </div>
        </section>
    }
}

#[derive(PartialEq, Properties)]
pub struct PredictFromFileProps {
    pub handle: OccupancyHandle,
    /// A job runs in the worker: the file waits.
    pub busy: bool,
}

/// Predicts every session of a CSV file with the serving version, read and predicted in
/// slices; the predictions download as a CSV, the same bytes as `campus occupancy predict`.
#[component]
pub fn PredictFromFile(props: &PredictFromFileProps) -> Html {
    let result = use_state(|| None::<FilePrediction>);
    let on_file = {
        let (handle, result) = (props.handle.clone(), result.clone());
        Callback::from(move |file: web_sys::File| {
            if let Some(old) = result.as_ref().and_then(|r| r.download.as_deref()) {
                crate::shared::download::revoke(old);
            }
            let result = result.clone();
            handle.predict_file(file, Callback::from(move |r| result.set(Some(r))));
        })
    };
    let running = result.as_ref().is_some_and(|r| r.running);
    let notice = result.as_ref().and_then(|r| r.notice.clone());
    html! {
        <section class="occ-predict-file" aria-labelledby="occ-predict-file-title" data-testid="occ-predict-file-panel"
            data-running={running.to_string()}>
            <h3 id="occ-predict-file-title">{ "Predict the sessions of a file" }</h3>
            <div class="field">
                <label for="occ-predict-file">{ "A CSV in the session layout (actual_attendance may be empty)" }</label>
                <input id="occ-predict-file" type="file" accept=".csv,text/csv" onchange={on_file_chosen(&on_file)}
                    disabled={props.busy || running} data-testid="occ-predict-file" />
            </div>
            if running { <p class="hint" role="status">{ "Predicting…" }</p> }
            if let Some(notice) = notice {
                <div class={classes!("notice", notice.is_error.then_some("error"))} data-testid="occ-predict-file-notice"
                    data-error={notice.is_error.to_string()}>
                    <p data-testid="occ-predict-file-text">{ &notice.text }</p>
                    if !notice.details.is_empty() {
                        <ul>{ for notice.details.iter().map(|d| html! { <li>{ d }</li> }) }</ul>
                    }
                </div>
            }
            if let Some((url, name)) = result.as_ref().and_then(|r| r.download.clone().map(|u| (u, r.download_name()))) {
                <a href={url} download={name} data-testid="occ-predict-file-download">{ "Download the predictions (CSV)" }</a>
            }
        </section>
    }
}
