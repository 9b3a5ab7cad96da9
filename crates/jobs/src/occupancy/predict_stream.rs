//! [`PredictStream`]: predictions for a sessions file read in chunks, as `campus occupancy
//! predict` and the page's prediction from a file make them. Memory holds one chunk's rows and
//! their CSV lines, whatever the file's size; the output is the same bytes however the file is
//! cut.

use serde::{Deserialize, Serialize};

use campus_occupancy::features::FAR_FROM_TRAINING;
use campus_occupancy::import::InputStream;
use campus_occupancy::session::{PREDICTION_HEADER, write_row_with_predictions};
use campus_occupancy::{InputRow, ModelBundle};

use crate::{JobError, Notice};

/// How many bytes of a file one step reads: the CLI's read size and the page's slice size.
pub const PREDICT_CHUNK: usize = 256 << 10;

/// How many examples of sessions far from the training data are kept.
pub const MAX_FAR_EXAMPLES: usize = 5;

/// What a finished prediction from a file did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PredictSummary {
    /// When the model was trained.
    pub created_at: String,
    pub n_predicted: usize,
    pub n_overcrowded: usize,
    /// The first located errors of the rows that could not be read.
    pub errors: Vec<String>,
    /// Every row that could not be read, including those whose error was not kept.
    pub n_bad_rows: usize,
    /// Sessions with an input more than [`FAR_FROM_TRAINING`] standard deviations from the
    /// training mean, and the first [`MAX_FAR_EXAMPLES`] of them (`file:line: what`).
    pub n_far: usize,
    pub far_examples: Vec<String>,
}

impl PredictSummary {
    /// What the page says of a finished prediction from `file_name`: the account of its rows
    /// (rows that could not be read are counted, never dropped silently), their located errors
    /// and the sessions far from the training data.
    pub fn notice(&self, file_name: &str) -> Notice {
        let n_bad = self.n_bad_rows;
        let mut details = self.errors.clone();
        if n_bad > self.errors.len() {
            details.push(format!("… {n_bad} bad rows in all"));
        }
        if let Some(warning) = self.far_warning() {
            details.push(warning);
            details.extend(self.far_examples.iter().cloned());
        }
        if self.n_predicted == 0 {
            let text = format!(
                "Nothing predicted from {file_name}: no row could be read. Rows rejected: {n_bad}."
            );
            return Notice::error(text).with_details(details);
        }
        let mut text = format!(
            "Predicted {} sessions of {file_name} with the model of {} ({} flagged overcrowded).",
            self.n_predicted, self.created_at, self.n_overcrowded
        );
        if n_bad > 0 {
            text.push_str(&format!(
                " {n_bad} row(s) could not be read and were skipped: the predictions are incomplete."
            ));
        }
        let notice = if n_bad > 0 {
            Notice::error(text)
        } else {
            Notice::info(text)
        };
        notice.with_details(details)
    }

    /// The warning about sessions far from the training data, if any.
    pub fn far_warning(&self) -> Option<String> {
        (self.n_far > 0).then(|| {
            format!(
                "{} session(s) have inputs more than {FAR_FROM_TRAINING} standard deviations from the training data's mean: the models are guessing there.",
                self.n_far
            )
        })
    }
}

/// A prediction in progress over a file fed chunk by chunk.
pub struct PredictStream {
    bundle: ModelBundle,
    input: InputStream,
    file_name: String,
    summary: PredictSummary,
}

impl PredictStream {
    /// Starts predicting `file_name` with `bundle`.
    pub fn new(bundle: ModelBundle, file_name: &str) -> PredictStream {
        let summary = PredictSummary {
            created_at: bundle.created_at.clone(),
            ..PredictSummary::default()
        };
        PredictStream {
            bundle,
            input: InputStream::new(file_name),
            file_name: file_name.to_owned(),
            summary,
        }
    }

    /// Decodes a saved model (`model_name` names it in the error) and starts predicting.
    pub fn load(
        model_name: &str,
        model: &[u8],
        file_name: &str,
    ) -> Result<PredictStream, JobError> {
        let bundle = ModelBundle::from_bytes(model)
            .map_err(|e| JobError::new(format!("cannot load {model_name}: {e}")))?;
        Ok(PredictStream::new(bundle, file_name))
    }

