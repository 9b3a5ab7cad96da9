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

/// Dashboard aggregates on a hand-made pair of sessions.
#[test]
fn analytics_by_hand() {
    use campus_occupancy::import::parse_sessions;
    let text = "date,time,school,venue,venue_capacity,weekday,semester_day,exam_week,enrolled_students,prev_attendance,rolling_avg_3,rolling_avg_5,trend_delta,actual_attendance\n\
        2024-09-03,09:30,Law,LT-2,100,Tuesday,2,True,120,0,0,0,0,110\n\
        2024-09-02,08:00,Law,LT-2,100,Monday,1,False,120,0,0,0,0,50\n\
        2024-09-02,09:30,Arts,SR-1,40,Monday,1,False,30,0,0,0,0,20\n";
    let sessions = parse_sessions(text.as_bytes(), "t.csv").rows;
    let a = campus_occupancy::analytics(&sessions);
    assert_eq!(a.n_sessions, 3);
    assert!(close(a.overcrowded_share, 1.0 / 3.0));
    let days: Vec<(&str, usize)> = a
        .by_weekday
        .iter()
        .map(|g| (g.key.as_str(), g.n_sessions))
        .collect();
    assert_eq!(days, [("Monday", 2), ("Tuesday", 1)]);
    assert!(close(a.by_weekday[0].mean_attendance, 35.0));
    assert!(close(a.by_weekday[0].mean_utilisation, (0.5 + 0.5) / 2.0));
    let slots: Vec<&str> = a.by_time_slot.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(slots, ["08:00", "09:30"]);
    assert_eq!(
        a.by_exam_week
            .iter()
            .map(|g| g.key.as_str())
            .collect::<Vec<_>>(),
        ["False", "True"]
    );
    assert!(close(a.by_exam_week[1].overcrowded_share, 1.0));
    let cells: Vec<(&str, &str, f64)> = a
        .utilisation
        .iter()
        .map(|c| (c.venue.as_str(), c.slot.as_str(), c.mean_utilisation))
        .collect();
    assert_eq!(
        cells,
        [
            ("LT-2", "08:00", 0.5),
            ("LT-2", "09:30", 1.1),
            ("SR-1", "09:30", 0.5)
        ]
    );
}
