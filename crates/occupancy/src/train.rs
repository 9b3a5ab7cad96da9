//! Training all three models on one seeded split, evaluation, k-fold CV and prediction.

use serde::{Deserialize, Serialize};

use crate::features::{FeatureEncoder, Matrix};
use crate::forest::{
    FittedChunk, ForestConfig, ForestError, ForestFit, ForestJob, ForestModel, OneByOne, Spread,
};
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
    #[error("this training has already finished")]
    Finished,
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
    crate::bundle::sha256_hex(write_csv(sessions).as_bytes())
}

/// Splits, trains all three models on the training rows and evaluates them on the held-back
/// rows. `created_at` is stored as given.
pub fn train(
    sessions: &[Session],
    config: &TrainConfig,
    created_at: &str,
    hooks: &mut Hooks<'_>,
) -> Result<ModelBundle, TrainError> {
    let mut training = Training::start(sessions, config, created_at, hooks)?;
    loop {
        check_cancel(hooks)?;
        if let Some(bundle) = training.step(hooks)? {
            return Ok(*bundle);
        }
    }
}

/// [`train`] one bounded step at a time: the encoding when it starts, then the linear model,
/// the forest's chunks of trees one per step, the SVM, and the evaluation, which gives the
/// bundle. Between two steps a caller may report, or stop by dropping it.
pub struct Training {
    created_at: String,
    data_fingerprint: String,
    n_rows: usize,
    config: TrainConfig,
    fit: Fit,
}

impl Training {
    /// Checks the row count, splits and encodes (the [`Stage::Encoding`] step).
    pub fn start(
        sessions: &[Session],
        config: &TrainConfig,
        created_at: &str,
        hooks: &mut Hooks<'_>,
    ) -> Result<Training, TrainError> {
        if sessions.len() < MIN_ROWS {
            return Err(TrainError::TooFewRows {
                needed: MIN_ROWS,
                found: sessions.len(),
            });
        }
        let split = train_test_split(sessions.len(), config.test_fraction, config.split_seed);
        let fit = Fit::start(sessions, &split, config, hooks);
        Ok(Training {
            created_at: created_at.to_owned(),
            data_fingerprint: data_fingerprint(sessions),
            n_rows: sessions.len(),
            config: config.clone(),
            fit,
        })
    }

    /// The stage the next step works in.
    pub fn stage(&self) -> Stage {
        self.fit.stage()
    }

    /// See [`Fit::set_spread`].
    pub fn set_spread(&mut self, spread: std::sync::Arc<dyn Spread>) {
        self.fit.set_spread(spread);
    }

    /// See [`Fit::forest_job`].
    pub fn forest_job(&self) -> Option<ForestJob> {
        self.fit.forest_job()
    }

    /// See [`Fit::accept_chunk`].
    pub fn accept_chunk(
        &mut self,
        chunk: FittedChunk,
        hooks: &mut Hooks<'_>,
    ) -> Result<(), TrainError> {
        self.fit.accept_chunk(chunk, hooks)
    }

    /// Does the next step; the last one gives the trained version.
    pub fn step(&mut self, hooks: &mut Hooks<'_>) -> Result<Option<Box<ModelBundle>>, TrainError> {
        let FitStep::Done(fitted) = self.fit.step(hooks)? else {
            return Ok(None);
        };
        let (models, evaluation) = *fitted;
        Ok(Some(Box::new(ModelBundle {
            created_at: self.created_at.clone(),
            data_fingerprint: self.data_fingerprint.clone(),
            n_rows: self.n_rows,
            config: self.config.clone(),
            models,
            evaluation,
        })))
    }
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
    let mut fit = Fit::start(sessions, split, config, hooks);
    loop {
        check_cancel(hooks)?;
        if let FitStep::Done(fitted) = fit.step(hooks)? {
            return Ok(*fitted);
        }
    }
}

