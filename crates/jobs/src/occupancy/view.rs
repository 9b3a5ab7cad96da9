//! What the occupancy section shows, as text and figure data: the page only lays it out and
//! draws the given points and labels.

use campus_occupancy::analytics::GroupStats;
use campus_occupancy::metrics::{CLASS_NAMES, ClassificationMetrics};
use campus_occupancy::svm::{ClassWeight, Gamma, KernelConfig};
use campus_occupancy::train::Evaluation;
use campus_occupancy::{Analytics, Stage};

use super::registry::VersionMeta;
use crate::format::group;

/// A figure's table for screen readers: a label and a value per row.
pub type Rows = Vec<(String, String)>;

/// `2026-11-30T09:41:07.123Z` as `2026-11-30 09:41`: short enough for one line of a table (the
/// full text goes in a tooltip).
pub fn compact_time(iso: &str) -> String {
    let minutes: String = iso.chars().take(16).collect();
    minutes.replacen('T', " ", 1)
}

/// How a training stage is named in the progress line.
pub fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Encoding => "Encoding features",
        Stage::Linear => "Linear regression",
        Stage::Forest => "Random forest",
        Stage::Svm => "Support vector classifier",
        Stage::Evaluating => "Evaluating on the held-back rows",
    }
}

/// The layout a session CSV must have, for the empty dataset's hint.
pub const CSV_LAYOUT: &str = "date,time,school,venue,venue_capacity,weekday,semester_day,\
    exam_week,enrolled_students,prev_attendance,rolling_avg_3,rolling_avg_5,trend_delta,\
    actual_attendance";

/// The dataset's one-line summary, `None` when there is none (the page then shows the layout).
pub fn data_summary(n_rows: usize, overcrowded_share: Option<f64>) -> Option<String> {
    overcrowded_share.map(|share| {
        format!(
            "{} sessions in the dataset · {:.1}% overcrowded",
            group(n_rows as u64),
            share * 100.0
        )
    })
}

/// One version's cells in the registry's list after its name: created, origin, rows, data,
/// linear R², forest R², SVM accuracy, size. The flag marks a number.
pub fn version_cells(v: &VersionMeta) -> [(String, bool); 8] {
    [
        (compact_time(&v.created_at), false),
        (v.origin.clone(), false),
        (v.n_rows.to_string(), true),
        (v.data_fingerprint.chars().take(10).collect(), false),
        (format!("{:.3}", v.linear.r2), true),
        (format!("{:.3}", v.forest.r2), true),
        (format!("{:.3}", v.svm.accuracy), true),
        (format!("{:.1} MB", v.n_bytes as f64 / 1e6), true),
    ]
}

fn kernel(v: &VersionMeta) -> String {
    match v.config.svm.kernel {
        KernelConfig::Linear => "linear".to_owned(),
        KernelConfig::Rbf {
            gamma: Gamma::Scale,
        } => "rbf, γ scale".to_owned(),
        KernelConfig::Rbf {
            gamma: Gamma::Value(g),
        } => format!("rbf, γ {g}"),
    }
}

fn class_weight(v: &VersionMeta) -> String {
    match v.config.svm.class_weight {
        ClassWeight::Uniform => "uniform".to_owned(),
        ClassWeight::Balanced => "balanced".to_owned(),
        ClassWeight::Custom {
            overcrowded,
            not_overcrowded,
        } => format!("{overcrowded} : {not_overcrowded}"),
    }
}

