//! Evaluation metrics: MAE, RMSE and R² for regression; accuracy, per-class precision, recall
//! and F1, the confusion matrix and a scikit-learn style report for classification.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionMetrics {
    pub mae: f64,
    pub rmse: f64,
    /// `1 − SS_res / SS_tot`; 0 when the targets are constant (scikit-learn reports 1 or 0 then).
    pub r2: f64,
}

pub fn regression_metrics(actual: &[f64], predicted: &[f64]) -> RegressionMetrics {
    let n = actual.len().min(predicted.len());
    if n == 0 {
        return RegressionMetrics {
            mae: 0.0,
            rmse: 0.0,
            r2: 0.0,
        };
    }
    let nf = n as f64;
    let pairs = || actual.iter().zip(predicted).take(n);
    let mae = pairs().map(|(a, p)| (a - p).abs()).sum::<f64>() / nf;
    let ss_res = pairs().map(|(a, p)| (a - p) * (a - p)).sum::<f64>();
    let mean = actual.iter().take(n).sum::<f64>() / nf;
    let ss_tot = actual
        .iter()
        .take(n)
        .map(|a| (a - mean) * (a - mean))
        .sum::<f64>();
    let r2 = if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else {
        0.0
    };
    RegressionMetrics {
        mae,
        rmse: (ss_res / nf).sqrt(),
        r2,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationMetrics {
    pub accuracy: f64,
    /// `[not overcrowded, overcrowded]`.
    pub per_class: [ClassMetrics; 2],
    pub macro_avg: ClassMetrics,
    pub weighted_avg: ClassMetrics,
    /// `confusion[actual][predicted]`, 0 = not overcrowded, 1 = overcrowded.
    pub confusion: [[u64; 2]; 2],
}

pub const CLASS_NAMES: [&str; 2] = ["not overcrowded", "overcrowded"];

fn ratio(num: u64, den: u64) -> f64 {
    // scikit-learn's zero_division=0.
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

pub fn classification_metrics(actual: &[bool], predicted: &[bool]) -> ClassificationMetrics {
    let mut confusion = [[0u64; 2]; 2];
    for (a, p) in actual.iter().zip(predicted) {
        confusion[usize::from(*a)][usize::from(*p)] += 1;
    }
    let total: u64 = confusion.iter().flatten().sum();
    let correct = confusion[0][0] + confusion[1][1];
    let class = |c: usize| {
        let tp = confusion[c][c];
        let predicted_c = confusion[0][c] + confusion[1][c];
        let support = confusion[c][0] + confusion[c][1];
        let precision = ratio(tp, predicted_c);
        let recall = ratio(tp, support);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        ClassMetrics {
            precision,
            recall,
            f1,
            support,
        }
    };
    let per_class = [class(0), class(1)];
    let average = |weight: &dyn Fn(&ClassMetrics) -> f64| {
        let w_sum: f64 = per_class.iter().map(weight).sum();
        let avg = |f: &dyn Fn(&ClassMetrics) -> f64| {
            if w_sum > 0.0 {
                per_class.iter().map(|c| weight(c) * f(c)).sum::<f64>() / w_sum
            } else {
                0.0
            }
        };
        ClassMetrics {
            precision: avg(&|c| c.precision),
            recall: avg(&|c| c.recall),
            f1: avg(&|c| c.f1),
            support: total,
        }
    };
    ClassificationMetrics {
        accuracy: ratio(correct, total),
        macro_avg: average(&|_| 1.0),
        weighted_avg: average(&|c| c.support as f64),
        per_class,
        confusion,
    }
}

impl ClassificationMetrics {
    /// The text of scikit-learn's `classification_report` (two decimals).
    pub fn report(&self) -> String {
        let mut out = String::new();
        let width = CLASS_NAMES
            .iter()
            .map(|n| n.len())
            .max()
            .unwrap_or(0)
            .max("weighted avg".len());
        let _ = writeln!(
            out,
            "{:>width$} {:>9} {:>9} {:>9} {:>9}",
            "", "precision", "recall", "f1-score", "support"
        );
        out.push('\n');
        for (name, m) in CLASS_NAMES.iter().zip(&self.per_class) {
            let _ = writeln!(
                out,
                "{name:>width$} {:>9.2} {:>9.2} {:>9.2} {:>9}",
                m.precision, m.recall, m.f1, m.support
            );
        }
        out.push('\n');
        let total = self.macro_avg.support;
        let _ = writeln!(
            out,
            "{:>width$} {:>9} {:>9} {:>9.2} {:>9}",
            "accuracy", "", "", self.accuracy, total
        );
        for (name, m) in [
            ("macro avg", &self.macro_avg),
            ("weighted avg", &self.weighted_avg),
        ] {
            let _ = writeln!(
                out,
                "{name:>width$} {:>9.2} {:>9.2} {:>9.2} {:>9}",
                m.precision, m.recall, m.f1, m.support
            );
        }
        out
    }

    /// The confusion matrix as text, actual classes down, predicted across.
    pub fn confusion_text(&self) -> String {
        let mut out = String::new();
        let width = CLASS_NAMES.iter().map(|n| n.len()).max().unwrap_or(0);
        let _ = writeln!(
            out,
            "{:>width$}   predicted: {:>15} {:>15}",
            "actual", CLASS_NAMES[0], CLASS_NAMES[1]
        );
        for (name, row) in CLASS_NAMES.iter().zip(&self.confusion) {
            let _ = writeln!(
                out,
                "{name:>width$}              {:>15} {:>15}",
                row[0], row[1]
            );
        }
        out
    }
}
