//! The rejected rows a run may have and still succeed (`--max-bad-rows N` or `N%` in the CLI,
//! the ETL section's "allowed bad rows" on the page), and a run's verdict on them.

use std::str::FromStr;

/// The rejected rows a run allows: a count, or a share of the rows read. The default, 0,
/// makes any loss a failure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MaxBadRows {
    Count(u64),
    Percent(f64),
}

impl Default for MaxBadRows {
    fn default() -> MaxBadRows {
        MaxBadRows::Count(0)
    }
}

impl FromStr for MaxBadRows {
    type Err = String;

    fn from_str(text: &str) -> Result<MaxBadRows, String> {
        let text = text.trim();
        if let Some(number) = text.strip_suffix('%') {
            return match number.trim().parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => Ok(MaxBadRows::Percent(p)),
                _ => Err(format!(
                    "expected a percentage from 0% to 100%, found `{text}`"
                )),
            };
        }
        text.parse::<u64>().map(MaxBadRows::Count).map_err(|_| {
            format!(
                "expected a number of rows (e.g. 10) or a percentage (e.g. 0.5%), found `{text}`"
            )
        })
    }
}

impl MaxBadRows {
    /// Whether `n_rejected` rows of `n_read` are allowed.
    pub fn allows(self, n_rejected: u64, n_read: u64) -> bool {
        match self {
            MaxBadRows::Count(max) => n_rejected <= max,
            MaxBadRows::Percent(p) => n_rejected as f64 <= n_read as f64 * p / 100.0,
        }
    }
}

/// Rows read and rows rejected over `reports` (a file that could not be used keeps none).
pub fn rejected(reports: &[campus_etl::FileReport]) -> (u64, u64) {
    let kept = |r: &campus_etl::FileReport| if r.unusable { 0 } else { r.n_rows };
    let n_read = reports
        .iter()
        .map(campus_etl::FileReport::n_rows_read)
        .sum();
    let n_rejected = reports
        .iter()
        .map(|r| r.n_rows_read().saturating_sub(kept(r)))
        .sum();
    (n_read, n_rejected)
}

/// A run's verdict on its rejected rows: `Ok` with the account when `max` allows them, `Err`
/// with what failed. The CLI exits non-zero on `Err`; the page shows the run as failed.
pub fn verdict(reports: &[campus_etl::FileReport], max: MaxBadRows) -> Result<String, String> {
    let (n_read, n_rejected) = rejected(reports);
    if n_rejected == 0 {
        return Ok(format!("{n_read} rows read, none rejected."));
    }
    if max.allows(n_rejected, n_read) {
        return Ok(format!(
            "{n_rejected} of {n_read} rows were rejected, within the {} allowed.",
            max.shown()
        ));
    }
    let files: Vec<String> = reports
        .iter()
        .filter(|r| r.n_rows_read() > if r.unusable { 0 } else { r.n_rows })
        .map(|r| format!("{}: {}", r.file_name, r.account()))
        .collect();
    Err(format!(
        "{n_rejected} of {n_read} rows were rejected ({}), more than the {} allowed",
        files.join("; "),
        max.shown()
    ))
}

impl MaxBadRows {
    /// As the user would write it: `10` or `0.5%`.
    pub fn shown(self) -> String {
        match self {
            MaxBadRows::Count(n) => n.to_string(),
            MaxBadRows::Percent(p) => format!("{p}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_percentages() {
        assert_eq!("0".parse(), Ok(MaxBadRows::Count(0)));
        assert_eq!(" 2.5% ".parse(), Ok(MaxBadRows::Percent(2.5)));
        assert!("-1".parse::<MaxBadRows>().is_err());
        assert!("101%".parse::<MaxBadRows>().is_err());
        assert!("x%".parse::<MaxBadRows>().is_err());
        assert!(MaxBadRows::default().allows(0, 10));
        assert!(!MaxBadRows::default().allows(1, 10));
        assert!(MaxBadRows::Percent(10.0).allows(1, 10));
        assert!(!MaxBadRows::Percent(10.0).allows(2, 10));
        assert!(MaxBadRows::Count(5).allows(5, 5));
    }
}