/// Rows of the comparison table: a name and how to show it for one version.
type CompareRow = (&'static str, fn(&VersionMeta) -> String);

const COMPARE_ROWS: [CompareRow; 17] = [
    ("Created", |v| v.created_at.clone()),
    ("Origin", |v| v.origin.clone()),
    ("Rows (train / test)", |v| {
        format!("{} ({} / {})", v.n_rows, v.n_train, v.n_test)
    }),
    ("Data fingerprint", |v| {
        v.data_fingerprint.chars().take(16).collect()
    }),
    ("Linear MAE", |v| format!("{:.2}", v.linear.mae)),
    ("Linear RMSE", |v| format!("{:.2}", v.linear.rmse)),
    ("Linear R²", |v| format!("{:.3}", v.linear.r2)),
    ("Forest MAE", |v| format!("{:.2}", v.forest.mae)),
    ("Forest RMSE", |v| format!("{:.2}", v.forest.rmse)),
    ("Forest R²", |v| format!("{:.3}", v.forest.r2)),
    ("SVM accuracy", |v| format!("{:.3}", v.svm.accuracy)),
    ("SVM F1 (overcrowded)", |v| {
        format!("{:.3}", v.svm.per_class[1].f1)
    }),
    ("Forest trees / depth", |v| {
        format!(
            "{} / {}",
            v.config.forest.n_trees,
            v.config
                .forest
                .max_depth
                .map_or("none".to_owned(), |d| d.to_string())
        )
    }),
    ("SVM kernel", kernel),
    ("SVM C", |v| v.config.svm.c.to_string()),
    ("SVM class weight", class_weight),
    ("Split (test share, seed)", |v| {
        format!("{}, {}", v.config.test_fraction, v.config.split_seed)
    }),
];

/// The comparison table: per row a name and one cell per version.
pub fn compare_rows(versions: &[&VersionMeta]) -> Vec<(&'static str, Vec<String>)> {
    COMPARE_ROWS
        .iter()
        .map(|(name, show)| (*name, versions.iter().map(|v| show(v)).collect()))
        .collect()
}

/// The SVM's report as table rows: class, precision, recall, F1, support.
pub fn svm_rows(svm: &ClassificationMetrics) -> Vec<[String; 5]> {
    CLASS_NAMES
        .iter()
        .zip(&svm.per_class)
        .map(|(name, m)| {
            [
                (*name).to_owned(),
                format!("{:.3}", m.precision),
                format!("{:.3}", m.recall),
                format!("{:.3}", m.f1),
                m.support.to_string(),
            ]
        })
        .collect()
}

/// A bar chart to draw: one label and value per bar, and its table.
#[derive(Clone, Debug, PartialEq)]
pub struct BarFigure {
    pub test_id: &'static str,
    pub caption: &'static str,
    pub x_desc: &'static str,
    pub y_desc: &'static str,
    pub labels: Vec<String>,
    pub values: Vec<f64>,
    pub rows: Rows,
}

/// Axis labels longer than this are cut with an ellipsis (the table has the full names).
pub const LABEL_CHARS: usize = 12;

fn short_label(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS {
        return text.to_owned();
    }
    text.chars().take(LABEL_CHARS - 1).chain(['…']).collect()
}

fn bars(
    ids: (&'static str, &'static str),
    x_desc: &'static str,
    y_desc: &'static str,
    groups: &[GroupStats],
    value: fn(&GroupStats) -> f64,
) -> BarFigure {
    let values: Vec<f64> = groups.iter().map(value).collect();
    BarFigure {
        test_id: ids.0,
        caption: ids.1,
        x_desc,
        y_desc,
        labels: groups.iter().map(|g| short_label(&g.key)).collect(),
        rows: groups
            .iter()
            .zip(&values)
            .map(|(g, v)| {
                let name = format!("{} ({} sessions)", g.key, g.n_sessions);
                (name, format!("{v:.1}"))
            })
            .collect(),
        values,
    }
}

/// Every bar chart of the dataset's analytics.
pub fn bar_figures(a: &Analytics) -> Vec<BarFigure> {
    let attendance: fn(&GroupStats) -> f64 = |g| g.mean_attendance;
    let risk: fn(&GroupStats) -> f64 = |g| g.overcrowded_share * 100.0;
    let (slot, school, risk_y) = ("Start time", "School", "% overcrowded");
    vec![
        bars(
            ("chart-weekday", "Mean attendance by weekday"),
            "Weekday",
            "Attendance",
            &a.by_weekday,
            attendance,
        ),
        bars(
            ("chart-slot", "Mean attendance by time slot"),
            slot,
            "Attendance",
            &a.by_time_slot,
            attendance,
        ),
        bars(
            ("chart-school", "Mean attendance by school"),
            school,
            "Attendance",
            &a.by_school,
            attendance,
        ),
        bars(
            ("chart-exam", "Mean attendance outside and in exam weeks"),
            "Exam week",
            "Attendance",
            &a.by_exam_week,
            attendance,
        ),
        bars(
            ("chart-risk-slot", "Overcrowding risk by time slot"),
            slot,
            risk_y,
            &a.by_time_slot,
            risk,
        ),
        bars(
            ("chart-risk-school", "Overcrowding risk by school"),
            school,
            risk_y,
            &a.by_school,
            risk,
        ),
    ]
}

/// The venue × time-slot heat map to draw: column names, row names (bottom first, as the y
/// axis grows upwards, so the first venue alphabetically is at the top) and each cell with its
/// column, row and colour.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeatmapFigure {
    pub slots: Vec<String>,
    pub venues: Vec<String>,
    pub cells: Vec<(u32, u32, (u8, u8, u8))>,
    pub rows: Rows,
}

