//! The correlation of attendance and marks: figures, per-group tables and charts.

use std::rc::Rc;

use yew::prelude::*;

use campus_etl::analysis::GroupCorrelation;
use campus_jobs::etl::AnalysisView;
use campus_jobs::format::{group, sig};

use super::full;
use crate::etl::charts::{bar_svg, scatter_svg};

#[derive(PartialEq, Properties)]
pub struct CorrelationProps {
    pub analysis: Rc<AnalysisView>,
}

fn group_table(title: &str, test_id: &'static str, groups: &[GroupCorrelation]) -> Html {
    html! {
        <div class="table-scroll">
            <table data-testid={test_id}>
                <caption>{ title }</caption>
                <thead><tr><th scope="col">{ "Group" }</th><th scope="col" class="num">{ "Pairs" }</th><th scope="col" class="num">{ "Pearson r" }</th></tr></thead>
                <tbody>
                    { for groups.iter().map(|g| html! {
                        <tr><th scope="row">{ &g.name }</th><td class="num">{ g.n_pairs }</td><td class="num" title={full(g.pearson)}>{ rounded(g.pearson) }</td></tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn svg(result: &Result<String, String>, caption: &str, test_id: &'static str) -> Html {
    match result {
        Ok(svg) => html! {
            <figure class="chart" data-testid={test_id}>
                <div class="chart-svg" role="img" tabindex="0" aria-label={caption.to_owned()}>
                    { Html::from_html_unchecked(AttrValue::from(svg.clone())) }
                </div>
            </figure>
        },
        Err(message) => html! { <p class="field-error">{ message }</p> },
    }
}

/// A coefficient to three significant digits; the full value is in its `title`.
fn rounded(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| sig(v, 3))
}

#[component]
pub fn Correlation(props: &CorrelationProps) -> Html {
    let a = &props.analysis;
    let charts = use_memo(props.analysis.clone(), |a| charts(a));
    html! {
        <section class="etl-correlation" data-testid="etl-correlation">
            <h2>{ "Attendance and marks" }</h2>
            <p class="hint">{ "Analyse: for each student and course, attendance_pct is the share of sessions marked                 present, set beside the course's total marks. Pearson r says how closely the two rise together                 along a straight line (1 is exactly, 0 not at all), Spearman ρ the same over their ranks; both                 as the original pandas notebook computes them." }</p>
            <p>{ format!("{} students; {} (student, course) pairs with exam results, {} with both attendance and marks.",
                group(a.n_students as u64), group(a.n_pairs as u64), group(a.n_complete_pairs as u64)) }</p>
            <dl class="etl-figures">
                <dt>{ "Pearson r (attendance_pct, total_marks)" }</dt><dd data-testid="etl-pearson" data-value={full(a.pearson)} title={full(a.pearson)}>{ rounded(a.pearson) }</dd>
                <dt>{ "Spearman ρ" }</dt><dd data-testid="etl-spearman" data-value={full(a.spearman)} title={full(a.spearman)}>{ rounded(a.spearman) }</dd>
                if let Some(fit) = a.fit {
                    <dt>{ "Least squares" }</dt><dd>{ format!("total_marks ≈ {:.3} + {:.3} × attendance_pct", fit.intercept, fit.slope) }</dd>
                }
            </dl>
            <div class="etl-groups">
                { group_table("Per course", "etl-per-course", &a.per_course) }
                { group_table("Per programme", "etl-per-program", &a.per_program) }
            </div>
            { svg(&charts[0], "Attendance against total marks, with the least-squares line", "etl-chart-scatter") }
            { svg(&charts[1], "Distribution of attendance", "etl-chart-attendance") }
            { svg(&charts[2], "Distribution of marks", "etl-chart-marks") }
            { svg(&charts[3], "Placement rate by programme", "etl-chart-program") }
            { svg(&charts[4], "Placement rate by attendance band", "etl-chart-band") }
        </section>
    }
}

/// The five charts of an analysis, drawn once per analysis.
fn charts(a: &AnalysisView) -> [Result<String, String>; 5] {
    let [att, marks, program, band] = a
        .bars()
        .map(|b| bar_svg(b.caption, b.x_desc, b.y_desc, &b.labels, &b.values));
    [
        scatter_svg(&a.scatter, a.fit, a.marks_max),
        att,
        marks,
        program,
        band,
    ]
}
