//! The data-quality and analysis report as Markdown (GitHub-flavoured tables).

use std::fmt::Write;

use crate::analysis::Analysis;
use crate::quality::{FileReport, Findings};
use crate::{Etl, HashMode};

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn findings_md(out: &mut String, findings: &Findings) {
    for finding in &findings.items {
        let _ = writeln!(out, "- **{}**: {}", finding.count, finding.kind.describe());
        for example in &finding.examples {
            if example.line > 0 {
                let _ = writeln!(
                    out,
                    "  - line {}: `{}`",
                    example.line,
                    example.text.replace('`', "'")
                );
            } else {
                let _ = writeln!(out, "  - `{}`", example.text.replace('`', "'"));
            }
        }
    }
}

fn file_md(out: &mut String, report: &FileReport) {
    let delimiter = match report.delimiter {
        b'\t' => "tab".to_owned(),
        d => format!("`{}`", char::from(d)),
    };
    let _ = writeln!(
        out,
        "### {} — `{}`\n",
        report.kind.label(),
        report.file_name
    );
    let _ = writeln!(
        out,
        "{} rows, {} columns, {} bytes, delimiter {delimiter}; {}.\n",
        report.n_rows,
        report.columns.len(),
        report.n_bytes,
        report.account()
    );
    if report.unusable {
        out.push_str("**This file could not be used.**\n\n");
    }
    if report.n_errors > 0 {
        let _ = writeln!(out, "Read errors ({}):\n", report.n_errors);
        for error in &report.errors {
            let _ = writeln!(out, "- {}", cell(error));
        }
        if report.n_errors > report.errors.len() as u64 {
            let _ = writeln!(
                out,
                "- … and {} more",
                report.n_errors - report.errors.len() as u64
            );
        }
        out.push('\n');
    }
    if !report.columns.is_empty() {
        out.push_str("| column | type | nulls |\n|---|---|---:|\n");
        for column in &report.columns {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&column.name),
                column.ty.name(),
                column.n_nulls
            );
        }
        out.push('\n');
    }
    if report.findings.items.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        findings_md(out, &report.findings);
        out.push('\n');
    }
}

fn num(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| format!("{v}"))
}

/// The whole report: per file, across files, then the analysis.
pub fn markdown(etl: &Etl, analysis: &Analysis) -> String {
    let mut out = String::from("# Campus ETL report\n\n");
    let mode = match etl.options().hash {
        HashMode::Sha256 => {
            "SHA-256 of `college_code-roll_no-dob` (unkeyed: reversible by enumeration)"
        }
        HashMode::Keyed { .. } => "HMAC-SHA-256 with a secret key (the key is not stored anywhere)",
    };
    let _ = writeln!(
        out,
        "student_hash: {mode}. De-identified outputs: {}.\n",
        if etl.options().deidentify {
            "yes"
        } else {
            "no"
        }
    );
    out.push_str("## Files\n\n");
    for report in &etl.state().reports {
        file_md(&mut out, report);
    }
    out.push_str("## Across files\n\n");
    let cross = etl.cross_file_findings();
    let _ = writeln!(
        out,
        "{} distinct students loaded.\n",
        etl.state().students().len()
    );
    let n_shared = etl
        .state()
        .students()
        .iter()
        .filter(|s| s.shares_with.is_some())
        .count();
    if n_shared > 0 {
        let _ = writeln!(
            out,
            "{n_shared} of them share a (roll_no, dob) key with an earlier student of another \
             college code. Each is hashed from its own fields, and, as pandas' \
             `merge(how=\"left\")` does, every attendance, exam and placement row with that key \
             joins each student of the key (one staging row per student). Exact repeats of a \
             student are one student.\n"
        );
    }
    if cross.items.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        findings_md(&mut out, &cross);
        out.push('\n');
    }

    out.push_str("## Attendance and marks\n\n");
    let _ = writeln!(
        out,
        "Pearson r = {} over {} (student, course) pairs with both values; Spearman ρ = {}.\n",
        num(analysis.pearson),
        analysis.n_complete_pairs,
        num(analysis.spearman)
    );
    if let Some(fit) = analysis.fit {
        let _ = writeln!(
            out,
            "Least squares: total_marks = {:.4} × attendance_pct + {:.4}.\n",
            fit.slope, fit.intercept
        );
    }
    for (title, groups) in [
        ("course", &analysis.per_course),
        ("programme", &analysis.per_program),
    ] {
        let _ = writeln!(out, "| {title} | pairs | Pearson r |\n|---|---:|---:|");
        for group in groups {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&group.name),
                group.n_pairs,
                group.pearson.map_or("n/a".into(), |r| format!("{r:.4}"))
            );
        }
        out.push('\n');
    }
    for (title, hist, percent) in [
        ("attendance_pct", &analysis.attendance_histogram, true),
        ("total_marks", &analysis.marks_histogram, false),
    ] {
        let _ = writeln!(
            out,
            "Distribution of {title}:\n\n| from | to | count |\n|---:|---:|---:|"
        );
        for (idx, count) in hist.counts.iter().enumerate() {
            let (lo, hi) = (hist.edge(idx), hist.edge(idx + 1));
            if percent {
                let _ = writeln!(out, "| {:.0}% | {:.0}% | {count} |", lo * 100.0, hi * 100.0);
            } else {
                let _ = writeln!(out, "| {lo:.0} | {hi:.0} | {count} |");
            }
        }
        if hist.n_missing > 0 {
            let _ = writeln!(out, "\n{} pairs have no value.", hist.n_missing);
        }
        out.push('\n');
    }
    out.push_str("## Placements\n\n");
    for (title, rates) in [
        ("programme", &analysis.placement_by_program),
        ("attendance band", &analysis.placement_by_band),
    ] {
        let _ = writeln!(
            out,
            "| {title} | students | placed | rate |\n|---|---:|---:|---:|"
        );
        for rate in rates {
            let pct = rate
                .rate()
                .map_or("n/a".into(), |r| format!("{:.1}%", r * 100.0));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {pct} |",
                cell(&rate.name),
                rate.n_students,
                rate.n_placed
            );
        }
        out.push('\n');
    }
    out
}
