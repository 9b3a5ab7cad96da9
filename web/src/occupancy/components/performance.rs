//! Model performance side by side on the held-back rows: regression metrics, the SVM's report
//! and confusion matrix, predicted-versus-actual scatter and the forest's feature importance.

use std::rc::Rc;

use yew::prelude::*;

use campus_jobs::occupancy::guard::small_test_warning;
use campus_jobs::occupancy::view::{importance_figure, svm_rows};
use campus_occupancy::metrics::{CLASS_NAMES, ClassificationMetrics};

use super::figure::Figure;
use crate::occupancy::charts::{importance_svg, scatter_svg};
use crate::occupancy::state::ActiveModel;

/// Feature importance shows this many features.
pub const TOP_FEATURES: usize = 12;

#[derive(PartialEq, Properties)]
pub struct PerformanceProps {
    pub active: ActiveModel,
}

/// The SVM's per-class metrics and its confusion matrix.
fn svm_tables(svm: &ClassificationMetrics) -> Html {
    html! {
        <>
        <div class="table-scroll occ-scroll" tabindex="0" role="region" aria-label="SVM metrics">
        <table class="occ-table" data-testid="svm-metrics">
            <caption>{ format!("Overcrowding (SVM) · accuracy {:.3}", svm.accuracy) }</caption>
            <thead><tr><th>{ "Class" }</th><th class="num">{ "Precision" }</th><th class="num">{ "Recall" }</th><th class="num">{ "F1" }</th><th class="num">{ "Support" }</th></tr></thead>
            <tbody>
                { for svm_rows(svm).into_iter().map(|[name, cells @ ..]| html! {
                    <tr><th scope="row">{ name }</th>{ for cells.into_iter().map(|c| html! { <td class="num">{ c }</td> }) }</tr>
                }) }
            </tbody>
            <tfoot>
                <tr><th scope="row">{ "Accuracy" }</th><td class="num" colspan="3" data-testid="svm-accuracy">{ format!("{:.3}", svm.accuracy) }</td><td class="num">{ svm.macro_avg.support }</td></tr>
            </tfoot>
        </table>
        </div>
        <div class="table-scroll occ-scroll" tabindex="0" role="region" aria-label="Confusion matrix">
        <table class="occ-table confusion" data-testid="confusion">
            <caption>{ "Confusion matrix (rows: actual, columns: predicted)" }</caption>
            <thead><tr><th></th>{ for CLASS_NAMES.iter().map(|n| html! { <th scope="col" class="num">{ *n }</th> }) }</tr></thead>
            <tbody>
                { for svm.confusion.iter().enumerate().map(|(a, row)| html! {
                    <tr>
                        <th scope="row">{ CLASS_NAMES[a] }</th>
                        { for row.iter().enumerate().map(|(p, n)| html! {
                            <td class={classes!("num", (a == p).then_some("diagonal"))} data-testid={format!("confusion-{a}-{p}")}>{ *n }</td>
                        }) }
                    </tr>
                }) }
            </tbody>
        </table>
        </div>
        </>
    }
}

#[component]
pub fn Performance(props: &PerformanceProps) -> Html {
    let bundle = props.active.bundle.clone();
    let e = &bundle.evaluation;
    let scatter = use_memo(props.active.id, {
        let bundle = bundle.clone();
        move |_| {
            let e = &bundle.evaluation;
            scatter_svg(
                &e.test_actual,
                &e.linear_predictions,
                &e.forest_predictions,
                1500,
            )
        }
    });
    let importance = use_memo(props.active.id, {
        let bundle = bundle.clone();
        move |_| {
            let (names, values, rows) = importance_figure(&bundle.evaluation, TOP_FEATURES);
            (Rc::new(importance_svg(&names, &values)), Rc::new(rows))
        }
    });
    let svm = &e.svm;
    let regression = [
        ("linear", "Linear regression", e.linear),
        ("forest", "Random forest", e.forest),
    ];
    html! {
        <section class="occ-performance" aria-labelledby="occ-performance-title" data-testid="occ-metrics">
            <h2 id="occ-performance-title">{ format!("3. Model performance · version {}", props.active.id) }</h2>
            <p class="hint">{ format!("All models on the same {} held-back sessions (trained on {}).", e.n_test, e.n_train) }</p>
            if let Some(warning) = small_test_warning(e.n_test) {
                <p class="notice warning" role="status" data-testid="occ-small-test">{ warning }</p>
            }
            <div class="occ-side-by-side">
                <div class="table-scroll occ-scroll" tabindex="0" role="region" aria-label="Regression metrics">
                <table class="occ-table" data-testid="regression-metrics">
                    <caption>{ "Attendance (regression)" }</caption>
                    <thead><tr><th>{ "Model" }</th><th class="num">{ "MAE" }</th><th class="num">{ "RMSE" }</th><th class="num">{ "R²" }</th></tr></thead>
                    <tbody>
                        { for regression.iter().map(|(key, name, m)| html! {
                            <tr data-testid={format!("metrics-{key}")}>
                                <th scope="row">{ *name }</th>
                                <td class="num" data-testid={format!("{key}-mae")}>{ format!("{:.2}", m.mae) }</td>
                                <td class="num" data-testid={format!("{key}-rmse")}>{ format!("{:.2}", m.rmse) }</td>
                                <td class="num" data-testid={format!("{key}-r2")}>{ format!("{:.3}", m.r2) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                </div>
                { svm_tables(svm) }
            </div>
            <details>
                <summary>{ "Classification report (scikit-learn layout)" }</summary>
                <pre data-testid="svm-report">{ svm.report() }</pre>
            </details>
            <div class="occ-charts">
                <Figure test_id="chart-scatter" caption="Predicted vs actual attendance" svg={scatter} />
                <Figure test_id="chart-importance" caption="Random forest feature importance" svg={importance.0.clone()} rows={importance.1.clone()} />
            </div>
        </section>
    }
}