    /// The output's first line.
    pub fn header() -> &'static str {
        PREDICTION_HEADER
    }

    /// Feeds the next chunk of the file; returns the CSV lines of the rows it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<String, JobError> {
        let rows = self.input.feed(chunk);
        self.predict(&rows)
    }

    /// Ends the file: the CSV lines of its last rows, and what the whole prediction did.
    pub fn finish(mut self) -> Result<(String, PredictSummary), JobError> {
        let rest = std::mem::replace(&mut self.input, InputStream::new(&self.file_name)).finish();
        let csv = self.predict(&rest.rows)?;
        self.summary.errors = rest.errors.iter().map(ToString::to_string).collect();
        self.summary.n_bad_rows = rest.n_bad_rows;
        Ok((csv, self.summary))
    }

    fn predict(&mut self, rows: &[InputRow]) -> Result<String, JobError> {
        let mut csv = String::new();
        if rows.is_empty() {
            return Ok(csv);
        }
        let predictions = self
            .bundle
            .models
            .predict_many(rows.iter().map(|r| &r.input))
            .map_err(|e| JobError::new(format!("the model could not predict: {e}")))?;
        for (row, prediction) in rows.iter().zip(&predictions) {
            write_row_with_predictions(&mut csv, &row.input, row.actual_attendance, prediction);
            self.note_far(row);
        }
        self.summary.n_predicted += rows.len();
        self.summary.n_overcrowded += predictions.iter().filter(|p| p.overcrowded).count();
        Ok(csv)
    }

    fn note_far(&mut self, row: &InputRow) {
        let far = self.bundle.models.encoder.far_from_training(&row.input);
        if far.is_empty() {
            return;
        }
        self.summary.n_far += 1;
        if self.summary.far_examples.len() < MAX_FAR_EXAMPLES {
            let what: Vec<String> = far
                .iter()
                .map(|(column, value, mean, sd)| {
                    format!("{column} {value} (training mean {mean:.1}, sd {sd:.1})")
                })
                .collect();
            self.summary.far_examples.push(format!(
                "{}:{}: {}",
                self.file_name,
                row.line,
                what.join(", ")
            ));
        }
    }
}

/// What the page shows of a prediction from a file: running, then its notice and download.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilePrediction {
    pub file_name: String,
    pub running: bool,
    pub notice: Option<Notice>,
    /// Where the predictions CSV downloads from (an object URL in the browser).
    pub download: Option<String>,
}

impl FilePrediction {
    pub fn started(file_name: &str) -> FilePrediction {
        FilePrediction {
            file_name: file_name.to_owned(),
            running: true,
            ..FilePrediction::default()
        }
    }

    /// The predictions are ready at `download`; there are none to offer if no row was read.
    pub fn done(file_name: &str, summary: &PredictSummary, download: String) -> FilePrediction {
        FilePrediction {
            file_name: file_name.to_owned(),
            running: false,
            notice: Some(summary.notice(file_name)),
            download: (summary.n_predicted > 0).then_some(download),
        }
    }

    pub fn failed(file_name: &str, message: &str) -> FilePrediction {
        FilePrediction {
            file_name: file_name.to_owned(),
            running: false,
            notice: Some(Notice::error(format!(
                "Nothing predicted from {file_name}: {message}"
            ))),
            download: None,
        }
    }

    /// The name the predictions download under: `predictions-NAME`.
    pub fn download_name(&self) -> String {
        format!("predictions-{}", self.file_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_counts_every_row_and_names_the_first_problems() {
        let summary = PredictSummary {
            created_at: "2026-01-01".into(),
            n_predicted: 10,
            n_overcrowded: 2,
            errors: vec!["s.csv:3: column `time`".into()],
            n_bad_rows: 4,
            n_far: 1,
            far_examples: vec!["s.csv:5: enrolled_students 9000".into()],
        };
        let notice = summary.notice("s.csv");
        assert!(notice.is_error);
        assert_eq!(
            notice.text,
            "Predicted 10 sessions of s.csv with the model of 2026-01-01 (2 flagged overcrowded). \
             4 row(s) could not be read and were skipped: the predictions are incomplete."
        );
        assert_eq!(notice.details.len(), 4, "{:?}", notice.details);
        assert_eq!(notice.details[1], "… 4 bad rows in all");
        let clean = PredictSummary {
            n_bad_rows: 0,
            errors: Vec::new(),
            n_far: 0,
            far_examples: Vec::new(),
            ..summary.clone()
        };
        assert!(!clean.notice("s.csv").is_error);
        let none = PredictSummary {
            n_predicted: 0,
            ..summary
        };
        let done = FilePrediction::done("s.csv", &none, "blob:x".into());
        assert_eq!(done.download, None);
        assert!(
            done.notice
                .as_ref()
                .is_some_and(|n| n.text.ends_with("Rows rejected: 4."))
        );
        assert_eq!(done.download_name(), "predictions-s.csv");
    }
}
