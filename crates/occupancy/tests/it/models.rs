//! Model quality on generated data, the SVM solver against known optima, and the hooks.

use campus_occupancy::features::Matrix;
use campus_occupancy::progress::{Hooks, Progress, Stage, without_hooks};
use campus_occupancy::svm::{ClassWeight, KernelConfig, Shrinking, SvmConfig, SvmModel};
use campus_occupancy::{SessionInput, TrainError, cross_validate, train};

use crate::common::{bundle, config, sessions};

#[test]
fn forest_beats_linear_and_svm_finds_the_minority() {
    let e = &bundle().evaluation;
    assert_eq!(e.n_train + e.n_test, crate::common::N_SESSIONS);
    assert_eq!(e.n_test, 400);
    assert!(e.linear.r2 > 0.8, "linear R² {}", e.linear.r2);
    // The generator is non-linear (products of rates, thresholds, interactions): the forest
    // must be clearly better, most visibly in absolute error.
    assert!(
        e.forest.r2 > e.linear.r2 + 0.02,
        "forest R² {} vs linear {}",
        e.forest.r2,
        e.linear.r2
    );
    assert!(
        e.forest.mae < 0.75 * e.linear.mae,
        "forest MAE {} vs linear {}",
        e.forest.mae,
        e.linear.mae
    );
    let overcrowded = e.svm.per_class[1];
    assert!(overcrowded.support > 20);
    assert!(overcrowded.recall > 0.75, "recall {}", overcrowded.recall);
    assert!(e.svm.accuracy > 0.85, "accuracy {}", e.svm.accuracy);
    // Enrolment and the course's own history must be among the strongest features.
    let top: Vec<&str> = e
        .feature_importance
        .iter()
        .take(5)
        .map(|f| f.feature.as_str())
        .collect();
    assert!(
        top.contains(&"enrolled_students") || top.contains(&"rolling_avg_5"),
        "{top:?}"
    );
    let total: f64 = e.feature_importance.iter().map(|f| f.importance).sum();
    assert!((total - 1.0).abs() < 1e-9);
}

#[test]
fn unseen_categories_predict_instead_of_crashing() {
    let input = SessionInput {
        date: "2025-01-01".to_owned(),
        time_minutes: 600,
        school: "Theology".to_owned(),
        venue: "Chapel".to_owned(),
        venue_capacity: 80,
        weekday: "Saturday".to_owned(),
        semester_day: 50,
        exam_week: false,
        enrolled_students: 70,
        prev_attendance: 60.0,
        rolling_avg_3: 61.0,
        rolling_avg_5: 62.0,
        trend_delta: -1.0,
    };
    let prediction = bundle().predict(&input).expect("prediction");
    assert!(prediction.linear_attendance.is_finite() && prediction.forest_attendance.is_finite());
    assert!(prediction.svm_margin.is_finite());
    assert!(
        (20.0..120.0).contains(&prediction.forest_attendance),
        "{prediction:?}"
    );
}

#[test]
fn batch_and_single_predictions_agree() {
    let models = &bundle().models;
    let inputs: Vec<&SessionInput> = sessions().iter().take(50).map(|s| &s.input).collect();
    let batch = models.predict_many(inputs.iter().copied()).expect("batch");
    for (input, from_batch) in inputs.iter().zip(&batch) {
        assert_eq!(&models.predict(input).expect("single"), from_batch);
    }
}

