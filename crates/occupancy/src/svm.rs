//! A support vector classifier trained by SMO, in the manner of libsvm.
//!
//! smartcore's SVC is about 100× slower than libsvm and cannot predict after deserialisation,
//! so this is our own solver of the C-SVC dual
//! `min ½ αᵀQα − eᵀα  s.t. yᵀα = 0, 0 ≤ αᵢ ≤ Cᵢ` with `Qᵢⱼ = yᵢyⱼK(xᵢ, xⱼ)`:
//! - second-order working-set selection (WSS3, Fan, Chen & Lin 2005), as libsvm does;
//! - a bounded least-recently-used cache of kernel rows, the dominant cost otherwise;
//! - a per-row upper bound `Cᵢ = C · weight(class)` for class weighting;
//! - shrinking (libsvm's heuristic): rows stuck at a bound leave the active set, which cuts
//!   both the scans and the kernel rows to what may still change; the full gradient is
//!   rebuilt before the final check, so the optimum is the same as without shrinking.
//!
//! Everything is `f64`; `exp` comes from `libm` so the RBF kernel, and with it the whole model,
//! is bit-identical natively and in wasm32.

use serde::{Deserialize, Serialize};

use crate::features::Matrix;
use crate::progress::{Hooks, Stage};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Gamma {
    /// `1 / (n_features · Var(X))`, scikit-learn's default.
    Scale,
    Value(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum KernelConfig {
    Linear,
    Rbf { gamma: Gamma },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ClassWeight {
    /// Both classes weigh 1.
    Uniform,
    /// `n_rows / (2 · n_rows_of_class)`, scikit-learn's `class_weight='balanced'`.
    Balanced,
    Custom {
        overcrowded: f64,
        not_overcrowded: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvmConfig {
    pub kernel: KernelConfig,
    pub c: f64,
    pub class_weight: ClassWeight,
    /// Stopping tolerance on the maximal KKT violation (libsvm's `eps`).
    pub tolerance: f64,
    /// Memory for cached kernel rows.
    pub cache_megabytes: usize,
    pub max_iterations: usize,
    pub shrinking: Shrinking,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shrinking {
    On,
    Off,
}

impl Default for SvmConfig {
    fn default() -> Self {
        Self {
            kernel: KernelConfig::Rbf {
                gamma: Gamma::Scale,
            },
            c: 1.0,
            class_weight: ClassWeight::Balanced,
            tolerance: 1e-3,
            cache_megabytes: 200,
            max_iterations: 10_000_000,
            shrinking: Shrinking::On,
        }
    }
}

/// The kernel with its parameters resolved, as stored in a model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Kernel {
    Linear,
    Rbf { gamma: f64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvmModel {
    pub kernel: Kernel,
    pub n_features: usize,
    /// Support vectors, row-major.
    pub support_vectors: Vec<f64>,
    /// `αᵢ · yᵢ` of each support vector.
    pub coefficients: Vec<f64>,
    /// `‖svᵢ‖²`, kept so a prediction costs one dot product per support vector.
    pub sv_sq_norms: Vec<f64>,
    pub rho: f64,
    pub stats: SvmStats,
    /// The support vectors feature by feature: derived when the model is fitted or loaded (see
    /// [`SvmModel::prepare`]), never stored.
    #[serde(skip)]
    columns: Columns,
}

/// `support_vectors` transposed: `n_features` runs of one value per support vector.
///
/// A prediction dots the session's few non-zero features with every support vector. Row-major,
/// that gathers a handful of values from each of thousands of rows spread over megabytes;
/// feature-major, it streams one contiguous run per non-zero feature, which is several times
/// faster once the model outgrows the cache (about 12,700 support vectors at 50,000 sessions).
#[derive(Clone, Default)]
struct Columns(std::sync::OnceLock<Vec<f64>>);

impl PartialEq for Columns {
    /// Derived data: two models are equal when what they store is.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Columns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Columns(ready)"
        } else {
            "Columns(pending)"
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvmStats {
    pub n_iterations: u64,
    pub converged: bool,
    pub n_support: usize,
    pub c_overcrowded: f64,
    pub c_not_overcrowded: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SvmError {
    #[error("SVM: {n_labels} labels for {n_rows} rows")]
    LengthMismatch { n_rows: usize, n_labels: usize },
    #[error("SVM: C and the class weights must be positive and finite (C = {c})")]
    BadC { c: f64 },
    #[error("SVM: gamma must be positive and finite (gamma = {gamma})")]
    BadGamma { gamma: f64 },
    #[error("training was cancelled")]
    Cancelled,
}

/// Four independent sums let the CPU overlap the additions (a plain fold is one long
/// dependency chain); the order is fixed, so the result is the same on every target.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let (a_rest, b_rest) = (a4.remainder(), b4.remainder());
    for (x, y) in a4.zip(b4) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

impl Kernel {
    fn eval(self, a: &[f64], b: &[f64], a_sq: f64, b_sq: f64) -> f64 {
        self.of_dot(dot(a, b), a_sq, b_sq)
    }

    /// The kernel from `a · b` and the squared norms.
    fn of_dot(self, dot: f64, a_sq: f64, b_sq: f64) -> f64 {
        match self {
            Kernel::Linear => dot,
            // The expanded squared distance reuses precomputed norms; rounding can push it
            // a hair below zero, which the max removes.
            Kernel::Rbf { gamma } => libm::exp(-gamma * (a_sq + b_sq - 2.0 * dot).max(0.0)),
        }
    }
}

impl SvmModel {
    /// The signed margin: positive means overcrowded.
    pub fn decision_function(&self, row: &[f64]) -> f64 {
        let n_support = self.coefficients.len();
        let columns = self.columns();
        // Encoded sessions are mostly one-hot zeros, so only the row's non-zero features are
        // dotted, each as one pass over its column. Features are added in ascending order,
        // as a row-by-row dot product would, so the margin does not depend on the layout.
        let mut dots = vec![0.0; n_support];
        let mut row_sq = 0.0;
        for (k, &v) in row.iter().enumerate() {
            if v == 0.0 {
                continue;
            }
            row_sq += v * v;
            let column = columns
                .get(k * n_support..(k + 1) * n_support)
                .unwrap_or_default();
            for (dot, sv) in dots.iter_mut().zip(column) {
                *dot += v * sv;
            }
        }
        let mut sum = 0.0;
        for ((dot, coef), sv_sq) in dots.iter().zip(&self.coefficients).zip(&self.sv_sq_norms) {
            sum += coef * self.kernel.of_dot(*dot, *sv_sq, row_sq);
        }
        sum - self.rho
    }

    /// Transposes the support vectors now, so that the first prediction is as fast as the
    /// rest; fitting and loading call it (a few milliseconds at 12,700 support vectors).
    pub fn prepare(&self) {
        self.columns();
    }

    /// The support vectors feature-major, transposed on first use.
    fn columns(&self) -> &[f64] {
        self.columns.0.get_or_init(|| {
            let n_features = self.n_features.max(1);
            let n_support = self.coefficients.len();
            let mut columns = vec![0.0; n_features * n_support];
            let rows = self.support_vectors.chunks_exact(n_features);
            for (i, sv) in rows.enumerate() {
                for (k, &value) in sv.iter().enumerate() {
                    if let Some(slot) = columns.get_mut(k * n_support + i) {
                        *slot = value;
                    }
                }
            }
            columns
        })
    }

    pub fn predict_row(&self, row: &[f64]) -> bool {
        self.decision_function(row) > 0.0
    }

    pub fn fit(
        x: &Matrix,
        labels: &[bool],
        config: &SvmConfig,
        hooks: &mut Hooks<'_>,
    ) -> Result<Self, SvmError> {
        if labels.len() != x.n_rows {
            return Err(SvmError::LengthMismatch {
                n_rows: x.n_rows,
                n_labels: labels.len(),
            });
        }
        let n_positive = labels.iter().filter(|l| **l).count();
        let n_negative = labels.len() - n_positive;
        let (w_pos, w_neg) = match config.class_weight {
            ClassWeight::Uniform => (1.0, 1.0),
            ClassWeight::Balanced => {
                let n = labels.len() as f64;
                (
                    n / (2.0 * n_positive.max(1) as f64),
                    n / (2.0 * n_negative.max(1) as f64),
                )
            }
            ClassWeight::Custom {
                overcrowded,
                not_overcrowded,
            } => (overcrowded, not_overcrowded),
        };
        let (c_pos, c_neg) = (config.c * w_pos, config.c * w_neg);
        if !(c_pos > 0.0 && c_neg > 0.0 && c_pos.is_finite() && c_neg.is_finite()) {
            return Err(SvmError::BadC { c: config.c });
        }
        let kernel = match config.kernel {
            KernelConfig::Linear => Kernel::Linear,
            KernelConfig::Rbf {
                gamma: Gamma::Value(gamma),
            } => Kernel::Rbf { gamma },
            KernelConfig::Rbf {
                gamma: Gamma::Scale,
            } => Kernel::Rbf {
                gamma: scale_gamma(x),
            },
        };
        if let Kernel::Rbf { gamma } = kernel
            && !(gamma > 0.0 && gamma.is_finite())
        {
            return Err(SvmError::BadGamma { gamma });
        }
        let mut stats = SvmStats {
            n_iterations: 0,
            converged: true,
            n_support: 0,
            c_overcrowded: c_pos,
            c_not_overcrowded: c_neg,
        };
        // With one class there is nothing to separate: a constant verdict, like libsvm's.
        if n_positive == 0 || n_negative == 0 {
            let rho = if n_positive == 0 { 1.0 } else { -1.0 };
            return Ok(Self {
                kernel,
                n_features: x.n_cols,
                support_vectors: Vec::new(),
                coefficients: Vec::new(),
                sv_sq_norms: Vec::new(),
                rho,
                stats,
                columns: Columns::default(),
            });
        }
        let y: Vec<f64> = labels.iter().map(|l| if *l { 1.0 } else { -1.0 }).collect();
        let upper: Vec<f64> = labels
            .iter()
            .map(|l| if *l { c_pos } else { c_neg })
            .collect();
        let mut solver = Solver::new(x, &y, &upper, kernel, config);
        let outcome = solver.solve(config, hooks)?;
        stats.n_iterations = outcome.n_iterations;
        stats.converged = outcome.converged;

        let mut support_vectors = Vec::new();
        let mut coefficients = Vec::new();
        let mut sv_sq_norms = Vec::new();
        for (row_idx, ((alpha, yi), sq)) in solver
            .alpha
            .iter()
            .zip(&y)
            .zip(&solver.sq_norms)
            .enumerate()
        {
            if *alpha > 0.0 {
                support_vectors.extend_from_slice(x.row(row_idx));
                coefficients.push(alpha * yi);
                sv_sq_norms.push(*sq);
            }
        }
        stats.n_support = coefficients.len();
        let model = Self {
            kernel,
            n_features: x.n_cols,
            support_vectors,
            coefficients,
            sv_sq_norms,
            rho: outcome.rho,
            stats,
            columns: Columns::default(),
        };
        model.prepare();
        Ok(model)
    }
}

/// scikit-learn's `gamma='scale'`: `1 / (n_features · Var(X))` over every entry of X.
pub fn scale_gamma(x: &Matrix) -> f64 {
    let n = x.data.len() as f64;
    if n == 0.0 {
        return 1.0;
    }
    let mean = x.data.iter().sum::<f64>() / n;
    let var = x.data.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    if var > 0.0 {
        1.0 / (x.n_cols as f64 * var)
    } else {
        1.0
    }
}

/// Which entries of a cached row hold values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    /// Every column.
    Full,
    /// The columns active during this shrinking epoch. The active set only shrinks within an
    /// epoch, so such a row stays valid until every row is brought back.
    Active(u64),
}

impl Coverage {
    fn covers(self, needed: Coverage) -> bool {
        self == Coverage::Full || self == needed
    }
}

struct CacheSlot {
    row: usize,
    last_used: u64,
    coverage: Coverage,
    values: Vec<f64>,
}

/// A bounded cache of kernel rows `Q[i][·]` with least-recently-used eviction. With shrinking
/// only the active columns of a row are computed, which is most of libsvm's speed on large
/// problems.
struct KernelCache {
    slot_of_row: Vec<Option<usize>>,
    slots: Vec<CacheSlot>,
    max_slots: usize,
    clock: u64,
}

impl KernelCache {
    fn new(n_rows: usize, megabytes: usize) -> Self {
        let row_bytes = (n_rows * size_of::<f64>()).max(1);
        // Two rows are needed at once, whatever the budget.
        let max_slots = ((megabytes << 20) / row_bytes).clamp(2, n_rows.max(2));
        Self {
            slot_of_row: vec![None; n_rows],
            slots: Vec::new(),
            max_slots,
            clock: 0,
        }
    }

    /// The slot of `row_idx` if it is cached with at least `needed` coverage.
    fn lookup(&mut self, row_idx: usize, needed: Coverage) -> Option<usize> {
        self.clock += 1;
        let slot = self.slot_of_row.get(row_idx).copied().flatten()?;
        let entry = self.slots.get_mut(slot)?;
        if !entry.coverage.covers(needed) {
            return None;
        }
        entry.last_used = self.clock;
        Some(slot)
    }

    /// A slot for `row_idx` to fill: its old slot, a new one, or the least recently used one
    /// other than `keep` (the other row of the pair being updated).
    fn allocate(&mut self, row_idx: usize, keep: Option<usize>) -> usize {
        let n_rows = self.slot_of_row.len();
        let slot = if let Some(Some(slot)) = self.slot_of_row.get(row_idx).copied() {
            slot
        } else if self.slots.len() < self.max_slots {
            self.slots.push(CacheSlot {
                row: row_idx,
                last_used: 0,
                coverage: Coverage::Full,
                values: vec![0.0; n_rows],
            });
            self.slots.len() - 1
        } else {
            let victim = self
                .slots
                .iter()
                .enumerate()
                .filter(|(idx, _)| Some(*idx) != keep)
                .min_by_key(|(_, entry)| entry.last_used)
                .map_or(0, |(idx, _)| idx);
            if let Some(entry) = self.slots.get(victim)
                && let Some(owner) = self.slot_of_row.get_mut(entry.row)
            {
                *owner = None;
            }
            victim
        };
        if let Some(entry) = self.slots.get_mut(slot) {
            entry.row = row_idx;
            entry.last_used = self.clock;
        }
        if let Some(owner) = self.slot_of_row.get_mut(row_idx) {
            *owner = Some(slot);
        }
        slot
    }

    fn row(&self, slot: usize) -> &[f64] {
        self.slots
            .get(slot)
            .map(|entry| entry.values.as_slice())
            .unwrap_or_default()
    }
}

struct SolveOutcome {
    rho: f64,
    n_iterations: u64,
    converged: bool,
}

/// libsvm's τ: the floor for a non-positive curvature along the chosen direction.
const TAU: f64 = 1e-12;
/// Iterations between progress reports, cancellation checks and shrinking passes.
const CHECK_EVERY: u64 = 1000;

// The solver indexes its own vectors, all of length `n` and indexed by rows below `n`; it
// never indexes with user-supplied values.
#[allow(clippy::indexing_slicing)]
struct Solver<'a> {
    x: &'a Matrix,
    /// The same data column-major, for computing whole kernel rows.
    x_columns: Vec<f64>,
    y: &'a [f64],
    upper: &'a [f64],
    kernel: Kernel,
    sq_norms: Vec<f64>,
    /// `Q[i][i]`.
    diag: Vec<f64>,
    alpha: Vec<f64>,
    gradient: Vec<f64>,
    /// Gradient contribution of the rows at their upper bound, to rebuild the full gradient
    /// after shrinking (libsvm's `G_bar`).
    gradient_bar: Vec<f64>,
    /// Rows still in the problem; the rest are fixed at a bound for now.
    active: Vec<usize>,
    /// Bumped whenever shrunk rows come back, which invalidates partially computed rows.
    epoch: u64,
    cache: KernelCache,
}

impl<'a> Solver<'a> {
    fn new(
        x: &'a Matrix,
        y: &'a [f64],
        upper: &'a [f64],
        kernel: Kernel,
        config: &SvmConfig,
    ) -> Self {
        let n = x.n_rows;
        let sq_norms: Vec<f64> = (0..n).map(|i| dot(x.row(i), x.row(i))).collect();
        let diag = (0..n)
            .map(|i| kernel.eval(x.row(i), x.row(i), sq_norms[i], sq_norms[i]))
            .collect();
        let mut x_columns = vec![0.0; n * x.n_cols];
        for row_idx in 0..n {
            for (k, v) in x.row(row_idx).iter().enumerate() {
                x_columns[k * n + row_idx] = *v;
            }
        }
        Self {
            x,
            x_columns,
            y,
            upper,
            kernel,
            sq_norms,
            diag,
            alpha: vec![0.0; n],
            gradient: vec![-1.0; n],
            gradient_bar: vec![0.0; n],
            active: (0..n).collect(),
            epoch: 0,
            cache: KernelCache::new(n, config.cache_megabytes),
        }
    }

    fn is_upper(&self, i: usize) -> bool {
        self.alpha[i] >= self.upper[i]
    }

    fn is_lower(&self, i: usize) -> bool {
        self.alpha[i] <= 0.0
    }

    /// Caches row `i` of Q over the active columns (`full`: over all) and returns its slot.
    fn q_row(&mut self, i: usize, keep: Option<usize>, full: bool) -> usize {
        let needed = if full {
            Coverage::Full
        } else {
            Coverage::Active(self.epoch)
        };
        if let Some(slot) = self.cache.lookup(i, needed) {
            return slot;
        }
        // While most rows are active a full row costs at most twice as much and stays valid
        // across epochs, so only compute partial rows once shrinking has removed most rows.
        let full = full || 2 * self.active.len() > self.alpha.len();
        let needed = if full { Coverage::Full } else { needed };
        let slot = self.cache.allocate(i, keep);
        let (x, y, sq) = (self.x, self.y, &self.sq_norms);
        let (yi, sqi) = (y[i], sq[i]);
        // One-hot rows are mostly zeros: only the non-zero features of row i contribute.
        let nonzero: Vec<(usize, f64)> = x
            .row(i)
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, v)| *v != 0.0)
            .collect();
        let finish =
            |dot: f64, t: usize| -> f64 { yi * y[t] * self.kernel.of_dot(dot, sqi, sq[t]) };
        if let Some(entry) = self.cache.slots.get_mut(slot) {
            if full {
                // Column by column over the transposed data: contiguous `axpy`s the compiler
                // vectorises, instead of one dot product per row.
                let values = &mut entry.values;
                values.iter_mut().for_each(|v| *v = 0.0);
                let n = values.len();
                for (k, v) in &nonzero {
                    let column = self.x_columns.get(k * n..(k + 1) * n).unwrap_or_default();
                    for (acc, c) in values.iter_mut().zip(column) {
                        *acc += v * c;
                    }
                }
                for (t, value) in values.iter_mut().enumerate() {
                    *value = finish(*value, t);
                }
            } else {
                for &t in &self.active {
                    let row_t = x.row(t);
                    let dot: f64 = nonzero.iter().map(|(k, v)| v * row_t[*k]).sum();
                    entry.values[t] = finish(dot, t);
                }
            }
            entry.coverage = needed;
        }
        slot
    }

    /// Brings every shrunk row back with its true gradient.
    fn activate_all(&mut self) {
        if self.active.len() < self.alpha.len() {
            self.reconstruct_gradient();
            self.active = (0..self.alpha.len()).collect();
            self.epoch += 1;
        }
    }

    /// WSS3 over the active rows: `Some((i, j))`, or `None` once the KKT gap is below `tol`.
    fn select_working_set(&mut self, tol: f64) -> Option<(usize, usize)> {
        let mut g_max = f64::NEG_INFINITY;
        let mut i_best = None;
        for &t in &self.active {
            let candidate = if self.y[t] > 0.0 {
                !self.is_upper(t)
            } else {
                !self.is_lower(t)
            };
            if candidate {
                let value = -self.y[t] * self.gradient[t];
                if value >= g_max {
                    g_max = value;
                    i_best = Some(t);
                }
            }
        }
        let i = i_best?;
        let slot_i = self.q_row(i, None, false);
        let q_i = self.cache.row(slot_i);
        let mut g_max2 = f64::NEG_INFINITY;
        let mut j_best = None;
        let mut obj_min = f64::INFINITY;
        for &t in &self.active {
            let candidate = if self.y[t] > 0.0 {
                !self.is_lower(t)
            } else {
                !self.is_upper(t)
            };
            if !candidate {
                continue;
            }
            let value = self.y[t] * self.gradient[t];
            if value >= g_max2 {
                g_max2 = value;
            }
            let grad_diff = g_max + value;
            if grad_diff > 0.0 {
                let curvature = self.diag[i] + self.diag[t] - 2.0 * self.y[i] * self.y[t] * q_i[t];
                let obj = -(grad_diff * grad_diff) / if curvature > 0.0 { curvature } else { TAU };
                if obj <= obj_min {
                    obj_min = obj;
                    j_best = Some(t);
                }
            }
        }
        if g_max + g_max2 < tol {
            return None;
        }
        j_best.map(|j| (i, j))
    }

    /// The two-variable update of libsvm's `Solver::Solve`, clipped to the box.
    fn update_pair(&mut self, i: usize, j: usize) {
        let slot_i = self.q_row(i, None, false);
        let slot_j = self.q_row(j, Some(slot_i), false);
        let (c_i, c_j) = (self.upper[i], self.upper[j]);
        let (old_i, old_j) = (self.alpha[i], self.alpha[j]);
        let q_ij = self.cache.row(slot_i)[j];
        let (mut a_i, mut a_j) = (old_i, old_j);
        if self.y[i] != self.y[j] {
            let curvature = self.diag[i] + self.diag[j] + 2.0 * q_ij;
            let delta = (-self.gradient[i] - self.gradient[j])
                / if curvature > 0.0 { curvature } else { TAU };
            let diff = a_i - a_j;
            a_i += delta;
            a_j += delta;
            if diff > 0.0 {
                if a_j < 0.0 {
                    a_j = 0.0;
                    a_i = diff;
                }
            } else if a_i < 0.0 {
                a_i = 0.0;
                a_j = -diff;
            }
            if diff > c_i - c_j {
                if a_i > c_i {
                    a_i = c_i;
                    a_j = c_i - diff;
                }
            } else if a_j > c_j {
                a_j = c_j;
                a_i = c_j + diff;
            }
        } else {
            let curvature = self.diag[i] + self.diag[j] - 2.0 * q_ij;
            let delta = (self.gradient[i] - self.gradient[j])
                / if curvature > 0.0 { curvature } else { TAU };
            let sum = a_i + a_j;
            a_i -= delta;
            a_j += delta;
            clip_pair(&mut a_i, &mut a_j, sum, c_i);
            clip_pair(&mut a_j, &mut a_i, sum, c_j);
        }
        let was_upper_i = self.is_upper(i);
        let was_upper_j = self.is_upper(j);
        self.alpha[i] = a_i;
        self.alpha[j] = a_j;
        let (d_i, d_j) = (a_i - old_i, a_j - old_j);
        let q_i = self.cache.row(slot_i);
        let q_j = self.cache.row(slot_j);
        for &t in &self.active {
            self.gradient[t] += q_i[t] * d_i + q_j[t] * d_j;
        }
        // Keep G_bar in step when a row enters or leaves its upper bound; this needs the
        // whole row, inactive columns included.
        for (row, other_slot, was_upper) in [(i, slot_j, was_upper_i), (j, slot_i, was_upper_j)] {
            let is_upper = self.alpha[row] >= self.upper[row];
            if was_upper != is_upper {
                let slot = self.q_row(row, Some(other_slot), true);
                let c = if is_upper {
                    self.upper[row]
                } else {
                    -self.upper[row]
                };
                for (g, q) in self.gradient_bar.iter_mut().zip(self.cache.row(slot)) {
                    *g += c * q;
                }
            }
        }
    }

    /// The bounds `(m, M)` of libsvm's shrinking test: `max −yG` over I_up, `max yG` over I_low.
    fn gap_bounds(&self) -> (f64, f64) {
        let mut g_max1 = f64::NEG_INFINITY;
        let mut g_max2 = f64::NEG_INFINITY;
        for &t in &self.active {
            let yg = self.y[t] * self.gradient[t];
            let up = if self.y[t] > 0.0 {
                !self.is_upper(t)
            } else {
                !self.is_lower(t)
            };
            let low = if self.y[t] > 0.0 {
                !self.is_lower(t)
            } else {
                !self.is_upper(t)
            };
            if up {
                g_max1 = g_max1.max(-yg);
            }
            if low {
                g_max2 = g_max2.max(yg);
            }
        }
        (g_max1, g_max2)
    }

    /// libsvm's `be_shrunk`: a row at a bound whose gradient says it will stay there.
    fn can_shrink(&self, t: usize, g_max1: f64, g_max2: f64) -> bool {
        let g = self.gradient[t];
        if self.is_upper(t) {
            if self.y[t] > 0.0 {
                -g > g_max1
            } else {
                -g > g_max2
            }
        } else if self.is_lower(t) {
            if self.y[t] > 0.0 {
                g > g_max2
            } else {
                g > g_max1
            }
        } else {
            false
        }
    }

    fn shrink(&mut self, unshrunk: &mut bool, tol: f64) {
        let (g_max1, g_max2) = self.gap_bounds();
        // Close to the optimum, bring every row back once so shrinking decisions made with
        // an early gradient cannot stop the solver at a wrong point.
        if !*unshrunk && g_max1 + g_max2 <= tol * 10.0 {
            *unshrunk = true;
            self.activate_all();
        }
        let (g_max1, g_max2) = self.gap_bounds();
        let keep: Vec<usize> = self
            .active
            .iter()
            .copied()
            .filter(|t| !self.can_shrink(*t, g_max1, g_max2))
            .collect();
        self.active = keep;
    }

    /// Recomputes the gradient of inactive rows from G_bar and the free rows (libsvm's
    /// `reconstruct_gradient`).
    fn reconstruct_gradient(&mut self) {
        let n = self.alpha.len();
        if self.active.len() == n {
            return;
        }
        let mut is_active = vec![false; n];
        for &t in &self.active {
            is_active[t] = true;
        }
        for ((g, g_bar), active) in self
            .gradient
            .iter_mut()
            .zip(&self.gradient_bar)
            .zip(&is_active)
        {
            if !active {
                *g = g_bar - 1.0;
            }
        }
        for i in 0..n {
            if self.alpha[i] > 0.0 && self.alpha[i] < self.upper[i] {
                let slot = self.q_row(i, None, true);
                let alpha_i = self.alpha[i];
                let q_i = self.cache.row(slot);
                for ((g, q), active) in self.gradient.iter_mut().zip(q_i).zip(&is_active) {
                    if !active {
                        *g += alpha_i * q;
                    }
                }
            }
        }
    }

    fn solve(
        &mut self,
        config: &SvmConfig,
        hooks: &mut Hooks<'_>,
    ) -> Result<SolveOutcome, SvmError> {
        let tol = config.tolerance.max(1e-12);
        let shrinking = config.shrinking == Shrinking::On;
        let mut n_iterations: u64 = 0;
        let mut converged = false;
        let mut unshrunk = false;
        let mut first_gap: Option<f64> = None;
        while (n_iterations as usize) < config.max_iterations {
            if n_iterations.is_multiple_of(CHECK_EVERY) && n_iterations > 0 {
                if hooks.cancelled() {
                    return Err(SvmError::Cancelled);
                }
                if shrinking {
                    self.shrink(&mut unshrunk, tol);
                }
                let (g1, g2) = self.gap_bounds();
                let gap = (g1 + g2).max(tol);
                let start = *first_gap.get_or_insert(gap.max(tol * 10.0));
                // Progress in log(gap): the gap falls roughly geometrically.
                let fraction = libm::log(start / gap) / libm::log(start / tol);
                hooks.report(
                    Stage::Svm,
                    if fraction.is_finite() {
                        fraction.min(0.99)
                    } else {
                        0.0
                    },
                );
            }
            let pair = match self.select_working_set(tol) {
                Some(pair) => Some(pair),
                None if self.active.len() < self.alpha.len() => {
                    // Optimal on the active rows only: rebuild the full gradient and check again.
                    self.activate_all();
                    unshrunk = true;
                    self.select_working_set(tol)
                }
                None => None,
            };
            let Some((i, j)) = pair else {
                converged = true;
                break;
            };
            self.update_pair(i, j);
            n_iterations += 1;
        }
        if !converged {
            self.activate_all();
        }
        Ok(SolveOutcome {
            rho: self.rho(),
            n_iterations,
            converged,
        })
    }

    /// libsvm's `calculate_rho`: the mean of `yG` over free rows, else the middle of the bounds.
    fn rho(&self) -> f64 {
        let (mut upper_bound, mut lower_bound) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut n_free, mut sum_free) = (0usize, 0.0);
        for t in 0..self.alpha.len() {
            let yg = self.y[t] * self.gradient[t];
            if self.is_upper(t) {
                if self.y[t] < 0.0 {
                    upper_bound = upper_bound.min(yg)
                } else {
                    lower_bound = lower_bound.max(yg)
                }
            } else if self.is_lower(t) {
                if self.y[t] > 0.0 {
                    upper_bound = upper_bound.min(yg)
                } else {
                    lower_bound = lower_bound.max(yg)
                }
            } else {
                n_free += 1;
                sum_free += yg;
            }
        }
        if n_free > 0 {
            sum_free / n_free as f64
        } else {
            (upper_bound + lower_bound) / 2.0
        }
    }
}
/// libsvm's clip of an equal-label pair whose sum `sum` is fixed: `x` at most `c_x` (then
/// `y` takes the rest), else `y` at least 0 (then `x` takes it all). Applied to `(i, j)` and
/// then to `(j, i)`.
fn clip_pair(x: &mut f64, y: &mut f64, sum: f64, c_x: f64) {
    if sum > c_x {
        if *x > c_x {
            *x = c_x;
            *y = sum - c_x;
        }
    } else if *y < 0.0 {
        *y = 0.0;
        *x = sum;
    }
}
