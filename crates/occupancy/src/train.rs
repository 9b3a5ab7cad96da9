//! Training all three models on one seeded split, evaluation, k-fold CV and prediction.

use serde::{Deserialize, Serialize};

use crate::features::{FeatureEncoder, Matrix};
use crate::forest::{ForestConfig, ForestError, ForestModel};
use crate::linear::{LinearConfig, LinearError, LinearModel};
use crate::metrics::{
    ClassificationMetrics, RegressionMetrics, classification_metrics, regression_metrics,
};
use crate::progress::{Hooks, Stage};
use crate::session::{Session, SessionInput, write_csv};
use crate::split::{Split, k_folds, train_test_split};
use crate::svm::{SvmConfig, SvmError, SvmModel};

/// Every hyperparameter of a run; stored in the bundle so a version says how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Share of rows held back for evaluation (default 0.2).
    pub test_fraction: f64,
    pub split_seed: u64,
    pub linear: LinearConfig,
    pub forest: ForestConfig,
    pub svm: SvmConfig,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            test_fraction: 0.2,
            split_seed: 42,
            linear: LinearConfig::default(),
            forest: ForestConfig::default(),
            svm: SvmConfig::default(),
        }
    }
}

/// The fitted encoder and models: everything prediction needs.
#[derive(Debug, Serialize, Deserialize)]
pub struct Models {
    pub encoder: FeatureEncoder,
    pub linear: LinearModel,
    pub forest: ForestModel,
    pub svm: SvmModel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    pub feature: String,
    pub importance: f64,
}

/// Metrics of every model on the same held-back rows, plus what the dashboard plots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub n_train: usize,
    pub n_test: usize,
    pub linear: RegressionMetrics,
    pub forest: RegressionMetrics,
    pub svm: ClassificationMetrics,
    /// Forest importances, largest first.
    pub feature_importance: Vec<FeatureImportance>,
    /// Row indices (into the training data) of the held-back rows, and per-row results.
    pub test_rows: Vec<u32>,
    pub test_actual: Vec<f64>,
    pub linear_predictions: Vec<f64>,
    pub forest_predictions: Vec<f64>,
    pub svm_margins: Vec<f64>,
}

/// One trained version: the models and what the registry lists about them.
#[derive(Debug, Serialize, Deserialize)]
pub struct ModelBundle {
    /// Supplied by the caller (core code has no clock), e.g. an RFC 3339 timestamp.
    pub created_at: String,
    /// SHA-256 (hex) of the training data written in the canonical CSV layout, so the same
    /// sessions give the same fingerprint whether generated or imported.
    pub data_fingerprint: String,
    pub n_rows: usize,
    pub config: TrainConfig,
    pub models: Models,
    pub evaluation: Evaluation,
}

/// What the models say about one session.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub linear_attendance: f64,
    pub forest_attendance: f64,
    pub overcrowded: bool,
    /// The SVM's signed margin; positive means overcrowded, larger means surer.
    pub svm_margin: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    #[error("training needs at least {needed} sessions, got {found}")]
    TooFewRows { needed: usize, found: usize },
    #[error(transparent)]
    Linear(#[from] LinearError),
    #[error(transparent)]
    Forest(ForestError),
    #[error(transparent)]
    Svm(SvmError),
    #[error("training was cancelled")]
    Cancelled,
}

impl From<ForestError> for TrainError {
    fn from(e: ForestError) -> Self {
        if e == ForestError::Cancelled {
            TrainError::Cancelled
        } else {
            TrainError::Forest(e)
        }
    }
}

