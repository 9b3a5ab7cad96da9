//! Seeded train/test split and k-fold assignment.

use campus_schema::rng::Rng;

/// Row indices of a split; both lists are sorted so the split reads in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Shuffles `0..n_rows` with `seed` and holds back `round(test_fraction * n_rows)` rows
/// (at least one of each side when there are two rows or more).
pub fn train_test_split(n_rows: usize, test_fraction: f64, seed: u64) -> Split {
    let mut order: Vec<usize> = (0..n_rows).collect();
    Rng::new(seed).shuffle(&mut order);
    let fraction = if test_fraction.is_finite() {
        test_fraction.clamp(0.0, 1.0)
    } else {
        0.2
    };
    let mut n_test = (fraction * n_rows as f64).round() as usize;
    if n_rows >= 2 {
        n_test = n_test.clamp(1, n_rows - 1);
    }
    let mut test = order.get(..n_test).unwrap_or_default().to_vec();
    let mut train = order.get(n_test..).unwrap_or_default().to_vec();
    test.sort_unstable();
    train.sort_unstable();
    Split { train, test }
}

/// `k` folds over a seeded shuffle: fold `i` tests on every `k`-th shuffled row from `i`.
pub fn k_folds(n_rows: usize, k: usize, seed: u64) -> Vec<Split> {
    let k = k.clamp(2, n_rows.max(2));
    let mut order: Vec<usize> = (0..n_rows).collect();
    Rng::new(seed).shuffle(&mut order);
    (0..k)
        .map(|fold| {
            let mut test = Vec::new();
            let mut train = Vec::new();
            for (pos, row) in order.iter().enumerate() {
                if pos % k == fold {
                    test.push(*row)
                } else {
                    train.push(*row)
                }
            }
            test.sort_unstable();
            train.sort_unstable();
            Split { train, test }
        })
        .collect()
}

#[cfg(test)]
// A failing unwrap is a failing test.
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn split_partitions_rows() {
        let split = train_test_split(100, 0.2, 1);
        assert_eq!((split.train.len(), split.test.len()), (80, 20));
        let mut all: Vec<usize> = split.train.iter().chain(&split.test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_eq!(split, train_test_split(100, 0.2, 1));
        assert_ne!(split, train_test_split(100, 0.2, 2));
    }

    #[test]
    fn folds_cover_each_row_once() {
        let folds = k_folds(23, 5, 9);
        assert_eq!(folds.len(), 5);
        let mut tested: Vec<usize> = folds.iter().flat_map(|f| f.test.clone()).collect();
        tested.sort_unstable();
        assert_eq!(tested, (0..23).collect::<Vec<_>>());
        assert!(folds.iter().all(|f| f.train.len() + f.test.len() == 23));
    }
}