/// What one [`Fit::step`] came to.
pub enum FitStep {
    /// More steps follow.
    Working,
    /// The fitted models and their evaluation on the held-back rows.
    Done(Box<(Models, Evaluation)>),
}

/// The fit of all three models on one split and their evaluation, one bounded step at a time.
pub struct Fit {
    config: TrainConfig,
    /// Taken by the evaluation, into the models.
    encoder: Option<FeatureEncoder>,
    x_train: Matrix,
    x_test: Matrix,
    y_train: Vec<f64>,
    y_test: Vec<f64>,
    labels_train: Vec<bool>,
    labels_test: Vec<bool>,
    n_train: usize,
    test_rows: Vec<u32>,
    phase: Phase,
    /// Where the forest's chunks of trees run (one step fits as many as it runs at once).
    spread: std::sync::Arc<dyn Spread>,
}

/// Where a [`Fit`] is; each phase holds the models fitted before it.
enum Phase {
    Linear,
    Forest(LinearModel, Option<ForestFit>),
    Svm(LinearModel, ForestModel),
    Evaluating(LinearModel, ForestModel, SvmModel),
    /// Finished (or failed); further steps are an error.
    Done,
}

impl Fit {
    /// Encodes the split's rows (the [`Stage::Encoding`] step).
    pub fn start(
        sessions: &[Session],
        split: &Split,
        config: &TrainConfig,
        hooks: &mut Hooks<'_>,
    ) -> Fit {
        hooks.report(Stage::Encoding, 0.0);
        let pick = |rows: &[usize]| -> Vec<&Session> {
            rows.iter().filter_map(|r| sessions.get(*r)).collect()
        };
        let train_rows = pick(&split.train);
        let test_rows = pick(&split.test);
        let encoder = FeatureEncoder::fit(train_rows.iter().map(|s| &s.input));
        let x_train = encoder.encode(train_rows.iter().map(|s| &s.input));
        let x_test = encoder.encode(test_rows.iter().map(|s| &s.input));
        let attendance = |rows: &[&Session]| -> Vec<f64> {
            rows.iter()
                .map(|s| f64::from(s.actual_attendance))
                .collect()
        };
        Fit {
            config: config.clone(),
            y_train: attendance(&train_rows),
            y_test: attendance(&test_rows),
            labels_train: train_rows.iter().map(|s| s.overcrowded()).collect(),
            labels_test: test_rows.iter().map(|s| s.overcrowded()).collect(),
            encoder: Some(encoder),
            x_train,
            x_test,
            n_train: split.train.len(),
            test_rows: split.test.iter().map(|r| *r as u32).collect(),
            phase: Phase::Linear,
            spread: std::sync::Arc::new(OneByOne),
        }
    }

    /// Fits the forest's chunks of trees on `spread` (a thread pool natively), as many per
    /// step as it runs at once; the models are the same bit for bit.
    pub fn set_spread(&mut self, spread: std::sync::Arc<dyn Spread>) {
        self.spread = spread;
    }

    /// In the forest stage, what fits its chunks of trees elsewhere ([`crate::forest::ChunkFitter`]):
    /// the training rows, their targets and the forest's configuration.
    pub fn forest_job(&self) -> Option<ForestJob> {
        matches!(self.phase, Phase::Forest(..)).then(|| ForestJob {
            matrix: self.x_train.clone(),
            targets: self.y_train.clone(),
            config: self.config.forest.clone(),
        })
    }