/// The feature-major prediction must give the very bits of the textbook sum over support
/// vectors, `Σ cᵢ · exp(−γ‖svᵢ − x‖²) − ρ` with the norms expanded, row by row.
#[test]
fn svm_margin_equals_the_row_by_row_sum_bit_for_bit() {
    let models = &bundle().models;
    let svm = &models.svm;
    let campus_occupancy::svm::Kernel::Rbf { gamma } = svm.kernel else {
        panic!("the default kernel is RBF");
    };
    assert!(
        svm.coefficients.len() > 100,
        "a real model: {} support vectors",
        svm.coefficients.len()
    );
    let n = svm.n_features;
    let bytes = bundle().to_bytes().expect("encode");
    let loaded = campus_occupancy::ModelBundle::from_bytes(&bytes).expect("decode");
    for session in sessions().iter().take(40) {
        let row = models.encoder.encode_row(&session.input);
        let row_sq: f64 = row.iter().filter(|v| **v != 0.0).map(|v| v * v).sum();
        let mut expected = 0.0;
        for (i, coef) in svm.coefficients.iter().enumerate() {
            let sv = &svm.support_vectors[i * n..(i + 1) * n];
            let dot: f64 = row
                .iter()
                .zip(sv)
                .filter(|(v, _)| **v != 0.0)
                .map(|(v, s)| v * s)
                .sum();
            let d2 = (svm.sv_sq_norms[i] + row_sq - 2.0 * dot).max(0.0);
            expected += coef * libm::exp(-gamma * d2);
        }
        expected -= svm.rho;
        assert_eq!(svm.decision_function(&row).to_bits(), expected.to_bits());
        // A model rebuilt from its stored fields transposes afresh and must agree too.
        assert_eq!(
            loaded.models.svm.decision_function(&row).to_bits(),
            expected.to_bits()
        );
    }
}

/// Hard-margin 1-D problem: points −2, −1 (class −) and 1, 2 (class +). The optimum is
/// w = 1, b = 0 with support vectors ±1, so the decision function is exactly x.
#[test]
fn svm_linear_hard_margin_by_hand() {
    let x = Matrix {
        n_rows: 4,
        n_cols: 1,
        data: vec![-2.0, -1.0, 1.0, 2.0],
    };
    let labels = [false, false, true, true];
    let config = SvmConfig {
        kernel: KernelConfig::Linear,
        c: 1000.0,
        class_weight: ClassWeight::Uniform,
        ..SvmConfig::default()
    };
    let model = without_hooks(|h| SvmModel::fit(&x, &labels, &config, h)).expect("fit");
    for v in [-3.0, -0.5, 0.25, 1.5] {
        assert!(
            (model.decision_function(&[v]) - v).abs() < 1e-6,
            "f({v}) = {}",
            model.decision_function(&[v])
        );
    }
    assert_eq!(model.stats.n_support, 2);
    assert!(model.stats.converged);
}

/// The dual solution must satisfy the KKT conditions, with or without shrinking, and both
/// must reach the same decisions.
#[test]
fn svm_rbf_reaches_the_optimum_with_and_without_shrinking() {
    let e = bundle();
    let encoder = &e.models.encoder;
    let x = encoder.encode(sessions().iter().take(600).map(|s| &s.input));
    let labels: Vec<bool> = sessions()
        .iter()
        .take(600)
        .map(|s| s.overcrowded())
        .collect();
    let fit = |shrinking| {
        let config = SvmConfig {
            shrinking,
            tolerance: 1e-5,
            ..SvmConfig::default()
        };
        without_hooks(|h| SvmModel::fit(&x, &labels, &config, h)).expect("fit")
    };
    let (on, off) = (fit(Shrinking::On), fit(Shrinking::Off));
    assert!(on.stats.converged && off.stats.converged);
    // Equality constraint Σ αᵢyᵢ = 0 and box constraints.
    let c_max = on.stats.c_overcrowded.max(on.stats.c_not_overcrowded);
    assert!(on.coefficients.iter().sum::<f64>().abs() < 1e-6);
    assert!(on.coefficients.iter().all(|c| c.abs() <= c_max + 1e-9));
    let mut disagreements = 0;
    for r in 0..x.n_rows {
        let (a, b) = (
            on.decision_function(x.row(r)),
            off.decision_function(x.row(r)),
        );
        assert!((a - b).abs() < 1e-2, "row {r}: {a} vs {b}");
        disagreements += usize::from((a > 0.0) != (b > 0.0));
    }
    assert!(disagreements <= 2);
}

#[test]
fn svm_with_one_class_gives_a_constant_verdict() {
    let x = Matrix {
        n_rows: 3,
        n_cols: 1,
        data: vec![1.0, 2.0, 3.0],
    };
    let model =
        without_hooks(|h| SvmModel::fit(&x, &[false; 3], &SvmConfig::default(), h)).expect("fit");
    assert!(!model.predict_row(&[10.0]));
}

