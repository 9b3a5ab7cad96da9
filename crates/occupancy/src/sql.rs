//! The occupancy data as SQL tables, for any [`campus_schema::Dataset`] writer (the seed-script
//! writer of `campus_sql` writes it in every dialect): the sessions, a trained model version with
//! its metrics, and that version's predictions for the sessions it held back.

use campus_schema::{Column, ColumnType, Dataset, Date, RowSink, Table, Time};

use crate::session::Session;
use crate::train::ModelBundle;

/// `occupancy_sessions`: one row per session, ids from 1 in the order of the data.
pub fn sessions_table() -> Table {
    let double = |name: &'static str| Column::new(name, ColumnType::Double);
    Table::new(
        "occupancy_sessions",
        vec![
            Column::id("session_id"),
            // Imported dates are checked as text only; one that is no calendar day is NULL.
            Column::new("date", ColumnType::Date).nullable(),
            Column::new("time", ColumnType::Time),
            Column::new("school", ColumnType::Text),
            Column::new("venue", ColumnType::Text),
            Column::new("venue_capacity", ColumnType::Int),
            Column::new("weekday", ColumnType::Text),
            Column::new("semester_day", ColumnType::Int),
            Column::new("exam_week", ColumnType::Bool),
            Column::new("enrolled_students", ColumnType::Int),
            double("prev_attendance"),
            double("rolling_avg_3"),
            double("rolling_avg_5"),
            double("trend_delta"),
            Column::new("actual_attendance", ColumnType::Int),
        ],
    )
}

/// `occupancy_model_versions`: one row per trained version, with its held-back metrics (the
/// classifier's for the overcrowded class).
pub fn model_versions_table() -> Table {
    let double = |name: &'static str| Column::new(name, ColumnType::Double);
    Table::new(
        "occupancy_model_versions",
        vec![
            Column::id("version_id"),
            Column::new("created_at", ColumnType::VarChar(64)),
            Column::new("data_fingerprint", ColumnType::VarChar(64)),
            Column::new("n_rows", ColumnType::Int),
            Column::new("n_train", ColumnType::Int),
            Column::new("n_test", ColumnType::Int),
            double("linear_mae"),
            double("linear_rmse"),
            double("linear_r2"),
            double("forest_mae"),
            double("forest_rmse"),
            double("forest_r2"),
            double("svm_accuracy"),
            double("svm_precision"),
            double("svm_recall"),
            double("svm_f1"),
        ],
    )
}

/// `occupancy_predictions`: what a version predicted for each session it held back.
pub fn predictions_table() -> Table {
    let double = |name: &'static str| Column::new(name, ColumnType::Double);
    Table::new(
        "occupancy_predictions",
        vec![
            Column::id("prediction_id"),
            Column::fk("version_id", "occupancy_model_versions", "version_id"),
            Column::fk("session_id", "occupancy_sessions", "session_id"),
            double("linear_attendance"),
            double("forest_attendance"),
            Column::new("overcrowded", ColumnType::Bool),
            double("svm_margin"),
        ],
    )
}

/// The sessions and, when given, one model version trained on them with its predictions.
pub struct OccupancySql<'a> {
    tables: Vec<Table>,
    sessions: &'a [Session],
    bundle: Option<&'a ModelBundle>,
}

impl<'a> OccupancySql<'a> {
    /// The sessions table alone.
    pub fn sessions(sessions: &'a [Session]) -> OccupancySql<'a> {
        OccupancySql {
            tables: vec![sessions_table()],
            sessions,
            bundle: None,
        }
    }

    /// The sessions `bundle` was trained on (in the same order), the version and its
    /// predictions for the held-back sessions.
    pub fn trained(sessions: &'a [Session], bundle: &'a ModelBundle) -> OccupancySql<'a> {
        OccupancySql {
            tables: vec![
                sessions_table(),
                model_versions_table(),
                predictions_table(),
            ],
            sessions,
            bundle: Some(bundle),
        }
    }

    fn write_session(&self, row: usize, sink: &mut dyn RowSink) {
        let Some(session) = self.sessions.get(row) else {
            return;
        };
        let input = &session.input;
        sink.int(row as i64 + 1);
        match Date::parse_iso(&input.date) {
            Some(date) => sink.date(date),
            None => sink.null(),
        }
        sink.time(Time {
            seconds: u32::from(input.time_minutes) * 60,
        });
        sink.text(&input.school);
        sink.text(&input.venue);
        sink.int(i64::from(input.venue_capacity));
        sink.text(&input.weekday);
        sink.int(i64::from(input.semester_day));
        sink.bool(input.exam_week);
        sink.int(i64::from(input.enrolled_students));
        sink.float(input.prev_attendance);
        sink.float(input.rolling_avg_3);
        sink.float(input.rolling_avg_5);
        sink.float(input.trend_delta);
        sink.int(i64::from(session.actual_attendance));
        sink.end_row();
    }

