//! The training panel: the hyperparameters, the Train button, progress and cancel, and the
//! last run's time per model.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use campus_occupancy::{Stage, TrainConfig};

use campus_jobs::occupancy::Timings;
use campus_jobs::occupancy::train_form::TrainForm;

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

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Encoding => "Encoding features",
        Stage::Linear => "Linear regression",
        Stage::Forest => "Random forest",
        Stage::Svm => "Support vector classifier",
        Stage::Evaluating => "Evaluating on the held-back rows",
    }
}

/// Updates one field of the form from an input or select.
fn on_field<E: AsRef<Event> + 'static>(
    form: &UseStateHandle<TrainForm>,
    apply: fn(&mut TrainForm, String),
) -> Callback<E> {
    let form = form.clone();
    Callback::from(move |e: E| {
        let target = e.as_ref().target();
        let value = target
            .as_ref()
            .and_then(|t| t.dyn_ref::<HtmlInputElement>().map(HtmlInputElement::value))
            .or_else(|| {
                target.as_ref().and_then(|t| {
                    t.dyn_ref::<HtmlSelectElement>()
                        .map(HtmlSelectElement::value)
                })
            });
        if let Some(value) = value {
            let mut next = (*form).clone();
            apply(&mut next, value);
            form.set(next);
        }
    })
}

/// The hyperparameter fields.
fn fields(form: &UseStateHandle<TrainForm>) -> Html {
    html! {
        <div class="fields">
            <div class="field">
                <label for="occ-trees">{ "Forest trees" }</label>
                <input id="occ-trees" inputmode="numeric" value={form.trees.clone()}
                    oninput={on_field::<InputEvent>(form, |f, v| f.trees = v)} data-testid="occ-trees" />
            </div>
            <div class="field">
                <label for="occ-depth">{ "Forest maximum depth (empty: none)" }</label>
                <input id="occ-depth" inputmode="numeric" value={form.max_depth.clone()}
                    oninput={on_field::<InputEvent>(form, |f, v| f.max_depth = v)} data-testid="occ-depth" />
            </div>
            <div class="field">
                <label for="occ-features">{ "Features per split (third, sqrt, all or a count)" }</label>
                <input id="occ-features" value={form.features_per_split.clone()}
                    oninput={on_field::<InputEvent>(form, |f, v| f.features_per_split = v)} data-testid="occ-features" />
            </div>
            <div class="field">
                <label for="occ-kernel">{ "SVM kernel" }</label>
                <select id="occ-kernel" data-testid="occ-kernel" onchange={on_field::<Event>(form, |f, v| f.kernel = v)}>
                    <option value="rbf" selected={form.kernel == "rbf"}>{ "RBF" }</option>
                    <option value="linear" selected={form.kernel == "linear"}>{ "Linear" }</option>
                </select>
            </div>
            <div class="field">
                <label for="occ-gamma">{ "SVM gamma (scale or a number)" }</label>
                <input id="occ-gamma" value={form.gamma.clone()} disabled={form.kernel == "linear"}
                    oninput={on_field::<InputEvent>(form, |f, v| f.gamma = v)} data-testid="occ-gamma" />
            </div>
            <div class="field">
                <label for="occ-c">{ "SVM C" }</label>
                <input id="occ-c" inputmode="decimal" value={form.c.clone()}
                    oninput={on_field::<InputEvent>(form, |f, v| f.c = v)} data-testid="occ-c" />
            </div>
            <div class="field">
                <label for="occ-weight">{ "SVM class weights" }</label>
                <select id="occ-weight" data-testid="occ-weight" onchange={on_field::<Event>(form, |f, v| f.class_weight = v)}>
                    <option value="balanced" selected={form.class_weight == "balanced"}>{ "Balanced (minority class weighs more)" }</option>
                    <option value="uniform" selected={form.class_weight == "uniform"}>{ "Uniform" }</option>
                </select>
            </div>
        </div>
    }
}

/// The running training's progress and its Cancel button.
fn progress_view(running: &Running, on_cancel: Callback<MouseEvent>) -> Html {
    html! {
        <div class="progress" aria-live="polite" data-testid="occ-progress">
            <label for="occ-progress-bar">{ "Training" }</label>
            <progress id="occ-progress-bar" max="100"
                value={format!("{:.1}", running.progress.map_or(0.0, |p| p.overall * 100.0))}></progress>
            <p data-testid="occ-stage">
                { match running.progress {
                    Some(p) => format!("{} · {:.0}% overall", stage_name(p.stage), p.overall * 100.0),
                    None => "Starting…".to_owned(),
                } }
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
    let config = form.parse();
    let training = props.running.as_ref().filter(|r| r.kind == JobKind::Train);
    let can_train = props.ready && props.running.is_none() && props.n_rows >= 10 && config.is_ok();
    let on_train = {
        let on_train = props.on_train.clone();
        let config = config.clone();
        Callback::from(move |_: MouseEvent| {
            if let Ok(config) = &config {
                on_train.emit(config.clone());
            }
        })
    };
    let on_cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
        <fieldset class="occ-panel">
            <legend>{ "2. Train the models" }</legend>
            <p class="hint">
                { "Linear regression and a random forest predict attendance; a support vector classifier \
                   (by default an RBF kernel with balanced class weights) predicts overcrowding. All three see the same seeded \
                   80/20 split. Training runs in a background worker; the page stays usable." }
            </p>
            { fields(&form) }
            if let Err(error) = &config { <p class="field-error">{ error.to_string() }</p> }
            <div class="actions">
                <button type="button" class="primary" onclick={on_train} disabled={!can_train} data-testid="occ-train">
                    { "Train all three models" }
                </button>
                if props.n_rows < 10 { <span class="hint">{ " Needs at least 10 sessions." }</span> }
            </div>
            if let Some(running) = training { { progress_view(running, on_cancel) } }
            if let Some(t) = props.timings { { timings_view(&t) } }
        </fieldset>
    }
}