/// The heat map's key: utilisation steps as labels with their colours.
pub fn heat_legend() -> Vec<(String, (u8, u8, u8))> {
    [0.0, 0.3, 0.6, 0.9, 1.2]
        .into_iter()
        .map(|u: f64| {
            let plus = if u >= 1.2 { "+" } else { "" };
            (format!("{:.0}%{plus}", u * 100.0), heat_colour(u))
        })
        .collect()
}

/// White for an empty room, through amber, to deep red at or beyond 120% full.
pub fn heat_colour(utilisation: f64) -> (u8, u8, u8) {
    let t = (utilisation / 1.2).clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64, t: f64| (a + (b - a) * t).round() as u8;
    if t < 0.5 {
        let t = t * 2.0;
        (255, lerp(255.0, 190.0, t), lerp(255.0, 60.0, t))
    } else {
        let t = (t - 0.5) * 2.0;
        (
            lerp(255.0, 170.0, t),
            lerp(190.0, 20.0, t),
            lerp(60.0, 20.0, t),
        )
    }
}

fn sorted_unique<'a>(names: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut names: Vec<String> = names.cloned().collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The heat map of the dataset's utilisation cells.
pub fn heatmap_figure(a: &Analytics) -> HeatmapFigure {
    let slots = sorted_unique(a.utilisation.iter().map(|c| &c.slot));
    let mut venues = sorted_unique(a.utilisation.iter().map(|c| &c.venue));
    // The first venue alphabetically at the top.
    venues.reverse();
    let cells = a
        .utilisation
        .iter()
        .filter_map(|c| {
            let x = slots.iter().position(|s| *s == c.slot)?;
            let y = venues.iter().position(|v| *v == c.venue)?;
            Some((x as u32, y as u32, heat_colour(c.mean_utilisation)))
        })
        .collect();
    let rows = a
        .utilisation
        .iter()
        .map(|c| {
            (
                format!("{} at {} ({} sessions)", c.venue, c.slot, c.n_sessions),
                format!("{:.0}%", c.mean_utilisation * 100.0),
            )
        })
        .collect();
    HeatmapFigure {
        slots,
        venues,
        cells,
        rows,
    }
}

/// The forest's `top` most important features, bottom first as the chart's y axis grows
/// upwards, and their table (largest first).
pub fn importance_figure(e: &Evaluation, top: usize) -> (Vec<String>, Vec<f64>, Rows) {
    let shown = e.feature_importance.iter().take(top);
    let rows = shown
        .clone()
        .map(|f| (f.feature.clone(), format!("{:.4}", f.importance)))
        .collect();
    let (names, values) = shown
        .rev()
        .map(|f| (f.feature.clone(), f.importance))
        .unzip();
    (names, values, rows)
}