#[test]
fn progress_rises_to_one_and_cancel_stops_training() {
    let mut seen: Vec<Progress> = Vec::new();
    let mut on_progress = |p: Progress| seen.push(p);
    let never = || false;
    let small: Vec<_> = sessions().iter().take(400).cloned().collect();
    let mut hooks = Hooks {
        on_progress: &mut on_progress,
        is_cancelled: &never,
    };
    train(&small, &config(), "t", &mut hooks).expect("train");
    assert!(
        seen.windows(2)
            .all(|w| w[1].overall >= w[0].overall - 1e-12)
    );
    assert!(seen.iter().any(|p| p.stage == Stage::Forest));
    assert_eq!(seen.last().map(|p| p.overall), Some(1.0));

    let mut ignore = |_: Progress| {};
    let cancel = || true;
    let mut hooks = Hooks {
        on_progress: &mut ignore,
        is_cancelled: &cancel,
    };
    assert_eq!(
        train(&small, &config(), "t", &mut hooks).err(),
        Some(TrainError::Cancelled)
    );
}

#[test]
fn too_few_rows_is_an_error() {
    let few: Vec<_> = sessions().iter().take(5).cloned().collect();
    let result = without_hooks(|h| train(&few, &config(), "t", h));
    assert_eq!(
        result.err(),
        Some(TrainError::TooFewRows {
            needed: 10,
            found: 5
        })
    );
}

#[test]
fn cross_validation_reports_every_fold() {
    let small: Vec<_> = sessions().iter().take(500).cloned().collect();
    let mut config = config();
    config.forest.n_trees = 10;
    let folds = without_hooks(|h| cross_validate(&small, &config, 3, h)).expect("cv");
    assert_eq!(folds.len(), 3);
    assert!(folds.iter().all(|f| f.forest.r2 > 0.7 && f.linear.r2 > 0.5));
}

/// The smallest accepted dataset must train (or fail with an error), never panic: a panic
/// in the browser worker would kill it.
#[test]
fn smallest_dataset_trains_without_panicking() {
    for n in [10, 11, 17] {
        let few: Vec<_> = sessions().iter().take(n).cloned().collect();
        let bundle = without_hooks(|h| train(&few, &config(), "t", h)).expect("train");
        assert_eq!(bundle.evaluation.n_train + bundle.evaluation.n_test, n);
        let prediction = bundle.predict(&few[0].input).expect("predict");
        assert!(prediction.forest_attendance.is_finite());
    }
}

/// Regression: 5,000 distinct venues made 5,000 one-hot columns in every encoded row and
/// support vector (minutes of training, an 83 MB model). The most frequent venues keep their
/// column; the rest share "other", and the cap is reported.
#[test]
fn high_cardinality_categories_are_capped_and_reported() {
    use campus_occupancy::features::{MAX_CATEGORIES, capped_columns};

    let mut many: Vec<campus_occupancy::Session> = sessions().to_vec();
    // The first 150 rows keep their generated venues (a handful, so frequent); every other row
    // gets a venue of its own.
    for (idx, session) in many.iter_mut().enumerate().skip(150) {
        session.input.venue = format!("Room {idx:05}");
    }
    let capped = capped_columns(many.iter().map(|s| &s.input));
    assert_eq!(capped.len(), 1, "{capped:?}");
    assert_eq!(capped[0].column, "venue");
    assert!(capped[0].n_distinct > 1800, "{capped:?}");
    assert!(capped[0].to_string().contains("most frequent"));
    let model = without_hooks(|h| train(&many, &config(), "2026-11-22T12:00:00Z", h))
        .expect("training succeeds");
    let encoder = &model.models.encoder;
    assert_eq!(encoder.venues.len(), MAX_CATEGORIES);
    // The generated venues, frequent, are among the kept ones.
    let generated = &sessions()[0].input.venue;
    assert!(encoder.venues.contains(generated), "{generated}");
    let bytes = model.to_bytes().expect("encodes");
    // Uncapped, this model was over 10 MB; capped it stays near the size of a normal one.
    assert!(bytes.len() < 3_000_000, "{} bytes", bytes.len());
}
