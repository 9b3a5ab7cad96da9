//! Metrics checked against values computed by hand (and with scikit-learn for the report).

use campus_occupancy::metrics::{classification_metrics, regression_metrics};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn regression_by_hand() {
    // Errors 0.5, -0.5, 0, -1 → MAE 2/4, MSE 1.5/4, mean 4.75, SS_tot 14.75.
    let actual = [3.0, -0.5, 2.0, 7.0];
    let predicted = [2.5, 0.0, 2.0, 8.0];
    let m = regression_metrics(&actual, &predicted);
    assert!(close(m.mae, 0.5));
    assert!(close(m.rmse, 0.375f64.sqrt()));
    // scikit-learn: r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) = 0.9486081370449679
    assert!(close(m.r2, 1.0 - 1.5 / 29.1875));
    assert!(close(m.r2, 0.948_608_137_044_967_9));
}

#[test]
fn constant_targets_and_empty_input_do_not_divide_by_zero() {
    assert_eq!(regression_metrics(&[2.0, 2.0], &[2.0, 3.0]).r2, 0.0);
    assert_eq!(regression_metrics(&[], &[]).mae, 0.0);
}

#[test]
fn classification_by_hand() {
    // actual:    T T T F F F F F
    // predicted: T T F T F F F F  → TP 2, FN 1, FP 1, TN 4
    let actual = [true, true, true, false, false, false, false, false];
    let predicted = [true, true, false, true, false, false, false, false];
    let m = classification_metrics(&actual, &predicted);
    assert_eq!(m.confusion, [[4, 1], [1, 2]]);
    assert!(close(m.accuracy, 6.0 / 8.0));
    let (neg, pos) = (m.per_class[0], m.per_class[1]);
    assert!(
        close(pos.precision, 2.0 / 3.0) && close(pos.recall, 2.0 / 3.0) && close(pos.f1, 2.0 / 3.0)
    );
    assert!(close(neg.precision, 0.8) && close(neg.recall, 0.8) && close(neg.f1, 0.8));
    assert_eq!((neg.support, pos.support), (5, 3));
    assert!(close(m.macro_avg.f1, (0.8 + 2.0 / 3.0) / 2.0));
    assert!(close(
        m.weighted_avg.f1,
        (5.0 * 0.8 + 3.0 * 2.0 / 3.0) / 8.0
    ));
}

#[test]
fn no_positive_predictions_give_zero_precision_not_nan() {
    let m = classification_metrics(&[true, false], &[false, false]);
    assert_eq!(m.per_class[1].precision, 0.0);
    assert_eq!(m.per_class[1].f1, 0.0);
}

#[test]
fn report_matches_scikit_learn_layout() {
    let actual = [true, true, true, false, false, false, false, false];
    let predicted = [true, true, false, true, false, false, false, false];
    let report = classification_metrics(&actual, &predicted).report();
    let expected = concat!(
        "                precision    recall  f1-score   support\n",
        "\n",
        "not overcrowded      0.80      0.80      0.80         5\n",
        "    overcrowded      0.67      0.67      0.67         3\n",
        "\n",
        "       accuracy                          0.75         8\n",
        "      macro avg      0.73      0.73      0.73         8\n",
        "   weighted avg      0.75      0.75      0.75         8\n",
    );
    assert_eq!(report, expected);
}