    /// Adds the forest's next chunk of trees, fitted elsewhere from [`Fit::forest_job`], instead
    /// of a step fitting it: chunks come in chunk order, and after the last one the next step
    /// is the SVM's. The models are the ones [`Fit::step`] alone fits, bit for bit.
    pub fn accept_chunk(
        &mut self,
        chunk: FittedChunk,
        hooks: &mut Hooks<'_>,
    ) -> Result<(), TrainError> {
        let Phase::Forest(_, forest) = &mut self.phase else {
            return Err(TrainError::Forest(ForestError::Smartcore(
                "a chunk of trees arrived outside the forest stage".to_owned(),
            )));
        };
        if forest.is_none() {
            let fit = ForestFit::new(&self.x_train, &self.y_train, &self.config.forest)?;
            *forest = Some(fit);
        }
        let Some(fit) = forest.as_mut() else {
            return Err(TrainError::Finished);
        };
        fit.accept(chunk)?;
        hooks.report(Stage::Forest, fit.fraction());
        if fit.is_done()
            && let Phase::Forest(linear, Some(fit)) =
                std::mem::replace(&mut self.phase, Phase::Done)
        {
            self.phase = Phase::Svm(linear, fit.finish());
        }
        Ok(())
    }

    /// The stage the next step works in.
    pub fn stage(&self) -> Stage {
        match self.phase {
            Phase::Linear => Stage::Linear,
            Phase::Forest(..) => Stage::Forest,
            Phase::Svm(..) => Stage::Svm,
            Phase::Evaluating(..) | Phase::Done => Stage::Evaluating,
        }
    }

    /// Does the next step: the linear model, one chunk of trees, the SVM (one step; it polls
    /// `hooks` for cancellation itself), or the evaluation, which finishes the fit.
    pub fn step(&mut self, hooks: &mut Hooks<'_>) -> Result<FitStep, TrainError> {
        self.phase = match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Linear => {
                hooks.report(Stage::Linear, 0.0);
                let linear = LinearModel::fit(&self.x_train, &self.y_train, &self.config.linear)?;
                Phase::Forest(linear, None)
            }
            Phase::Forest(linear, None) => {
                hooks.report(Stage::Forest, 0.0);
                let forest = ForestFit::new(&self.x_train, &self.y_train, &self.config.forest)?;
                self.forest_step(linear, forest, hooks)?
            }
            Phase::Forest(linear, Some(forest)) => self.forest_step(linear, forest, hooks)?,
            Phase::Svm(linear, forest) => {
                hooks.report(Stage::Svm, 0.0);
                let svm =
                    SvmModel::fit(&self.x_train, &self.labels_train, &self.config.svm, hooks)?;
                Phase::Evaluating(linear, forest, svm)
            }
            Phase::Evaluating(linear, forest, svm) => {
                let done = self.evaluate(linear, forest, svm, hooks)?;
                return Ok(FitStep::Done(Box::new(done)));
            }
            Phase::Done => return Err(TrainError::Finished),
        };
        Ok(FitStep::Working)
    }

    fn forest_step(
        &mut self,
        linear: LinearModel,
        mut forest: ForestFit,
        hooks: &mut Hooks<'_>,
    ) -> Result<Phase, TrainError> {
        forest.fit_next_on(&*self.spread)?;
        hooks.report(Stage::Forest, forest.fraction());
        Ok(if forest.is_done() {
            Phase::Svm(linear, forest.finish())
        } else {
            Phase::Forest(linear, Some(forest))
        })
    }

    fn evaluate(
        &mut self,
        linear: LinearModel,
        forest: ForestModel,
        svm: SvmModel,
        hooks: &mut Hooks<'_>,
    ) -> Result<(Models, Evaluation), TrainError> {
        hooks.report(Stage::Evaluating, 0.0);
        let encoder = self.encoder.take().ok_or(TrainError::Finished)?;
        let x_test = &self.x_test;
        let linear_predictions = linear.predict(x_test);
        let forest_predictions = forest.predict(x_test)?;
        let svm_margins = margins(&svm, x_test);
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
        let y_test = std::mem::take(&mut self.y_test);
        let evaluation = Evaluation {
            n_train: self.n_train,
            n_test: self.test_rows.len(),
            linear: regression_metrics(&y_test, &linear_predictions),
            forest: regression_metrics(&y_test, &forest_predictions),
            svm: classification_metrics(&self.labels_test, &svm_verdicts),
            feature_importance,
            test_rows: std::mem::take(&mut self.test_rows),
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
