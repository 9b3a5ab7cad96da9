//! The dashboard's charts as SVG text, drawn by plotters on the page's thread (its text
//! measuring needs the DOM): bars, predicted-versus-actual scatter, horizontal importance bars
//! and the venue × time-slot utilisation heat map. What to draw (labels, values, cells and their
//! colours) comes from [`campus_jobs::occupancy::view`]; this file only draws it.

use std::error::Error;

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::RangedCoordu32;
use plotters::prelude::*;

use campus_jobs::occupancy::view::{BarFigure, HeatmapFigure};

const BAR: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
const LINEAR: RGBColor = RGBColor(0xd9, 0x6c, 0x00);
const FONT: &str = "sans-serif";

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Drawn = Result<(), Box<dyn Error>>;

/// An SVG of `size` on white, drawn by `draw`; errors name the chart.
fn svg(
    caption: &str,
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Drawn,
) -> Result<String, String> {
    let mut text = String::new();
    let drawn = (|| -> Drawn {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
        Ok(())
    })();
    drawn.map_err(|e| format!("could not draw the chart {caption:?}: {e}"))?;
    Ok(text)
}

/// A chart with the page's caption and margins, and label areas of `(x, y)` pixels.
fn builder<'a, 'b>(
    root: &'a Area<'b>,
    caption: &str,
    areas: (u32, u32),
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(caption, (FONT, 20))
        .margin(10)
        .x_label_area_size(areas.0)
        .y_label_area_size(areas.1);
    builder
}

/// `n` segments (at least two, so a single bar has a width).
fn segments(n: usize) -> SegmentedCoord<RangedCoordu32> {
    (0u32..u32::try_from(n).unwrap_or(u32::MAX).max(2) - 1).into_segmented()
}

/// The label of segment `i` (none for padding).
fn segment_label(names: &[String]) -> impl Fn(&SegmentValue<u32>) -> String + '_ {
    move |v| match v {
        SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// The cell from segment `(x, y)` to `(x + 1, y + 1)`.
fn cell(x: u32, y: u32) -> [(SegmentValue<u32>, SegmentValue<u32>); 2] {
    use SegmentValue::Exact;
    [(Exact(x), Exact(y)), (Exact(x + 1), Exact(y + 1))]
}

fn top(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    if max > 0.0 { max * 1.1 } else { 1.0 }
}

/// Vertical bars, one label each.
pub fn bar_svg(f: &BarFigure) -> Result<String, String> {
    svg(f.caption, (560, 320), |root| {
        let mut plot = builder(root, f.caption, (40, 56))
            .build_cartesian_2d(segments(f.values.len()), 0.0..top(&f.values))?;
        let label = segment_label(&f.labels);
        plot.configure_mesh()
            .disable_x_mesh()
            .x_desc(f.x_desc)
            .y_desc(f.y_desc)
            .x_labels(f.labels.len().min(24))
            .x_label_formatter(&label)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()?;
        plot.draw_series((0u32..).zip(&f.values).map(|(i, &v)| {
            use SegmentValue::Exact;
            let mut bar = Rectangle::new([(Exact(i), 0.0), (Exact(i + 1), v)], BAR.filled());
            bar.set_margin(0, 0, 4, 4);
            bar
        }))?;
        Ok(())
    })
}

/// Predicted against actual attendance for both regressors, with the line of perfect
/// prediction. At most `max_points` points per model are drawn (evenly spaced rows).
pub fn scatter_svg(
    actual: &[f64],
    linear: &[f64],
    forest: &[f64],
    max_points: usize,
) -> Result<String, String> {
    let caption = "Predicted vs actual attendance (test rows)";
    let max = actual
        .iter()
        .chain(linear)
        .chain(forest)
        .fold(1.0_f64, |m, &v| m.max(v))
        * 1.05;
    let step = (actual.len() / max_points.max(1)).max(1);
    svg(caption, (560, 420), |root| {
        let mut plot = builder(root, caption, (40, 56)).build_cartesian_2d(0.0..max, 0.0..max)?;
        plot.configure_mesh()
            .x_desc("Actual attendance")
            .y_desc("Predicted attendance")
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()?;
        let diagonal = PathElement::new(vec![(0.0, 0.0), (max, max)], BLACK.stroke_width(1));
        plot.draw_series(std::iter::once(diagonal))?;
        for (name, color, predicted) in [("linear", LINEAR, linear), ("forest", BAR, forest)] {
            let points = actual.iter().zip(predicted).step_by(step);
            plot.draw_series(
                points.map(|(&a, &p)| Circle::new((a, p), 2, color.mix(0.6).filled())),
            )?
            .label(name)
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
        }
        plot.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((FONT, 13))
            .draw()?;
        Ok(())
    })
}

/// Horizontal bars for feature importance; `names` and `values` bottom first.
pub fn importance_svg(names: &[String], values: &[f64]) -> Result<String, String> {
    let caption = "Random forest feature importance";
    let height = 60 + 22 * u32::try_from(values.len()).unwrap_or(u32::MAX).max(1);
    svg(caption, (560, height), |root| {
        let mut plot = builder(root, caption, (30, 180))
            .build_cartesian_2d(0.0..top(values), segments(values.len()))?;
        let label = segment_label(names);
        plot.configure_mesh()
            .disable_y_mesh()
            .y_labels(names.len())
            .y_label_formatter(&label)
            .label_style((FONT, 12))
            .draw()?;
        plot.draw_series((0u32..).zip(values).map(|(i, &v)| {
            use SegmentValue::Exact;
            let mut bar = Rectangle::new([(0.0, Exact(i)), (v, Exact(i + 1))], BAR.filled());
            bar.set_margin(3, 3, 0, 0);
            bar
        }))?;
        Ok(())
    })
}

/// Venue (rows) × time slot (columns), each cell in its given colour.
pub fn heatmap_svg(f: &HeatmapFigure) -> Result<String, String> {
    let caption = "Venue utilisation (attendance ÷ capacity) by time slot";
    let height = 90 + 24 * u32::try_from(f.venues.len()).unwrap_or(u32::MAX).max(1);
    svg(caption, (760, height), |root| {
        let mut plot = builder(root, caption, (30, 150))
            .build_cartesian_2d(segments(f.slots.len()), segments(f.venues.len()))?;
        let (slot_label, venue_label) = (segment_label(&f.slots), segment_label(&f.venues));
        plot.configure_mesh()
            .disable_mesh()
            .x_labels(f.slots.len())
            .y_labels(f.venues.len())
            .x_label_formatter(&slot_label)
            .y_label_formatter(&venue_label)
            .label_style((FONT, 16))
            .draw()?;
        plot.draw_series(f.cells.iter().map(|&(x, y, (r, g, b))| {
            let mut rect = Rectangle::new(cell(x, y), RGBColor(r, g, b).filled());
            rect.set_margin(1, 1, 1, 1);
            rect
        }))?;
        Ok(())
    })
}
