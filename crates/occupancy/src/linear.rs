//! Least-squares linear regression by the normal equations and a Cholesky solve.
//!
//! We solve it ourselves instead of using smartcore's: one-hot blocks that each sum to one
//! make the design matrix rank-deficient together with the intercept, which smartcore's QR
//! rejects. A ridge term of `ridge * n_rows` on the (standardised) weights removes the
//! degeneracy while changing predictions by far less than their error. The work is one pass
//! over the data (`n * p² / 2` multiply-adds) plus a `p³ / 6` solve, so it is never the
//! bottleneck.

use serde::{Deserialize, Serialize};

use crate::features::Matrix;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearConfig {
    pub ridge: f64,
}

impl Default for LinearConfig {
    fn default() -> Self {
        Self { ridge: 1e-6 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub intercept: f64,
    pub weights: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinearError {
    #[error("linear regression needs at least one training row")]
    NoRows,
    #[error("linear regression: {n_targets} targets for {n_rows} rows")]
    LengthMismatch { n_rows: usize, n_targets: usize },
    #[error("linear regression: the normal equations are not positive definite (non-finite data?)")]
    NotPositiveDefinite,
}

impl LinearModel {
    pub fn fit(x: &Matrix, y: &[f64], config: &LinearConfig) -> Result<Self, LinearError> {
        if x.n_rows == 0 {
            return Err(LinearError::NoRows);
        }
        if y.len() != x.n_rows {
            return Err(LinearError::LengthMismatch {
                n_rows: x.n_rows,
                n_targets: y.len(),
            });
        }
        let p = x.n_cols;
        let n = x.n_rows as f64;
        // Centring first folds the intercept out of the system and keeps it well conditioned.
        let mut x_mean = vec![0.0; p];
        for row_idx in 0..x.n_rows {
            for (m, v) in x_mean.iter_mut().zip(x.row(row_idx)) {
                *m += v;
            }
        }
        x_mean.iter_mut().for_each(|m| *m /= n);
        let y_mean = y.iter().sum::<f64>() / n;

        let mut gram = vec![0.0; p * p];
        let mut rhs = vec![0.0; p];
        let mut centred = vec![0.0; p];
        for (row_idx, target) in y.iter().enumerate() {
            for ((c, v), m) in centred.iter_mut().zip(x.row(row_idx)).zip(&x_mean) {
                *c = v - m;
            }
            let yc = target - y_mean;
            for i in 0..p {
                let ci = centred[i];
                rhs[i] += ci * yc;
                let gram_row = &mut gram[i * p..(i + 1) * p];
                for (g, cj) in gram_row[i..].iter_mut().zip(&centred[i..]) {
                    *g += ci * cj;
                }
            }
        }
        let lambda = config.ridge.max(0.0) * n;
        for i in 0..p {
            gram[i * p + i] += lambda;
            for j in 0..i {
                gram[i * p + j] = gram[j * p + i];
            }
        }
        let weights = cholesky_solve(&mut gram, &rhs, p).ok_or(LinearError::NotPositiveDefinite)?;
        let intercept = y_mean - weights.iter().zip(&x_mean).map(|(w, m)| w * m).sum::<f64>();
        Ok(Self { intercept, weights })
    }

    pub fn predict_row(&self, row: &[f64]) -> f64 {
        self.intercept
            + self
                .weights
                .iter()
                .zip(row)
                .map(|(w, v)| w * v)
                .sum::<f64>()
    }

    pub fn predict(&self, x: &Matrix) -> Vec<f64> {
        (0..x.n_rows).map(|r| self.predict_row(x.row(r))).collect()
    }
}

/// Solves `a · w = b` for symmetric positive definite `a` (overwritten by its factor).
/// The indices are all below `p`, which the caller's `p * p` matrix guarantees.
#[allow(clippy::indexing_slicing)]
fn cholesky_solve(a: &mut [f64], b: &[f64], p: usize) -> Option<Vec<f64>> {
    for j in 0..p {
        let mut diag = a[j * p + j];
        for k in 0..j {
            diag -= a[j * p + k] * a[j * p + k];
        }
        if diag.is_nan() || diag <= 0.0 || !diag.is_finite() {
            return None;
        }
        let diag = diag.sqrt();
        a[j * p + j] = diag;
        for i in j + 1..p {
            let mut v = a[i * p + j];
            for k in 0..j {
                v -= a[i * p + k] * a[j * p + k];
            }
            a[i * p + j] = v / diag;
        }
    }
    // Forward then back substitution with the lower factor L (a = L Lᵀ).
    let mut z = vec![0.0; p];
    for i in 0..p {
        let mut v = b[i];
        for k in 0..i {
            v -= a[i * p + k] * z[k];
        }
        z[i] = v / a[i * p + i];
    }
    let mut w = vec![0.0; p];
    for i in (0..p).rev() {
        let mut v = z[i];
        for k in i + 1..p {
            v -= a[k * p + i] * w[k];
        }
        w[i] = v / a[i * p + i];
    }
    Some(w)
}

#[cfg(test)]
// A failing unwrap is a failing test.
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Four rows of two columns.
    fn four_by_two(data: [f64; 8]) -> Matrix {
        Matrix {
            n_rows: 4,
            n_cols: 2,
            data: data.to_vec(),
        }
    }

    #[test]
    fn recovers_exact_plane() {
        // y = 3 + 2a - b on four points: the fit must be exact (up to the tiny ridge).
        let x = four_by_two([0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 2.0, 3.0]);
        let y = [3.0, 5.0, 2.0, 4.0];
        let model = LinearModel::fit(&x, &y, &LinearConfig { ridge: 0.0 }).unwrap();
        assert!((model.intercept - 3.0).abs() < 1e-9);
        assert!((model.weights[0] - 2.0).abs() < 1e-9 && (model.weights[1] + 1.0).abs() < 1e-9);
    }

    #[test]
    fn collinear_one_hot_is_solved_with_ridge() {
        // Two one-hot columns that always sum to one: singular without the ridge.
        let x = four_by_two([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]);
        let y = [10.0, 20.0, 10.0, 20.0];
        let model = LinearModel::fit(&x, &y, &LinearConfig::default()).unwrap();
        assert!((model.predict_row(&[1.0, 0.0]) - 10.0).abs() < 1e-3);
        assert!((model.predict_row(&[0.0, 1.0]) - 20.0).abs() < 1e-3);
        assert!(LinearModel::fit(&x, &y, &LinearConfig { ridge: 0.0 }).is_err());
    }
}
