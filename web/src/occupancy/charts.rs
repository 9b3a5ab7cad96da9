//! The dashboard's charts as SVG text, drawn by plotters on the page's thread (its text
//! measuring needs the DOM): bars, predicted-versus-actual scatter, horizontal importance bars
//! and the venue × time-slot utilisation heat map.

use plotters::prelude::*;

use campus_occupancy::analytics::UtilisationCell;

const BAR: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
const LINEAR: RGBColor = RGBColor(0xd9, 0x6c, 0x00);
const FOREST: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
const FONT: &str = "sans-serif";

fn err(caption: &str) -> impl Fn(&dyn std::fmt::Display) -> String + '_ {
    move |e| format!("could not draw the chart {caption:?}: {e}")
}

/// Vertical bars of `values` with one label each.
pub fn bar_svg(
    caption: &str,
    x_desc: &str,
    y_desc: &str,
    labels: &[String],
    values: &[f64],
) -> Result<String, String> {
    let err = err(caption);
    let n = u32::try_from(values.len()).unwrap_or(u32::MAX).max(1);
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let top = if max > 0.0 { max * 1.1 } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut plot = ChartBuilder::on(&root)
            .caption(caption, (FONT, 20))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d((0u32..n.max(2) - 1).into_segmented(), 0.0..top)
            .map_err(|e| err(&e))?;
        let label = move |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        plot.configure_mesh()
            .disable_x_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(labels.len().min(24))
            .x_label_formatter(&label)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| err(&e))?;
        plot.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let i = i as u32;
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), v),
                ],
                BAR.filled(),
            );
            bar.set_margin(0, 0, 4, 4);
            bar
        }))
        .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
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
    let err = err(caption);
    let all = actual.iter().chain(linear).chain(forest).copied();
    let max = all.fold(1.0_f64, f64::max) * 1.05;
    let step = (actual.len() / max_points.max(1)).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut plot = ChartBuilder::on(&root)
            .caption(caption, (FONT, 20))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..max, 0.0..max)
            .map_err(|e| err(&e))?;
        plot.configure_mesh()
            .x_desc("Actual attendance")
            .y_desc("Predicted attendance")
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| err(&e))?;
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (max, max)],
            BLACK.stroke_width(1),
        )))
        .map_err(|e| err(&e))?;
        for (name, color, predicted) in [("linear", LINEAR, linear), ("forest", FOREST, forest)] {
            plot.draw_series(
                actual
                    .iter()
                    .zip(predicted)
                    .step_by(step)
                    .map(|(&a, &p)| Circle::new((a, p), 2, color.mix(0.6).filled())),
            )
            .map_err(|e| err(&e))?
            .label(name)
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
        }
        plot.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((FONT, 13))
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}

/// Horizontal bars, largest first, for feature importance.
pub fn importance_svg(names: &[String], values: &[f64]) -> Result<String, String> {
    let caption = "Random forest feature importance";
    let err = err(caption);
    let n = u32::try_from(values.len()).unwrap_or(u32::MAX).max(1);
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let right = if max > 0.0 { max * 1.1 } else { 1.0 };
    let height = 60 + 22 * n;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut plot = ChartBuilder::on(&root)
            .caption(caption, (FONT, 20))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(180)
            .build_cartesian_2d(0.0..right, (0u32..n.max(2) - 1).into_segmented())
            .map_err(|e| err(&e))?;
        let label = move |v: &SegmentValue<u32>| match v {
            // Largest at the top: the y axis grows upwards.
            SegmentValue::CenterOf(i) => (n - 1)
                .checked_sub(*i)
                .and_then(|row| names.get(row as usize))
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        };
        plot.configure_mesh()
            .disable_y_mesh()
            .y_labels(names.len())
            .y_label_formatter(&label)
            .label_style((FONT, 12))
            .draw()
            .map_err(|e| err(&e))?;
        plot.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let row = n - 1 - i as u32;
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(row)),
                    (v, SegmentValue::Exact(row + 1)),
                ],
                BAR.filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))
        .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}

/// White for an empty room, through amber, to deep red at or beyond full.
pub fn heat_colour(utilisation: f64) -> RGBColor {
    let t = (utilisation / 1.2).clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64, t: f64| (a + (b - a) * t).round() as u8;
    if t < 0.5 {
        let t = t * 2.0;
        RGBColor(255, lerp(255.0, 190.0, t), lerp(255.0, 60.0, t))
    } else {
        let t = (t - 0.5) * 2.0;
        RGBColor(
            lerp(255.0, 170.0, t),
            lerp(190.0, 20.0, t),
            lerp(60.0, 20.0, t),
        )
    }
}

/// Venue (rows) × time slot (columns), each cell coloured by mean utilisation.
pub fn heatmap_svg(cells: &[UtilisationCell]) -> Result<String, String> {
    let caption = "Venue utilisation (attendance ÷ capacity) by time slot";
    let err = err(caption);
    let mut venues: Vec<&str> = cells.iter().map(|c| c.venue.as_str()).collect();
    venues.sort_unstable();
    venues.dedup();
    let mut slots: Vec<&str> = cells.iter().map(|c| c.slot.as_str()).collect();
    slots.sort_unstable();
    slots.dedup();
    let n_venues = u32::try_from(venues.len()).unwrap_or(u32::MAX).max(1);
    let n_slots = u32::try_from(slots.len()).unwrap_or(u32::MAX).max(1);
    let height = 90 + 24 * n_venues;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut plot = ChartBuilder::on(&root)
            .caption(caption, (FONT, 20))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(150)
            .build_cartesian_2d(
                (0u32..n_slots.max(2) - 1).into_segmented(),
                (0u32..n_venues.max(2) - 1).into_segmented(),
            )
            .map_err(|e| err(&e))?;
        let slot_label = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) => slots
                .get(*i as usize)
                .map(|s| (*s).to_owned())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let venue_label = |v: &SegmentValue<u32>| match v {
            // The padding segment of a one-venue chart has no name.
            SegmentValue::CenterOf(i) => (n_venues - 1)
                .checked_sub(*i)
                .and_then(|row| venues.get(row as usize))
                .map(|s| (*s).to_owned())
                .unwrap_or_default(),
            _ => String::new(),
        };
        plot.configure_mesh()
            .disable_mesh()
            .x_labels(slots.len())
            .y_labels(venues.len())
            .x_label_formatter(&slot_label)
            .y_label_formatter(&venue_label)
            .label_style((FONT, 12))
            .draw()
            .map_err(|e| err(&e))?;
        plot.draw_series(cells.iter().filter_map(|cell| {
            let x = slots.iter().position(|s| *s == cell.slot)? as u32;
            let y = n_venues - 1 - venues.iter().position(|v| *v == cell.venue)? as u32;
            let mut rect = Rectangle::new(
                [
                    (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                    (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                ],
                heat_colour(cell.mean_utilisation).filled(),
            );
            rect.set_margin(1, 1, 1, 1);
            Some(rect)
        }))
        .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}
