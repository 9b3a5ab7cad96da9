//! `campus occupancy`: generate, train, predict, and the errors a user can meet.

use crate::support::{TempDir, campus, campus_ok, read, sha256_hex};

/// SHA-256 of `campus occupancy generate --seed 42 --sessions 200`: the core pins the same
/// stream (crates/occupancy/tests/data), and the web page must write the same bytes.
const SEED_42_200_SHA256: &str =
    include_str!("../../occupancy/tests/data/golden_fingerprint_seed42_200.txt");

fn arg(path: &std::path::Path) -> &str {
    path.to_str().unwrap_or_default()
}

#[test]
fn generate_is_pinned_and_deterministic() {
    let dir = TempDir::new("occ-generate");
    let (a, b) = (dir.path("a.csv"), dir.path("b.csv"));
    campus_ok(&[
        "occupancy",
        "generate",
        "--seed",
        "42",
        "--sessions",
        "200",
        "--out",
        arg(&a),
    ]);
    campus_ok(&[
        "occupancy",
        "generate",
        "--sessions",
        "200",
        "--out",
        arg(&b),
    ]);
    let (a, b) = (read(&a), read(&b));
    assert!(a == b, "the same seed gave different bytes");
    assert_eq!(sha256_hex(&a), SEED_42_200_SHA256.trim());
    let other = campus_ok(&[
        "occupancy",
        "generate",
        "--seed",
        "7",
        "--sessions",
        "200",
        "--out",
        "-",
    ])
    .stdout;
    assert!(other != a);
}

#[test]
fn train_prints_every_metric_and_predict_uses_the_saved_model() {
    let dir = TempDir::new("occ-train");
    let (data, model, preds) = (dir.path("s.csv"), dir.path("m.bin"), dir.path("p.csv"));
    campus_ok(&[
        "occupancy",
        "generate",
        "--sessions",
        "800",
        "--out",
        arg(&data),
    ]);
    let out = campus_ok(&[
        "occupancy",
        "train",
        "--data",
        arg(&data),
        "--out",
        arg(&model),
        "--trees",
        "10",
        "--quiet",
    ]);
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
    campus_ok(&[
        "occupancy",
        "predict",
        "--model",
        arg(&model),
        "--data",
        arg(&data),
        "--out",
        arg(&preds),
    ]);
    let text = String::from_utf8(read(&preds)).unwrap_or_default();
    let mut lines = text.lines();
    assert!(lines.next().unwrap_or_default().ends_with(
        "predicted_attendance_linear,predicted_attendance_forest,predicted_overcrowded,svm_margin"
    ));
    assert_eq!(lines.count(), 800);
    // Predicting again from the same file gives the same bytes.
    let again = campus_ok(&[
        "occupancy",
        "predict",
        "--model",
        arg(&model),
        "--data",
        arg(&data),
    ])
    .stdout;
    assert!(again == text.as_bytes());
}

#[test]
fn corrupt_model_and_bad_csv_give_clear_errors() {
    let dir = TempDir::new("occ-errors");
    let (data, model) = (dir.path("s.csv"), dir.path("m.bin"));
    campus_ok(&[
        "occupancy",
        "generate",
        "--sessions",
        "300",
        "--out",
        arg(&data),
    ]);
    campus_ok(&[
        "occupancy",
        "train",
        "--data",
        arg(&data),
        "--out",
        arg(&model),
        "--trees",
        "5",
        "--quiet",
    ]);
    let mut bytes = read(&model);
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&model, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let out = campus(&[
        "occupancy",
        "predict",
        "--model",
        arg(&model),
        "--data",
        arg(&data),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("checksum"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = campus(&[
        "occupancy",
        "predict",
        "--model",
        arg(&data),
        "--data",
        arg(&data),
    ]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a Campus ETL Studio occupancy model")
    );

    let bad = dir.path("bad.csv");
    let mut text = String::from_utf8(read(&data)).unwrap_or_default();
    text.push_str("2024-12-01,25:00,Law,LT-2,150,Monday,1,False,133,0,0,0,0,85\n");
    std::fs::write(&bad, text).unwrap_or_else(|e| panic!("{e}"));
    let out = campus(&[
        "occupancy",
        "train",
        "--data",
        arg(&bad),
        "--out",
        arg(&model),
        "--quiet",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.csv:302: column `time`: expected a time as HH:MM, found `25:00`"),
        "{stderr}"
    );
    assert!(stderr.contains("--skip-bad-rows"));
    campus_ok(&[
        "occupancy",
        "train",
        "--data",
        arg(&bad),
        "--out",
        arg(&model),
        "--trees",
        "5",
        "--quiet",
        "--skip-bad-rows",
    ]);
}
