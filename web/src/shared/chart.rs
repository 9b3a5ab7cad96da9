//! Bar charts as SVG text, drawn by plotters on the page's thread (its text measuring needs the
//! DOM, so never call this from the worker).
//!
//! Drawn for a projector: the SVG keeps its `viewBox` and the style sheet stretches it to its
//! column, so the text grows with the chart; no minor gridlines; categories with long names are
//! drawn as horizontal bars so every name is written out in full.

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::Ranged;
use plotters::prelude::*;

/// The accent colour of the page, dark enough for a projector.
const BAR: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
/// Tick labels and axis descriptions, in viewBox units (the chart is scaled to its column).
pub const LABEL_PX: u32 = 16;
pub const DESC_PX: u32 = 17;
pub const CAPTION_PX: u32 = 22;
/// Category names longer than this turn the bars horizontal.
const SHORT_LABEL: usize = 6;

#[derive(Clone, Debug, PartialEq)]
pub struct BarChart<'a> {
    pub caption: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub labels: &'a [String],
    pub values: &'a [u64],
    pub size: (u32, u32),
}

/// Draws the chart; errors are plotters' messages.
pub fn bar_chart_svg(chart: &BarChart<'_>) -> Result<String, String> {
    let err = |e: String| format!("could not draw the chart {:?}: {e}", chart.caption);
    let n = u32::try_from(chart.values.len()).unwrap_or(u32::MAX).max(1);
    let longest = chart.labels.iter().map(|l| l.chars().count()).max();
    let horizontal = longest.is_some_and(|c| c > SHORT_LABEL);
    let (width, height) = chart.size;
    // Horizontal bars get a row per category and room for the longest name.
    let size = if horizontal {
        (width, (n * (LABEL_PX + 14) + 110).max(height / 2))
    } else {
        (width, height)
    };
    let name_px = (longest.unwrap_or(0) as u32 * LABEL_PX * 6 / 10 + 24).min(width / 2);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let mut builder = ChartBuilder::on(&root);
        builder
            .caption(chart.caption, ("sans-serif", CAPTION_PX))
            .margin(12)
            .margin_right(28)
            .x_label_area_size(48)
            .y_label_area_size(if horizontal { name_px } else { 72 });
        if horizontal {
            horizontal_bars(&mut builder, chart, n)
        } else {
            vertical_bars(&mut builder, chart, n)
        }
        .map_err(|e| err(e.to_string()))?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(svg)
}

type Builder<'a, 'b, 'c> = ChartBuilder<'a, 'b, SVGBackend<'c>>;
type DrawResult = Result<(), Box<dyn std::error::Error + 'static>>;

/// The name of category `v`, for an axis.
fn category<'a>(labels: &'a [String]) -> impl Fn(&SegmentValue<u32>) -> String + 'a {
    move |v| match v {
        SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

fn top(chart: &BarChart<'_>) -> u64 {
    let max = chart.values.iter().copied().max().unwrap_or(0).max(1);
    max + max / 10 + 1
}

fn bars<'a>(chart: &'a BarChart<'_>) -> impl Iterator<Item = (u32, u64)> + 'a {
    chart.values.iter().enumerate().map(|(i, &v)| (i as u32, v))
}

fn horizontal_bars(builder: &mut Builder<'_, '_, '_>, chart: &BarChart<'_>, n: u32) -> DrawResult {
    let mut plot = builder.build_cartesian_2d(0u64..top(chart), (0u32..n - 1).into_segmented())?;
    let label = category(chart.labels);
    mesh(
        plot.configure_mesh().disable_y_mesh(),
        chart.y_desc,
        chart.x_desc,
    )
    .y_labels(chart.labels.len())
    .y_label_formatter(&label)
    .draw()?;
    let style = BAR.filled();
    plot.draw_series(
        Histogram::horizontal(&plot)
            .style(style)
            .margin(4)
            .data(bars(chart)),
    )?;
    Ok(())
}

fn vertical_bars(builder: &mut Builder<'_, '_, '_>, chart: &BarChart<'_>, n: u32) -> DrawResult {
    let mut plot = builder.build_cartesian_2d((0u32..n - 1).into_segmented(), 0u64..top(chart))?;
    let label = category(chart.labels);
    mesh(
        plot.configure_mesh().disable_x_mesh(),
        chart.x_desc,
        chart.y_desc,
    )
    .x_labels(chart.labels.len().min(24))
    .x_label_formatter(&label)
    .draw()?;
    let style = BAR.filled();
    plot.draw_series(
        Histogram::vertical(&plot)
            .style(style)
            .margin(3)
            .data(bars(chart)),
    )?;
    Ok(())
}

/// The page's mesh style: large labels, light major lines only.
pub fn mesh<'a, 'b, X, Y, DB>(
    mesh: &'b mut MeshStyle<'a, 'b, X, Y, DB>,
    x_desc: &str,
    y_desc: &str,
) -> &'b mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged,
    Y: Ranged,
    DB: DrawingBackend,
{
    mesh.x_desc(x_desc.to_owned())
        .y_desc(y_desc.to_owned())
        .light_line_style(TRANSPARENT)
        .bold_line_style(BLACK.mix(0.12))
        .label_style(("sans-serif", LABEL_PX))
        .axis_desc_style(("sans-serif", DESC_PX))
}
