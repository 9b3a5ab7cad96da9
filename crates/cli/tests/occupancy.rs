//! `campus occupancy`: generate, train, predict, and the errors a user can meet.

use std::path::Path;
use std::process::Output;

use crate::support::{TempDir, campus, campus_ok, read, sha256_hex, succeeded};

/// SHA-256 of `campus occupancy generate --seed 42 --sessions 200`: the core pins the same
/// stream (crates/occupancy/tests/data), and the web page must write the same bytes.
const SEED_42_200_SHA256: &str =
    include_str!("../../occupancy/tests/data/golden_fingerprint_seed42_200.txt");

fn arg(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// `campus occupancy SUBCOMMAND` with `args` then `more`, successful or not.
fn occupancy(subcommand: &str, args: &[&str], more: &[&str]) -> Output {
    campus(&[&["occupancy", subcommand], args, more].concat())
}

/// `campus occupancy generate --sessions N --out OUT` with `more`; fails the test if it fails.
fn generate(sessions: &str, out: &str, more: &[&str]) -> Vec<u8> {
    let args = [
        &[
            "occupancy",
            "generate",
            "--sessions",
            sessions,
            "--out",
            out,
        ],
        more,
    ]
    .concat();
    campus_ok(&args).stdout
}

/// `campus occupancy train --data DATA --out MODEL` with `more`, successful or not.
fn train(data: &Path, model: &Path, more: &[&str]) -> Output {
    occupancy("train", &["--data", arg(data), "--out", arg(model)], more)
}

/// `campus occupancy predict --model MODEL --data DATA` with `more`, successful or not.
fn predict(model: &Path, data: &Path, more: &[&str]) -> Output {
    occupancy(
        "predict",
        &["--model", arg(model), "--data", arg(data)],
        more,
    )
}

#[test]
fn generate_is_pinned_and_deterministic() {
    let dir = TempDir::new("occ-generate");
    let (a, b) = (dir.path("a.csv"), dir.path("b.csv"));
    generate("200", arg(&a), &["--seed", "42"]);
    generate("200", arg(&b), &[]);
    let (a, b) = (read(&a), read(&b));
    assert!(a == b, "the same seed gave different bytes");
    assert_eq!(sha256_hex(&a), SEED_42_200_SHA256.trim());
    let other = generate("200", "-", &["--seed", "7"]);
    assert!(other != a);
}

#[test]
fn train_prints_every_metric_and_predict_uses_the_saved_model() {
    let dir = TempDir::new("occ-train");
    let (data, model, preds) = (dir.path("s.csv"), dir.path("m.bin"), dir.path("p.csv"));
    generate("800", arg(&data), &[]);
    let more = ["--trees", "10", "--quiet"];
    let out = succeeded(&more, train(&data, &model, &more));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "linear",
        "random forest",
        "MAE",
        "RMSE",
        "R²",
        "precision",
        "recall",
        "f1-score",
        "accuracy",
        "Confusion matrix",
        "feature importance",
        "160 held back",
    ] {
        assert!(stdout.contains(needle), "missing `{needle}` in:\n{stdout}");
    }
    succeeded(&[], predict(&model, &data, &["--out", arg(&preds)]));
    let text = String::from_utf8(read(&preds)).unwrap_or_default();
    let mut lines = text.lines();
    assert!(lines.next().unwrap_or_default().ends_with(
        "predicted_attendance_linear,predicted_attendance_forest,predicted_overcrowded,svm_margin"
    ));
    assert_eq!(lines.count(), 800);
    // Predicting again from the same file gives the same bytes.
    let again = succeeded(&[], predict(&model, &data, &[])).stdout;
    assert!(again == text.as_bytes());
}

