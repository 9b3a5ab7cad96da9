//! Random forest regression on smartcore, trained in chunks for progress and cancellation.
//!
//! smartcore's forest is fast (3–5× scikit-learn here) and deterministic across targets with
//! its `std_rand` feature, but `fit` is one long call. We fit the forest as a few smaller
//! forests with derived seeds and average them, weighted by tree count, which is the same
//! estimator as one big forest, and lets us report progress and stop between chunks.

use serde::{Deserialize, Serialize};
use smartcore::ensemble::random_forest_regressor::{
    RandomForestRegressor, RandomForestRegressorParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;

use crate::features::Matrix;
use crate::progress::{Hooks, Stage};
use campus_schema::rng::derive_seed;

type SmartForest = RandomForestRegressor<f64, f64, DenseMatrix<f64>, Vec<f64>>;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum FeaturesPerSplit {
    All,
    Sqrt,
    /// A third of the features, the classic choice for regression forests.
    Third,
    Count(usize),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestConfig {
    pub n_trees: usize,
    /// Bounded by default so a saved 100-tree forest stays in the low megabytes.
    pub max_depth: Option<u16>,
    pub min_samples_leaf: usize,
    pub min_samples_split: usize,
    pub features_per_split: FeaturesPerSplit,
    pub seed: u64,
}

impl Default for ForestConfig {
    fn default() -> Self {
        Self {
            n_trees: 100,
            max_depth: Some(14),
            min_samples_leaf: 3,
            min_samples_split: 6,
            features_per_split: FeaturesPerSplit::Third,
            seed: 42,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ForestModel {
    pub n_features: usize,
    /// Sub-forests and their tree counts.
    chunks: Vec<(usize, SmartForest)>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForestError {
    #[error("random forest: {0}")]
    Smartcore(String),
    #[error("random forest: the matrix has {found} features, the model {expected}")]
    FeatureCount { expected: usize, found: usize },
    #[error("training was cancelled")]
    Cancelled,
}

/// How many trees each smartcore call fits: about ten progress steps per forest.
fn chunk_sizes(n_trees: usize) -> Vec<usize> {
    let n_chunks = n_trees.clamp(1, 10);
    (0..n_chunks)
        .map(|c| n_trees / n_chunks + usize::from(c < n_trees % n_chunks))
        .filter(|n| *n > 0)
        .collect()
}

pub use campus_schema::spread::{OneByOne, Spread};

fn dense(x: &Matrix) -> Result<DenseMatrix<f64>, ForestError> {
    DenseMatrix::new(x.n_rows, x.n_cols, x.data.clone(), false)
        .map_err(|e| ForestError::Smartcore(e.to_string()))
}

/// Everything needed to fit any chunk of a forest's trees: the training rows, their targets and
/// the configuration. A shell sends it once to each worker that fits chunks elsewhere
/// ([`ChunkFitter`]); chunk `idx` is then a pure function of it and `idx`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestJob {
    pub matrix: Matrix,
    pub targets: Vec<f64>,
    pub config: ForestConfig,
}

/// One chunk of trees, fitted wherever it ran, to be added to its [`ForestFit`] in chunk order
/// ([`ForestFit::accept`]). Its bytes ([`FittedChunk::to_bytes`]) carry it between workers;
/// decoding them gives the same trees bit for bit.
#[derive(Debug, Serialize, Deserialize)]
pub struct FittedChunk {
    pub idx: usize,
    n_trees: usize,
    forest: SmartForest,
}

impl FittedChunk {
    pub fn to_bytes(&self) -> Result<Vec<u8>, ForestError> {
        postcard::to_allocvec(self).map_err(|e| ForestError::Smartcore(e.to_string()))
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<FittedChunk, ForestError> {
        postcard::from_bytes(bytes)
            .map_err(|e| ForestError::Smartcore(format!("a fitted chunk of trees: {e}")))
    }
}

/// Fits a forest's chunks of trees by index: the dense matrix built once, kept for every chunk.
pub struct ChunkFitter {
    matrix: DenseMatrix<f64>,
    targets: Vec<f64>,
    n_features: usize,
    features_per_split: usize,
    config: ForestConfig,
    sizes: Vec<usize>,
}

impl ChunkFitter {
    pub fn new(job: &ForestJob) -> Result<ChunkFitter, ForestError> {
        ChunkFitter::of(&job.matrix, &job.targets, &job.config)
    }

    fn of(x: &Matrix, y: &[f64], config: &ForestConfig) -> Result<ChunkFitter, ForestError> {
        let p = x.n_cols.max(1);
        let m = match config.features_per_split {
            FeaturesPerSplit::All => p,
            FeaturesPerSplit::Sqrt => (p as f64).sqrt().floor() as usize,
            FeaturesPerSplit::Third => p.div_ceil(3),
            FeaturesPerSplit::Count(n) => n,
        }
        .clamp(1, p);
        Ok(ChunkFitter {
            matrix: dense(x)?,
            targets: y.to_vec(),
            n_features: x.n_cols,
            features_per_split: m,
            config: config.clone(),
            sizes: chunk_sizes(config.n_trees.max(1)),
        })
    }

    /// How many chunks the forest is fitted in.
    pub fn n_chunks(&self) -> usize {
        self.sizes.len()
    }

    /// Fits chunk `chunk_idx` of trees on its own: a pure function of the rows, the config
    /// and the chunk's index (its seed), so chunks may be fitted in any order, anywhere.
    pub fn fit(&self, chunk_idx: usize) -> Result<FittedChunk, ForestError> {
        let Some(n_trees) = self.sizes.get(chunk_idx).copied() else {
            return Err(ForestError::Smartcore(format!("no chunk {chunk_idx}")));
        };
        let config = &self.config;
        let mut params = RandomForestRegressorParameters::default()
            .with_n_trees(n_trees)
            .with_m(self.features_per_split)
            .with_min_samples_leaf(config.min_samples_leaf.max(1))
            .with_min_samples_split(config.min_samples_split.max(2))
            .with_keep_samples(false)
            .with_seed(derive_seed(config.seed, chunk_idx as u64));
        if let Some(depth) = config.max_depth {
            params = params.with_max_depth(depth);
        }
        let forest = SmartForest::fit(&self.matrix, &self.targets, params)
            .map_err(|e| ForestError::Smartcore(e.to_string()))?;
        Ok(FittedChunk {
            idx: chunk_idx,
            n_trees,
            forest,
        })
    }
}

/// A forest being fitted one chunk of trees at a time, so a caller can report progress and stop
/// between chunks ([`ForestModel::fit`] runs it to the end). Chunks may also be fitted
/// elsewhere ([`ForestJob`], [`ChunkFitter`]) and added with [`ForestFit::accept`].
pub struct ForestFit {
    fitter: ChunkFitter,
    chunks: Vec<(usize, SmartForest)>,
    done: usize,
}

impl ForestFit {
    pub fn new(x: &Matrix, y: &[f64], config: &ForestConfig) -> Result<ForestFit, ForestError> {
        let fitter = ChunkFitter::of(x, y, config)?;
        Ok(ForestFit {
            chunks: Vec::with_capacity(fitter.n_chunks()),
            fitter,
            done: 0,
        })
    }

    /// Whether every chunk is fitted.
    pub fn is_done(&self) -> bool {
        self.chunks.len() >= self.fitter.n_chunks()
    }

    /// How many chunks the forest is fitted in.
    pub fn n_chunks(&self) -> usize {
        self.fitter.n_chunks()
    }

    /// The index of the next chunk to add.
    pub fn next_chunk(&self) -> usize {
        self.chunks.len()
    }

    /// Share of the trees fitted so far, from 0 to 1.
    pub fn fraction(&self) -> f64 {
        self.done as f64 / self.fitter.config.n_trees.max(1) as f64
    }

    /// Fits the next chunk of trees; does nothing once [`ForestFit::is_done`].
    pub fn fit_next(&mut self) -> Result<(), ForestError> {
        self.fit_next_on(&OneByOne)
    }

    /// Adds a chunk fitted elsewhere: it must be the next one ([`ForestFit::next_chunk`]) and
    /// have that chunk's tree count. The forest is the one [`ForestFit::fit_next`] would fit,
    /// bit for bit.
    pub fn accept(&mut self, chunk: FittedChunk) -> Result<(), ForestError> {
        let expected = self.fitter.sizes.get(chunk.idx).copied();
        if chunk.idx != self.chunks.len() || expected != Some(chunk.n_trees) {
            return Err(ForestError::Smartcore(format!(
                "chunk {} of trees arrived where chunk {} was due",
                chunk.idx,
                self.chunks.len()
            )));
        }
        self.chunks.push((chunk.n_trees, chunk.forest));
        self.done += chunk.n_trees;
        Ok(())
    }

    /// Fits the next chunks of trees, as many as `spread` runs at once (each on its own
    /// thread natively), and adds them in chunk order: the forest is the one [`fit_next`]
    /// would fit, bit for bit, because each chunk's trees depend only on its seed.
    ///
    /// [`fit_next`]: ForestFit::fit_next
    pub fn fit_next_on(&mut self, spread: &dyn Spread) -> Result<(), ForestError> {
        let first = self.chunks.len();
        let last = (first + spread.width().max(1)).min(self.fitter.n_chunks());
        if first >= last {
            return Ok(());
        }
        let slots: Vec<std::sync::Mutex<Option<Result<FittedChunk, ForestError>>>> =
            (first..last).map(|_| std::sync::Mutex::new(None)).collect();
        let fitter = &self.fitter;
        spread.run(last - first, &|task: usize| {
            let fitted = fitter.fit(first + task);
            if let Some(slot) = slots.get(task)
                && let Ok(mut slot) = slot.lock()
            {
                *slot = Some(fitted);
            }
        });
        for (chunk_idx, slot) in (first..last).zip(slots) {
            let fitted = slot.into_inner().ok().flatten().ok_or_else(|| {
                ForestError::Smartcore(format!("chunk {chunk_idx} of trees was not fitted"))
            })??;
            self.accept(fitted)?;
        }
        Ok(())
    }

    /// The fitted forest (of the chunks fitted so far).
    pub fn finish(self) -> ForestModel {
        ForestModel {
            n_features: self.fitter.n_features,
            chunks: self.chunks,
        }
    }
}

impl ForestModel {
    pub fn fit(
        x: &Matrix,
        y: &[f64],
        config: &ForestConfig,
        hooks: &mut Hooks<'_>,
    ) -> Result<Self, ForestError> {
        let mut fit = ForestFit::new(x, y, config)?;
        while !fit.is_done() {
            if hooks.cancelled() {
                return Err(ForestError::Cancelled);
            }
            fit.fit_next()?;
            hooks.report(Stage::Forest, fit.fraction());
        }
        Ok(fit.finish())
    }

    pub fn n_trees(&self) -> usize {
        self.chunks.iter().map(|(n, _)| n).sum()
    }

    pub fn predict(&self, x: &Matrix) -> Result<Vec<f64>, ForestError> {
        if x.n_cols != self.n_features {
            return Err(ForestError::FeatureCount {
                expected: self.n_features,
                found: x.n_cols,
            });
        }
        if x.n_rows == 0 {
            return Ok(Vec::new());
        }
        let matrix = dense(x)?;
        let total = self.n_trees().max(1) as f64;
        let mut sum = vec![0.0; x.n_rows];
        for (n_trees, forest) in &self.chunks {
            let part = forest
                .predict(&matrix)
                .map_err(|e| ForestError::Smartcore(e.to_string()))?;
            let weight = *n_trees as f64 / total;
            for (s, v) in sum.iter_mut().zip(part) {
                *s += weight * v;
            }
        }
        Ok(sum)
    }

    pub fn predict_row(&self, row: &[f64]) -> Result<f64, ForestError> {
        let x = Matrix {
            n_rows: 1,
            n_cols: row.len(),
            data: row.to_vec(),
        };
        Ok(self.predict(&x)?.first().copied().unwrap_or(0.0))
    }

    /// Impurity-based (mean decrease in squared error) importances, summing to 1.
    pub fn feature_importances(&self) -> Result<Vec<f64>, ForestError> {
        let total = self.n_trees().max(1) as f64;
        let mut sum = vec![0.0; self.n_features];
        for (n_trees, forest) in &self.chunks {
            let part = forest
                .compute_feature_importances()
                .map_err(|e| ForestError::Smartcore(e.to_string()))?;
            for (s, v) in sum.iter_mut().zip(part) {
                *s += v * *n_trees as f64 / total;
            }
        }
        let norm: f64 = sum.iter().sum();
        if norm > 0.0 {
            sum.iter_mut().for_each(|v| *v /= norm);
        }
        Ok(sum)
    }
}

impl ForestModel {
    /// Checks every tree of a forest read from a file before it is used: smartcore trusts its
    /// own nodes, so a tampered file could index past a row (a panic) or send a row round a loop
    /// of nodes forever. Every split must name one of the `n_features` features and a finite
    /// value, and every child must come after its parent (as smartcore builds them), which rules
    /// out loops.
    pub fn check(&self) -> Result<(), String> {
        if self.chunks.is_empty() {
            return Err("the random forest has no trees".into());
        }
        for (_, forest) in &self.chunks {
            let bytes = postcard::to_allocvec(forest).map_err(|e| e.to_string())?;
            let mirror: mirror::Forest =
                postcard::from_bytes(&bytes).map_err(|e| format!("the random forest: {e}"))?;
            let trees = mirror
                .forest_regressor
                .and_then(|f| f.trees)
                .unwrap_or_default();
            if trees.is_empty() {
                return Err("a part of the random forest has no trees".into());
            }
            for tree in &trees {
                check_tree(&tree.nodes, self.n_features)?;
            }
        }
        Ok(())
    }
}

fn check_tree(nodes: &[mirror::Node], n_features: usize) -> Result<(), String> {
    if nodes.is_empty() {
        return Err("a tree of the random forest has no nodes".into());
    }
    for (idx, node) in nodes.iter().enumerate() {
        if !node.output.is_finite() {
            return Err(format!(
                "a tree node holds a number that is not finite ({})",
                node.output
            ));
        }
        let Some(true_child) = node.true_child else {
            continue;
        };
        let child_ok = |child: usize| child > idx && child < nodes.len();
        let split_ok = node.split_feature < n_features
            && node.split_value.is_some_and(f64::is_finite)
            && node.false_child.is_some_and(child_ok)
            && child_ok(true_child);
        if !split_ok {
            return Err(format!(
                "tree node {idx} does not split on one of the {n_features} features into later nodes"
            ));
        }
    }
    Ok(())
}

/// smartcore's forest as it serializes, field for field (postcard is not self-describing), with
/// its nodes readable: smartcore keeps them private.
mod mirror {
    // Fields that are only read to keep the layout in step with smartcore's.
    #![allow(dead_code)]

    use std::marker::PhantomData;

    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Forest {
        pub forest_regressor: Option<BaseForest>,
    }

    #[derive(Deserialize)]
    pub struct BaseForest {
        pub trees: Option<Vec<Tree>>,
        pub num_features: Option<usize>,
        pub samples: Option<Vec<Vec<bool>>>,
    }

    #[derive(Deserialize)]
    pub struct Tree {
        pub nodes: Vec<Node>,
        pub parameters: Option<TreeParameters>,
        pub depth: u16,
        pub root_mass: f64,
        pub phantom_tx: PhantomData<()>,
        pub phantom_ty: PhantomData<()>,
        pub phantom_x: PhantomData<()>,
        pub phantom_y: PhantomData<()>,
    }

    #[derive(Deserialize)]
    pub struct TreeParameters {
        pub max_depth: Option<u16>,
        pub min_samples_leaf: usize,
        pub min_samples_split: usize,
        pub seed: Option<u64>,
        pub splitter: Splitter,
    }

    #[derive(Deserialize)]
    pub enum Splitter {
        Random,
        Best,
    }

    #[derive(Deserialize)]
    pub struct Node {
        pub output: f64,
        pub split_feature: usize,
        pub split_value: Option<f64>,
        pub split_score: Option<f64>,
        pub true_child: Option<usize>,
        pub false_child: Option<usize>,
    }
}

#[cfg(test)]
// A failing unwrap is a failing test.
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn chunks_add_up() {
        assert_eq!(chunk_sizes(100), vec![10; 10]);
        assert_eq!(chunk_sizes(7), vec![1; 7]);
        assert_eq!(chunk_sizes(25).iter().sum::<usize>(), 25);
    }
}
