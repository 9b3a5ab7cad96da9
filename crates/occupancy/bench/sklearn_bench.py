"""Times scikit-learn on a CSV written by `cargo run --release -p campus_occupancy --example occupancy_bench`.

Same features as the Rust side (time in minutes, exam_week 0/1, numeric columns, one-hot school,
venue and weekday, standardised numerics), the same 80/20 proportion (its own shuffled split),
and the three reference models: LinearRegression, RandomForestRegressor(n_estimators=100,
n_jobs=1) and SVC(kernel='rbf', class_weight='balanced').

    python3 crates/occupancy/bench/sklearn_bench.py /tmp/occ5k.csv
"""

import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.metrics import accuracy_score, mean_absolute_error, r2_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

NUMERIC = ["time_minutes", "venue_capacity", "semester_day", "exam_week", "enrolled_students",
           "prev_attendance", "rolling_avg_3", "rolling_avg_5", "trend_delta"]


def main(path):
    df = pd.read_csv(path)
    hours, minutes = df["time"].str.split(":", expand=True).astype(int).T.values
    df["time_minutes"] = hours * 60 + minutes
    df["exam_week"] = df["exam_week"].astype(str).eq("True").astype(int)
    y = df["actual_attendance"].astype(float).values
    label = (df["actual_attendance"] > df["venue_capacity"]).values
    x = pd.concat([df[NUMERIC], pd.get_dummies(df[["school", "venue", "weekday"]], dtype=float)], axis=1)
    x_tr, x_te, y_tr, y_te, l_tr, l_te = train_test_split(x.values, y, label, test_size=0.2, random_state=42)
    scaler = StandardScaler().fit(x_tr[:, : len(NUMERIC)])
    x_tr[:, : len(NUMERIC)] = scaler.transform(x_tr[:, : len(NUMERIC)])
    x_te[:, : len(NUMERIC)] = scaler.transform(x_te[:, : len(NUMERIC)])
    print(json.dumps({"sessions": len(df), "features": x.shape[1]}))

    def timed(name, model, target, score):
        start = time.perf_counter()
        model.fit(x_tr, target)
        seconds = time.perf_counter() - start
        print(json.dumps({"model": name, "train_s": round(seconds, 4), **score(model)}))

    timed("linear", LinearRegression(), y_tr,
          lambda m: {"r2": round(r2_score(y_te, m.predict(x_te)), 4),
                     "mae": round(mean_absolute_error(y_te, m.predict(x_te)), 3)})
    timed("forest", RandomForestRegressor(n_estimators=100, n_jobs=1, random_state=42), y_tr,
          lambda m: {"r2": round(r2_score(y_te, m.predict(x_te)), 4),
                     "mae": round(mean_absolute_error(y_te, m.predict(x_te)), 3)})
    timed("svm", SVC(kernel="rbf", class_weight="balanced"), l_tr,
          lambda m: {"accuracy": round(accuracy_score(l_te, m.predict(x_te)), 4),
                     "recall_overcrowded": round(recall_score(l_te, m.predict(x_te)), 4),
                     "n_support": int(m.n_support_.sum())})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/occ5k.csv")
