//! Bar charts as SVG text, drawn by plotters on the page's thread (its text measuring needs the
//! DOM, so never call this from the worker).

use plotters::prelude::*;

/// The accent colour of the page, dark enough for a projector.
const BAR: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);

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
    let err =
        |e: &dyn std::fmt::Display| format!("could not draw the chart {:?}: {e}", chart.caption);
    let n = u32::try_from(chart.values.len()).unwrap_or(u32::MAX).max(1);
    let max = chart.values.iter().copied().max().unwrap_or(0).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut plot = ChartBuilder::on(&root)
            .caption(chart.caption, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d((0u32..n - 1).into_segmented(), 0u64..(max + max / 10 + 1))
            .map_err(|e| err(&e))?;
        let labels = chart.labels;
        let label = move |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        plot.configure_mesh()
            .disable_x_mesh()
            .x_desc(chart.x_desc)
            .y_desc(chart.y_desc)
            .x_labels(chart.labels.len().min(24))
            .x_label_formatter(&label)
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(|e| err(&e))?;
        plot.draw_series(
            Histogram::vertical(&plot)
                .style(BAR.filled())
                .margin(3)
                .data(chart.values.iter().enumerate().map(|(i, &v)| (i as u32, v))),
        )
        .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}

/// `text` cut to at most `max` characters for an axis label, an ellipsis marking the cut.
pub fn short_label(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        text.chars()
            .take(max.saturating_sub(1))
            .chain(['…'])
            .collect()
    }
}
