//! Charts of the generated data, each with its figures as a table for screen readers.

use yew::prelude::*;

use campus_jobs::generate::Stats;
use campus_jobs::generate::stats::MARK_BUCKET;

use crate::shared::chart::{BarChart, bar_chart_svg};
use campus_jobs::format::group;

#[derive(PartialEq, Properties)]
pub struct ChartsProps {
    pub stats: Stats,
}

#[derive(PartialEq, Properties)]
struct ChartProps {
    test_id: AttrValue,
    caption: AttrValue,
    x_desc: AttrValue,
    labels: Vec<String>,
    /// Longer names for the data table, when the axis uses short ones.
    names: Vec<String>,
    values: Vec<u64>,
}

#[component]
fn Chart(props: &ChartProps) -> Html {
    let svg = use_memo(
        (
            props.caption.clone(),
            props.x_desc.clone(),
            props.labels.clone(),
            props.values.clone(),
        ),
        |(caption, x_desc, labels, values)| {
            bar_chart_svg(&BarChart {
                caption,
                x_desc,
                y_desc: "Rows",
                labels,
                values,
                size: (760, 360),
            })
        },
    );
    html! {
        <figure class="chart" data-testid={props.test_id.clone()}>
            { match svg.as_ref() {
                Ok(svg) => html! {
                    <div class="chart-svg" role="img" tabindex="0" aria-label={props.caption.clone()}>
                        { Html::from_html_unchecked(AttrValue::from(svg.clone())) }
                    </div>
                },
                Err(message) => html! { <p class="field-error">{ message }</p> },
            } }
            <figcaption>
                <details>
                    <summary>{ format!("{} as a table", props.caption) }</summary>
                    <table>
                        <tbody>
                            { for props.names.iter().zip(&props.values).map(|(name, n)| html! {
                                <tr><th scope="row">{ name }</th><td class="num">{ group(*n) }</td></tr>
                            }) }
                        </tbody>
                    </table>
                </details>
            </figcaption>
        </figure>
    }
}

#[component]
pub fn Charts(props: &ChartsProps) -> Html {
    let s = &props.stats;
    let mark_labels: Vec<String> = (0..s.final_scores.len())
        .map(|i| (i as u32 * MARK_BUCKET).to_string())
        .collect();
    let mark_names: Vec<String> = (0..s.final_scores.len() as u32)
        .map(|i| format!("{}–{}", i * MARK_BUCKET, (i + 1) * MARK_BUCKET))
        .collect();
    let dept_names: Vec<String> = s.departments.iter().map(|(name, _)| name.clone()).collect();
    let course_labels: Vec<String> = s.courses.iter().map(|(id, _, _)| id.to_string()).collect();
    let course_names: Vec<String> = s
        .courses
        .iter()
        .map(|(id, name, _)| format!("{id} {name}"))
        .collect();
    html! {
        <section class="charts" aria-labelledby="charts-title">
            <h3 id="charts-title">{ "Charts" }</h3>
            <Chart test_id="chart-marks" caption="Final marks" x_desc="Final score (bucket start)"
                labels={mark_labels} names={mark_names} values={s.final_scores.clone()} />
            <Chart test_id="chart-departments" caption="Students per department" x_desc="Department"
                labels={dept_names.clone()} names={dept_names}
                values={s.departments.iter().map(|(_, n)| *n).collect::<Vec<_>>()} />
            <Chart test_id="chart-courses" caption="Students per course" x_desc="Course id"
                labels={course_labels} names={course_names}
                values={s.courses.iter().map(|(_, _, n)| *n).collect::<Vec<_>>()} />
        </section>
    }
}
