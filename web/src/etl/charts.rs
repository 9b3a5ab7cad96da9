//! The workbench's charts as SVG text, drawn by plotters on the page's thread (its text
//! measuring needs the DOM): the attendance/marks scatter with its least-squares line, and bars
//! through [`crate::shared::chart`].

use plotters::prelude::*;

use campus_etl::stats::LinearFit;

use crate::shared::chart::{BarChart, CAPTION_PX, bar_chart_svg, mesh};

const POINT: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
const LINE: RGBColor = RGBColor(0xc0, 0x39, 0x2b);

/// Bars of counts (or whole percentages).
pub fn bar_svg(
    caption: &str,
    x_desc: &str,
    y_desc: &str,
    labels: &[String],
    values: &[u64],
) -> Result<String, String> {
    bar_chart_svg(&BarChart {
        caption,
        x_desc,
        y_desc,
        labels,
        values,
        size: (760, 320),
    })
}

/// attendance_pct (0–1) against total_marks (0–`marks_max`), with the fitted line.
pub fn scatter_svg(
    points: &[(f64, f64)],
    fit: Option<LinearFit>,
    marks_max: f64,
) -> Result<String, String> {
    let err = |e: &dyn std::fmt::Display| format!("could not draw the scatter plot: {e}");
    let y_max = points
        .iter()
        .map(|p| p.1)
        .fold(marks_max, f64::max)
        .max(1.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut plot = ChartBuilder::on(&root)
            .caption("Attendance against total marks", ("sans-serif", CAPTION_PX))
            .margin(12)
            .margin_right(32)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0f64..1.0f64, 0.0f64..y_max)
            .map_err(|e| err(&e))?;
        mesh(
            &mut plot.configure_mesh(),
            "attendance_pct",
            "mean total_marks",
        )
        .x_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .draw()
        .map_err(|e| err(&e))?;
        plot.draw_series(
            points
                .iter()
                .map(|&(x, y)| Circle::new((x, y), 2, POINT.mix(0.45).filled())),
        )
        .map_err(|e| err(&e))?;
        if let Some(fit) = fit {
            let line = [0.0, 1.0].map(|x| (x, (fit.intercept + fit.slope * x).clamp(0.0, y_max)));
            plot.draw_series(std::iter::once(PathElement::new(
                line.to_vec(),
                LINE.stroke_width(3),
            )))
            .map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}
