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
                <div class="chart-svg" role="img" aria-label={caption.to_owned()}>
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
    let hist =
        |h: &campus_etl::stats::Histogram, scale: f64, unit: &str| -> (Vec<String>, Vec<u64>) {
            let labels = (0..h.counts.len())
                .map(|i| format!("{:.0}{unit}", h.edge(i) * scale))
                .collect();
            (labels, h.counts.clone())
        };
    let (att_labels, att_values) = hist(&a.attendance_histogram, 100.0, "%");
    let (marks_labels, marks_values) = hist(&a.marks_histogram, 1.0, "");
    let rate = |rates: &[campus_etl::analysis::Rate]| -> (Vec<String>, Vec<u64>) {
        let labels = rates.iter().map(|r| r.name.clone()).collect();
        let values = rates
            .iter()
            .map(|r| r.rate().map_or(0, |v| (v * 100.0).round() as u64))
            .collect();
        (labels, values)
    };
    let (prog_labels, prog_values) = rate(&a.placement_by_program);
    let (band_labels, band_values) = rate(&a.placement_by_band);
    [
        scatter_svg(&a.scatter, a.fit, a.marks_max),
        bar_svg(
            "Attendance per (student, course)",
            "attendance from",
            "pairs",
            &att_labels,
            &att_values,
        ),
        bar_svg(
            "Mean total marks per (student, course)",
            "marks from",
            "pairs",
            &marks_labels,
            &marks_values,
        ),
        bar_svg(
            "Placement rate by programme",
            "programme",
            "placed (%)",
            &prog_labels,
            &prog_values,
        ),
        bar_svg(
            "Placement rate by attendance band",
            "attendance band",
            "placed (%)",
            &band_labels,
            &band_values,
        ),
    ]
}
