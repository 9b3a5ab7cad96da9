//! The training panel: the hyperparameters, the Train button, progress and cancel, and the
//! last run's time per model.

use yew::prelude::*;

use campus_jobs::occupancy::Timings;
use campus_jobs::occupancy::guard::PROMOTION_RULE;
use campus_jobs::occupancy::train_form::{TrainField, TrainForm};
use campus_jobs::occupancy::view::stage_name;
use campus_occupancy::TrainConfig;

use super::field::{TextField, on_value, select, text_field};
use crate::occupancy::state::{JobKind, Running};

#[derive(PartialEq, Properties)]
pub struct TrainingProps {
    pub n_rows: usize,
    pub ready: bool,
    pub running: Option<Running>,
    pub timings: Option<Timings>,
    pub on_train: Callback<TrainConfig>,
    pub on_cancel: Callback<()>,
}

/// The hyperparameter fields, each with its own problem.
fn fields(
    form: &UseStateHandle<TrainForm>,
    errors: &[campus_jobs::occupancy::train_form::TrainFormError],
) -> Html {
    let field = |field: TrainField| {
        let view = TextField {
            id: field.key(),
            label: field.label(),
            value: form.value(field).to_owned(),
            error: TrainForm::error(errors, field),
            inputmode: if matches!(field, TrainField::Trees | TrainField::MaxDepth) {
                "numeric"
            } else {
                "text"
            },
            disabled: field == TrainField::Gamma && form.kernel == "linear",
        };
        text_field(
            view,
            on_value(form, move |f: &mut TrainForm, v| f.set(field, v)),
        )
    };
    let [trees, depth, features, gamma, c] = TrainField::ALL.map(field);
    let kernels = [("rbf", "RBF"), ("linear", "Linear")];
    let weights = [
        ("balanced", "Balanced (minority class weighs more)"),
        ("uniform", "Uniform"),
    ];
    html! {
        <div class="fields">
            { trees }{ depth }{ features }
            { select("occ-kernel", "SVM kernel", &form.kernel, kernels, on_value(form, |f: &mut TrainForm, v| f.kernel = v)) }
            { gamma }{ c }
            { select("occ-weight", "SVM class weights", &form.class_weight, weights, on_value(form, |f: &mut TrainForm, v| f.class_weight = v)) }
        </div>
    }
}

/// The running training's progress and its Cancel button.
fn progress_view(running: &Running, on_cancel: Callback<MouseEvent>) -> Html {
    let overall = running.progress.map_or(0.0, |p| p.overall * 100.0);
    html! {
        <div class="progress" aria-live="polite" data-testid="occ-progress">
            <label for="occ-progress-bar">{ "Training" }</label>
            <progress id="occ-progress-bar" max="100" value={format!("{overall:.1}")}></progress>
            <p data-testid="occ-stage">
                { running.progress.map_or("Starting…".to_owned(), |p| format!("{} · {overall:.0}% overall", stage_name(p.stage))) }
            </p>
            <button type="button" class="danger" onclick={on_cancel} data-testid="occ-cancel">{ "Cancel" }</button>
        </div>
    }
}

/// How long the last training in this browser took.
fn timings_view(t: &Timings) -> Html {
    html! {
        <p class="timing" data-testid="occ-timings"
            data-linear-ms={format!("{:.1}", t.linear_ms)} data-forest-ms={format!("{:.1}", t.forest_ms)}
            data-svm-ms={format!("{:.1}", t.svm_ms)} data-total-ms={format!("{:.1}", t.total_ms)}>
            { format!(
                "Last training in this browser: linear {:.0} ms · forest {:.0} ms · SVM {:.0} ms · {:.2} s in all",
                t.linear_ms, t.forest_ms, t.svm_ms, t.total_ms / 1000.0
            ) }
        </p>
    }
}

#[component]
pub fn TrainingPanel(props: &TrainingProps) -> Html {
    let form = use_state(TrainForm::default);
    let config = form.parse_all();
    let training = props.running.as_ref().filter(|r| r.kind == JobKind::Train);
    let can_train = props.ready && props.running.is_none() && props.n_rows >= 10 && config.is_ok();
    let on_train = {
        let (on_train, config) = (props.on_train.clone(), config.clone());
        Callback::from(move |_: MouseEvent| {
            if let Ok(config) = &config {
                on_train.emit(config.clone());
            }
        })
    };
    let errors = config.err().unwrap_or_default();
    html! {
        <>
        <h2 id="occ-train-title">{ "2. Train the models" }</h2>
        <fieldset class="occ-panel" aria-labelledby="occ-train-title">
            <p class="hint">
                { "Linear regression and a random forest predict attendance; a support vector classifier \
                   (by default an RBF kernel with balanced class weights) predicts overcrowding. All three see the same seeded \
                   80/20 split. Training runs in a background worker; the page stays usable." }
            </p>
            <p class="hint" data-testid="occ-promotion-rule">{ PROMOTION_RULE }</p>
            { fields(&form, &errors) }
            <div class="actions">
                <button type="button" class="primary" onclick={on_train} disabled={!can_train} data-testid="occ-train">
                    { "Train all three models" }
                </button>
                if props.n_rows < 10 { <span class="hint">{ " Needs at least 10 sessions." }</span> }
            </div>
            if let Some(running) = training { { progress_view(running, props.on_cancel.reform(|_: MouseEvent| ())) } }
            if let Some(t) = props.timings { { timings_view(&t) } }
        </fieldset>
        </>
    }
}