impl From<SvmError> for TrainError {
    fn from(e: SvmError) -> Self {
        if e == SvmError::Cancelled {
            TrainError::Cancelled
        } else {
            TrainError::Svm(e)
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PredictError {
    #[error(transparent)]
    Forest(#[from] ForestError),
}

/// Fewer rows than this cannot be split and still fit a forest meaningfully.
pub const MIN_ROWS: usize = 10;

/// SHA-256 (hex) of the sessions in canonical CSV form.
pub fn data_fingerprint(sessions: &[Session]) -> String {
    let digest = crate::bundle::sha256(write_csv(sessions).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Splits, trains all three models on the training rows and evaluates them on the held-back
/// rows. `created_at` is stored as given.
pub fn train(
    sessions: &[Session],
    config: &TrainConfig,
    created_at: &str,
    hooks: &mut Hooks<'_>,
) -> Result<ModelBundle, TrainError> {
    if sessions.len() < MIN_ROWS {
        return Err(TrainError::TooFewRows {
            needed: MIN_ROWS,
            found: sessions.len(),
        });
    }
    let split = train_test_split(sessions.len(), config.test_fraction, config.split_seed);
    let (models, evaluation) = fit_and_evaluate(sessions, &split, config, hooks)?;
    Ok(ModelBundle {
        created_at: created_at.to_owned(),
        data_fingerprint: data_fingerprint(sessions),
        n_rows: sessions.len(),
        config: config.clone(),
        models,
        evaluation,
    })
}

/// The metrics of one cross-validation fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldMetrics {
    pub linear: RegressionMetrics,
    pub forest: RegressionMetrics,
    pub svm: ClassificationMetrics,
}

/// k-fold cross-validation (seeded with `config.split_seed`): every model on every fold.
pub fn cross_validate(
    sessions: &[Session],
    config: &TrainConfig,
    k: usize,
    hooks: &mut Hooks<'_>,
) -> Result<Vec<FoldMetrics>, TrainError> {
    if sessions.len() < MIN_ROWS.max(k) {
        return Err(TrainError::TooFewRows {
            needed: MIN_ROWS.max(k),
            found: sessions.len(),
        });
    }
    let mut folds = Vec::new();
    for split in k_folds(sessions.len(), k, config.split_seed) {
        let (_, evaluation) = fit_and_evaluate(sessions, &split, config, hooks)?;
        folds.push(FoldMetrics {
            linear: evaluation.linear,
            forest: evaluation.forest,
            svm: evaluation.svm,
        });
    }
    Ok(folds)
}

fn fit_and_evaluate(
    sessions: &[Session],
    split: &Split,
    config: &TrainConfig,
    hooks: &mut Hooks<'_>,
) -> Result<(Models, Evaluation), TrainError> {
    hooks.report(Stage::Encoding, 0.0);
    let pick = |rows: &[usize]| -> Vec<&Session> {
        rows.iter().filter_map(|r| sessions.get(*r)).collect()
    };
    let train_rows = pick(&split.train);
    let test_rows = pick(&split.test);
    let encoder = FeatureEncoder::fit(train_rows.iter().map(|s| &s.input));
    let x_train = encoder.encode(train_rows.iter().map(|s| &s.input));
    let x_test = encoder.encode(test_rows.iter().map(|s| &s.input));
    let y_train: Vec<f64> = train_rows
        .iter()
        .map(|s| f64::from(s.actual_attendance))
        .collect();
    let y_test: Vec<f64> = test_rows
        .iter()
        .map(|s| f64::from(s.actual_attendance))
        .collect();
    let labels_train: Vec<bool> = train_rows.iter().map(|s| s.overcrowded()).collect();
    let labels_test: Vec<bool> = test_rows.iter().map(|s| s.overcrowded()).collect();

    check_cancel(hooks)?;
    hooks.report(Stage::Linear, 0.0);
    let linear = LinearModel::fit(&x_train, &y_train, &config.linear)?;
    check_cancel(hooks)?;
    hooks.report(Stage::Forest, 0.0);
    let forest = ForestModel::fit(&x_train, &y_train, &config.forest, hooks)?;
    hooks.report(Stage::Svm, 0.0);
    let svm = SvmModel::fit(&x_train, &labels_train, &config.svm, hooks)?;

    hooks.report(Stage::Evaluating, 0.0);
    let linear_predictions = linear.predict(&x_test);
    let forest_predictions = forest.predict(&x_test)?;
    let svm_margins = margins(&svm, &x_test);
    let svm_verdicts: Vec<bool> = svm_margins.iter().map(|m| *m > 0.0).collect();
    let names = encoder.feature_names();
    let mut feature_importance: Vec<FeatureImportance> = names
        .into_iter()
        .zip(forest.feature_importances()?)
        .map(|(feature, importance)| FeatureImportance {
            feature,
            importance,
        })
        .collect();
    feature_importance.sort_by(|a, b| b.importance.total_cmp(&a.importance));
    let evaluation = Evaluation {
        n_train: split.train.len(),
        n_test: split.test.len(),
        linear: regression_metrics(&y_test, &linear_predictions),
        forest: regression_metrics(&y_test, &forest_predictions),
        svm: classification_metrics(&labels_test, &svm_verdicts),
        feature_importance,
        test_rows: split.test.iter().map(|r| *r as u32).collect(),
        test_actual: y_test,
        linear_predictions,
        forest_predictions,
        svm_margins,
    };
    hooks.report(Stage::Evaluating, 1.0);
    Ok((
        Models {
            encoder,
            linear,
            forest,
            svm,
        },
        evaluation,
    ))
}

fn check_cancel(hooks: &Hooks<'_>) -> Result<(), TrainError> {
    if hooks.cancelled() {
        Err(TrainError::Cancelled)
    } else {
        Ok(())
    }
}

fn margins(svm: &SvmModel, x: &Matrix) -> Vec<f64> {
    (0..x.n_rows)
        .map(|r| svm.decision_function(x.row(r)))
        .collect()
}

impl Models {
    /// Predicts one session; categories the encoder never saw encode as all-zero blocks.
    pub fn predict(&self, input: &SessionInput) -> Result<Prediction, PredictError> {
        let row = self.encoder.encode_row(input);
        let svm_margin = self.svm.decision_function(&row);
        Ok(Prediction {
            linear_attendance: self.linear.predict_row(&row),
            forest_attendance: self.forest.predict_row(&row)?,
            overcrowded: svm_margin > 0.0,
            svm_margin,
        })
    }

    /// Predicts many sessions at once (the forest is faster on a batch).
    pub fn predict_many<'a>(
        &self,
        inputs: impl Iterator<Item = &'a SessionInput>,
    ) -> Result<Vec<Prediction>, PredictError> {
        let x = self.encoder.encode(inputs);
        let forest = self.forest.predict(&x)?;
        Ok((0..x.n_rows)
            .zip(forest)
            .map(|(r, forest_attendance)| {
                let row = x.row(r);
                let svm_margin = self.svm.decision_function(row);
                Prediction {
                    linear_attendance: self.linear.predict_row(row),
                    forest_attendance,
                    overcrowded: svm_margin > 0.0,
                    svm_margin,
                }
            })
            .collect())
    }
}

impl ModelBundle {
    pub fn predict(&self, input: &SessionInput) -> Result<Prediction, PredictError> {
        self.models.predict(input)
    }
}
