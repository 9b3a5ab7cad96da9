//! Small statistics the way pandas and NumPy compute them, so results agree to the last bits.

/// Kahan summation, as pandas' grouped `mean` uses.
#[derive(Clone, Copy, Debug, Default)]
pub struct KahanSum {
    sum: f64,
    compensation: f64,
    pub n: u64,
}

impl KahanSum {
    pub fn add(&mut self, value: f64) {
        let y = value - self.compensation;
        let t = self.sum + y;
        self.compensation = (t - self.sum) - y;
        self.sum = t;
        self.n += 1;
    }

    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// The mean, NaN when nothing was added (pandas' mean of an all-NaN group).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum / self.n as f64
        }
    }
}

/// Pairs where neither value is NaN, as pandas' `Series.corr` keeps them.
pub fn complete_pairs(xs: &[f64], ys: &[f64]) -> (Vec<f64>, Vec<f64>) {
    xs.iter()
        .zip(ys)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| (*x, *y))
        .unzip()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Pearson's r over complete pairs, NumPy's `corrcoef` formula: centre, then
/// cov / (sd_x · sd_y), clipped to [-1, 1]. `None` with fewer than two pairs or no spread.
pub fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let (xs, ys) = complete_pairs(xs, ys);
    if xs.len() < 2 {
        return None;
    }
    let (mx, my) = (mean(&xs), mean(&ys));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(&ys) {
        let (dx, dy) = (x - mx, y - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    let n1 = (xs.len() - 1) as f64;
    let r = (sxy / n1) / (sxx / n1).sqrt() / (syy / n1).sqrt();
    Some(r.clamp(-1.0, 1.0))
}

/// Ranks 1..=n with ties given their average rank (pandas `rank(method="average")`).
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        values
            .get(a)
            .partial_cmp(&values.get(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let value = order.get(start).and_then(|&i| values.get(i));
        let mut end = start + 1;
        while end < order.len() && order.get(end).and_then(|&i| values.get(i)) == value {
            end += 1;
        }
        // Ranks start+1 ..= end share their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        debug_assert!(end <= order.len());
        for &idx in order.get(start..end).unwrap_or_default() {
            if let Some(slot) = ranks.get_mut(idx) {
                *slot = rank;
            }
        }
        start = end;
    }
    ranks
}

/// Spearman's rho: Pearson of the average ranks of the complete pairs.
pub fn spearman(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let (xs, ys) = complete_pairs(xs, ys);
    pearson(&average_ranks(&xs), &average_ranks(&ys))
}

/// The least-squares line y = slope · x + intercept over complete pairs.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinearFit {
    pub slope: f64,
    pub intercept: f64,
}

pub fn least_squares(xs: &[f64], ys: &[f64]) -> Option<LinearFit> {
    let (xs, ys) = complete_pairs(xs, ys);
    if xs.len() < 2 {
        return None;
    }
    let (mx, my) = (mean(&xs), mean(&ys));
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, y) in xs.iter().zip(&ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
    }
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    Some(LinearFit {
        slope,
        intercept: my - slope * mx,
    })
}

/// Counts in equal-width bins over `[lo, hi]`; the last bin includes `hi`, values outside are
/// counted apart.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Histogram {
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u64>,
    pub n_outside: u64,
    pub n_missing: u64,
}

impl Histogram {
    pub fn new(
        lo: f64,
        hi: f64,
        n_bins: usize,
        values: impl IntoIterator<Item = f64>,
    ) -> Histogram {
        let mut hist = Histogram {
            lo,
            hi,
            counts: vec![0; n_bins.max(1)],
            n_outside: 0,
            n_missing: 0,
        };
        let n = hist.counts.len();
        for value in values {
            if value.is_nan() {
                hist.n_missing += 1;
            } else if value < lo || value > hi {
                hist.n_outside += 1;
            } else {
                let bin = (((value - lo) / (hi - lo)) * n as f64) as usize;
                if let Some(count) = hist.counts.get_mut(bin.min(n - 1)) {
                    *count += 1;
                }
            }
        }
        hist
    }

    /// The lower edge of bin `idx`.
    pub fn edge(&self, idx: usize) -> f64 {
        self.lo + (self.hi - self.lo) * idx as f64 / self.counts.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_correlations() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 10.0, 30.0]),
            vec![1.5, 3.0, 1.5, 4.0]
        );
        let xs = [1.0, 2.0, f64::NAN, 4.0, 5.0];
        let ys = [2.0, 4.0, 1.0, 8.0, 10.0];
        assert_eq!(pearson(&xs, &ys), Some(1.0));
        assert_eq!(spearman(&xs, &[5.0, 4.0, 0.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
        let fit = least_squares(&xs, &ys);
        assert_eq!(
            fit,
            Some(LinearFit {
                slope: 2.0,
                intercept: 0.0
            })
        );
        let hist = Histogram::new(0.0, 1.0, 4, [0.0, 0.3, 1.0, 2.0, f64::NAN]);
        assert_eq!(
            (hist.counts, hist.n_outside, hist.n_missing),
            (vec![1, 1, 0, 1], 1, 1)
        );
    }
}
