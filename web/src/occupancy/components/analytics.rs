//! Attendance analytics of the dataset on the page: by weekday, time slot, school and exam week,
//! the venue utilisation heat map and the overcrowding risk.

use std::rc::Rc;

use yew::prelude::*;

use campus_occupancy::Analytics;
use campus_occupancy::analytics::GroupStats;

use super::figure::Figure;
use crate::occupancy::charts::{bar_svg, heatmap_svg};

#[derive(PartialEq, Properties)]
pub struct AnalyticsProps {
    pub analytics: Rc<Analytics>,
    pub revision: u32,
}

/// A figure's table: a label and a value per row.
type Rows = Vec<(String, String)>;

struct Bars {
    test_id: &'static str,
    caption: &'static str,
    svg: Rc<Result<String, String>>,
    rows: Rc<Vec<(String, String)>>,
}

fn bars(
    test_id: &'static str,
    caption: &'static str,
    x_desc: &'static str,
    y_desc: &'static str,
    groups: &[GroupStats],
    value: impl Fn(&GroupStats) -> f64,
) -> Bars {
    let labels: Vec<String> = groups
        .iter()
        .map(|g| crate::shared::chart::short_label(&g.key, 12))
        .collect();
    let values: Vec<f64> = groups.iter().map(&value).collect();
    let rows = groups
        .iter()
        .zip(&values)
        .map(|(g, v)| {
            (
                format!("{} ({} sessions)", g.key, g.n_sessions),
                format!("{v:.1}"),
            )
        })
        .collect();
    Bars {
        test_id,
        caption,
        svg: Rc::new(bar_svg(caption, x_desc, y_desc, &labels, &values)),
        rows: Rc::new(rows),
    }
}

/// Every bar chart of the dataset.
fn all_bars(a: &Analytics) -> Vec<Bars> {
    let attendance = |g: &GroupStats| g.mean_attendance;
    let risk = |g: &GroupStats| g.overcrowded_share * 100.0;
    vec![
        bars(
            "chart-weekday",
            "Mean attendance by weekday",
            "Weekday",
            "Attendance",
            &a.by_weekday,
            attendance,
        ),
        bars(
            "chart-slot",
            "Mean attendance by time slot",
            "Start time",
            "Attendance",
            &a.by_time_slot,
            attendance,
        ),
        bars(
            "chart-school",
            "Mean attendance by school",
            "School",
            "Attendance",
            &a.by_school,
            attendance,
        ),
        bars(
            "chart-exam",
            "Mean attendance outside and in exam weeks",
            "Exam week",
            "Attendance",
            &a.by_exam_week,
            attendance,
        ),
        bars(
            "chart-risk-slot",
            "Overcrowding risk by time slot",
            "Start time",
            "% overcrowded",
            &a.by_time_slot,
            risk,
        ),
        bars(
            "chart-risk-school",
            "Overcrowding risk by school",
            "School",
            "% overcrowded",
            &a.by_school,
            risk,
        ),
    ]
}

/// The utilisation heat map and its table of cells.
fn heatmap(a: &Analytics) -> (Rc<Result<String, String>>, Rc<Rows>) {
    let rows = a
        .utilisation
        .iter()
        .map(|c| {
            (
                format!("{} at {} ({} sessions)", c.venue, c.slot, c.n_sessions),
                format!("{:.0}%", c.mean_utilisation * 100.0),
            )
        })
        .collect::<Vec<_>>();
    (Rc::new(heatmap_svg(&a.utilisation)), Rc::new(rows))
}

#[component]
pub fn AnalyticsView(props: &AnalyticsProps) -> Html {
    let charts = use_memo(props.revision, {
        let a = props.analytics.clone();
        move |_| all_bars(&a)
    });
    let heatmap = use_memo(props.revision, {
        let a = props.analytics.clone();
        move |_| heatmap(&a)
    });
    let a = &props.analytics;
    html! {
        <section class="occ-analytics" aria-labelledby="occ-analytics-title" data-testid="occ-analytics">
            <h2 id="occ-analytics-title">{ "Attendance analytics" }</h2>
            <p data-testid="occ-risk">
                { format!("{} sessions · {:.1}% overcrowded (more people came than the room seats).", a.n_sessions, a.overcrowded_share * 100.0) }
            </p>
            <div class="occ-charts">
                { for charts.iter().map(|b| html! {
                    <Figure test_id={b.test_id} caption={b.caption} svg={b.svg.clone()} rows={b.rows.clone()} />
                }) }
            </div>
            <Figure test_id="chart-heatmap" caption="Venue utilisation by time slot" svg={heatmap.0.clone()} rows={heatmap.1.clone()} />
        </section>
    }
}