#[test]
fn corrupt_model_and_bad_csv_give_clear_errors() {
    let dir = TempDir::new("occ-errors");
    let (data, model) = (dir.path("s.csv"), dir.path("m.bin"));
    generate("300", arg(&data), &[]);
    let more = ["--trees", "5", "--quiet"];
    succeeded(&more, train(&data, &model, &more));
    let mut bytes = read(&model);
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&model, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let out = predict(&model, &data, &[]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("checksum"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = predict(&data, &data, &[]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a Campus ETL Studio occupancy model")
    );

    let bad = dir.path("bad.csv");
    let mut text = String::from_utf8(read(&data)).unwrap_or_default();
    text.push_str("2024-12-01,25:00,Law,LT-2,150,Monday,1,False,133,0,0,0,0,85\n");
    std::fs::write(&bad, text).unwrap_or_else(|e| panic!("{e}"));
    let out = train(&bad, &model, &["--quiet"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.csv:302: column `time`: expected a time as HH:MM, found `25:00`"),
        "{stderr}"
    );
    assert!(stderr.contains("--skip-bad-rows"));
    let more = ["--trees", "5", "--quiet", "--skip-bad-rows"];
    succeeded(&more, train(&bad, &model, &more));
}

/// Regression: `predict` took 1e308 (±1e307 attendance) and capacity 100,000 without a word,
/// and read its whole input before predicting. A value out of bounds is a located error that
/// fails the run (train refuses it the same way); a value far from the training data is
/// predicted with a located warning; the rows stream through in chunks.
#[test]
fn predict_refuses_absurd_values_and_flags_unfamiliar_ones() {
    let dir = TempDir::new("occ-predict-range");
    let (data, model) = (dir.path("s.csv"), dir.path("m.bin"));
    generate("300", arg(&data), &[]);
    let more = ["--trees", "5", "--quiet"];
    succeeded(&more, train(&data, &model, &more));
    let text = String::from_utf8(read(&data)).unwrap_or_default();
    let header = text.lines().next().unwrap_or_default().to_owned();

    let huge = dir.path("huge.csv");
    let row = "2024-12-02,09:00,Law,LT-2,150,Monday,1,False,133,1e308,0,0,0,";
    std::fs::write(&huge, format!("{header}\n{row}\n")).unwrap_or_else(|e| panic!("{e}"));
    let preds = dir.path("p.csv");
    let out = predict(&model, &huge, &["--out", arg(&preds)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("huge.csv:2: column `prev_attendance`: expected a number from 0 to 1000000, found `1e308`"),
        "{stderr}"
    );
    assert!(!preds.exists(), "a failed run wrote its output");
    // Train refuses the same row (with its label).
    std::fs::write(&huge, format!("{header}\n{row}85\n")).unwrap_or_else(|e| panic!("{e}"));
    let out = train(&huge, &dir.path("m2.bin"), &["--quiet"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected a number from 0 to 1000000"));

    // Many rows, one of them with a capacity no venue in training had: predicted, flagged.
    let far = dir.path("far.csv");
    let mut body = String::new();
    for _ in 0..2_000 {
        body.push_str(text.lines().nth(1).unwrap_or_default());
        body.push('\n');
    }
    body.push_str("2024-12-02,09:00,Law,LT-2,100000,Monday,1,False,133,0,0,0,0,\n");
    std::fs::write(&far, format!("{header}\n{body}")).unwrap_or_else(|e| panic!("{e}"));
    let out = succeeded(&[], predict(&model, &far, &["--out", arg(&preds)]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Warning: 1 session(s) have inputs more than 4 standard deviations")
            && stderr.contains("far.csv:2002: venue_capacity 100000 (training mean"),
        "{stderr}"
    );
    assert_eq!(
        String::from_utf8(read(&preds))
            .unwrap_or_default()
            .lines()
            .count(),
        2_002
    );
}

#[test]
fn the_model_file_is_the_same_at_every_thread_count() {
    let dir = TempDir::new("occ-threads");
    let data = dir.path("sessions.csv");
    generate("600", arg(&data), &[]);
    let mut first = None;
    for threads in ["1", "4"] {
        let model = dir.path(&format!("model-{threads}.bin"));
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_campus"))
            .env("SOURCE_DATE_EPOCH", "1767225600")
            .args([
                "occupancy",
                "train",
                "--quiet",
                "--trees",
                "12",
                "--threads",
                threads,
            ])
            .args(["--data", arg(&data), "--out", arg(&model)])
            .output();
        let Ok(output) = output else {
            panic!("cannot run campus")
        };
        succeeded(&["occupancy", "train", "--threads", threads], output);
        let bytes = read(&model);
        match &first {
            None => first = Some(bytes),
            Some(first) => assert!(&bytes == first, "the model differs at {threads} threads"),
        }
    }
}
