//! Attendance analytics of the dataset on the page: by weekday, time slot, school and exam week,
//! the venue utilisation heat map and the overcrowding risk.

use std::rc::Rc;

use yew::prelude::*;

use campus_jobs::occupancy::view::{bar_figures, heat_legend, heatmap_figure};
use campus_occupancy::Analytics;

use super::figure::Figure;
use crate::occupancy::charts::{bar_svg, heatmap_svg};

#[derive(PartialEq, Properties)]
pub struct AnalyticsProps {
    pub analytics: Rc<Analytics>,
    pub revision: u32,
}

/// A drawn figure: test id, caption, SVG and table.
type Drawn = (
    &'static str,
    &'static str,
    Rc<Result<String, String>>,
    Rc<Vec<(String, String)>>,
);

fn draw_all(a: &Analytics) -> Vec<Drawn> {
    let mut drawn: Vec<Drawn> = bar_figures(a)
        .into_iter()
        .map(|f| (f.test_id, f.caption, Rc::new(bar_svg(&f)), Rc::new(f.rows)))
        .collect();
    let heatmap = heatmap_figure(a);
    let svg = Rc::new(heatmap_svg(&heatmap));
    drawn.push((
        "chart-heatmap",
        "Venue utilisation by time slot",
        svg,
        Rc::new(heatmap.rows),
    ));
    drawn
}

#[component]
pub fn AnalyticsView(props: &AnalyticsProps) -> Html {
    let charts = use_memo(props.revision, {
        let a = props.analytics.clone();
        move |_| draw_all(&a)
    });
    let a = &props.analytics;
    let figure = |(test_id, caption, svg, rows): &Drawn| {
        html! { <Figure test_id={*test_id} caption={*caption} svg={svg.clone()} rows={rows.clone()} /> }
    };
    let (heatmap, bars) = charts
        .split_last()
        .map_or((None, &[][..]), |(h, b)| (Some(h), b));
    html! {
        <section class="occ-analytics" aria-labelledby="occ-analytics-title" data-testid="occ-analytics">
            <h2 id="occ-analytics-title">{ "Attendance analytics" }</h2>
            <p data-testid="occ-risk">
                { format!("{} sessions · {:.1}% overcrowded (more people came than the room seats).", a.n_sessions, a.overcrowded_share * 100.0) }
            </p>
            <div class="occ-charts">{ for bars.iter().map(figure) }</div>
            { for heatmap.map(figure) }
            <p class="occ-legend" data-testid="heatmap-legend">{ "Key: " }
                { for heat_legend().into_iter().map(|(label, (r, g, b))| html! {
                    <span class="swatch"><span class="chip" style={format!("background: rgb({r},{g},{b})")}></span>{ label }</span>
                }) }
                { " of the seats filled, on average. A blank cell: no session in that room at that time." }
            </p>
        </section>
    }
}