    fn write_version(bundle: &ModelBundle, sink: &mut dyn RowSink) {
        let evaluation = &bundle.evaluation;
        let overcrowded = &evaluation.svm.per_class[1];
        sink.int(1);
        sink.text(&bundle.created_at);
        sink.text(&bundle.data_fingerprint);
        sink.int(bundle.n_rows as i64);
        sink.int(evaluation.n_train as i64);
        sink.int(evaluation.n_test as i64);
        for value in [
            evaluation.linear.mae,
            evaluation.linear.rmse,
            evaluation.linear.r2,
            evaluation.forest.mae,
            evaluation.forest.rmse,
            evaluation.forest.r2,
            evaluation.svm.accuracy,
            overcrowded.precision,
            overcrowded.recall,
            overcrowded.f1,
        ] {
            sink.float(value);
        }
        sink.end_row();
    }

    fn write_prediction(bundle: &ModelBundle, row: usize, sink: &mut dyn RowSink) {
        let evaluation = &bundle.evaluation;
        let at = |values: &[f64]| values.get(row).copied().unwrap_or(0.0);
        let session = evaluation.test_rows.get(row).copied().unwrap_or(0);
        let margin = at(&evaluation.svm_margins);
        sink.int(row as i64 + 1);
        sink.int(1);
        sink.int(i64::from(session) + 1);
        sink.float(at(&evaluation.linear_predictions));
        sink.float(at(&evaluation.forest_predictions));
        sink.bool(margin > 0.0);
        sink.float(margin);
        sink.end_row();
    }
}

impl Dataset for OccupancySql<'_> {
    fn tables(&self) -> &[Table] {
        &self.tables
    }

    fn n_rows(&self, table_idx: usize) -> u64 {
        match (table_idx, self.bundle) {
            (0, _) => self.sessions.len() as u64,
            (1, Some(_)) => 1,
            (2, Some(bundle)) => bundle.evaluation.test_rows.len() as u64,
            _ => 0,
        }
    }

    fn write_row(&self, table_idx: usize, row_idx: u64, sink: &mut dyn RowSink) {
        let row = usize::try_from(row_idx).unwrap_or(usize::MAX);
        match (table_idx, self.bundle) {
            (0, _) => self.write_session(row, sink),
            (1, Some(bundle)) => OccupancySql::write_version(bundle, sink),
            (2, Some(bundle)) => OccupancySql::write_prediction(bundle, row, sink),
            _ => {}
        }
    }

    fn provenance(&self) -> Vec<String> {
        let mut lines = vec![format!("{} occupancy sessions", self.sessions.len())];
        if let Some(bundle) = self.bundle {
            lines.push(format!(
                "model version trained {} on data {}",
                bundle.created_at, bundle.data_fingerprint
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GenerateConfig, generate};

    /// Collects the values as text, one row a line, and counts them.
    #[derive(Default)]
    struct Text(String, usize);

    impl RowSink for Text {
        fn int(&mut self, value: i64) {
            self.1 += 1;
            self.0 += &format!("{value},");
        }
        fn text(&mut self, value: &str) {
            self.1 += 1;
            self.0 += &format!("{value},");
        }
        fn decimal(&mut self, units: i64, scale: u8) {
            self.1 += 1;
            self.0 += &format!("{units}e-{scale},");
        }
        fn float(&mut self, value: f64) {
            self.1 += 1;
            self.0 += &format!("{value},");
        }
        fn bool(&mut self, value: bool) {
            self.1 += 1;
            self.0 += &format!("{value},");
        }
        fn date(&mut self, value: Date) {
            self.1 += 1;
            self.0 += &format!("{value:?},");
        }
        fn time(&mut self, value: Time) {
            self.1 += 1;
            self.0 += &format!("{},", value.seconds);
        }
        fn null(&mut self) {
            self.1 += 1;
            self.0 += "NULL,";
        }
        fn end_row(&mut self) {
            self.0 += "\n";
        }
    }

    #[test]
    fn each_session_row_has_one_value_per_column() {
        let sessions = generate(&GenerateConfig {
            n_sessions: 50,
            ..GenerateConfig::default()
        });
        let data = OccupancySql::sessions(&sessions);
        assert_eq!(data.n_rows(0), 50);
        assert_eq!(data.n_rows(1), 0);
        let mut text = Text::default();
        data.write_row(0, 0, &mut text);
        assert_eq!(text.1, sessions_table().columns.len());
        assert!(text.0.starts_with("1,"), "{}", text.0);
        assert!(!text.0.contains("NULL"), "{}", text.0);
    }
}
