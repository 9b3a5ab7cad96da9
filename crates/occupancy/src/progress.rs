//! Progress reporting and cancellation for long training runs.
//!
//! Core code cannot look at a clock or a message queue, so the caller passes two closures:
//! one that receives progress and one that says whether to stop. Training polls the second
//! between trees and every few hundred solver iterations.

use serde::{Deserialize, Serialize};

/// The step training is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    Encoding,
    Linear,
    Forest,
    Svm,
    Evaluating,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub stage: Stage,
    /// How far this stage is, from 0 to 1 (an estimate for the SVM solver).
    pub stage_fraction: f64,
    /// How far the whole run is, from 0 to 1.
    pub overall: f64,
}

/// Share of the whole run each stage takes, roughly as measured.
const WEIGHTS: [(Stage, f64); 5] = [
    (Stage::Encoding, 0.02),
    (Stage::Linear, 0.02),
    (Stage::Forest, 0.56),
    (Stage::Svm, 0.38),
    (Stage::Evaluating, 0.02),
];

pub struct Hooks<'a> {
    pub on_progress: &'a mut dyn FnMut(Progress),
    pub is_cancelled: &'a dyn Fn() -> bool,
}

impl Hooks<'_> {
    pub fn report(&mut self, stage: Stage, stage_fraction: f64) {
        let stage_fraction = stage_fraction.clamp(0.0, 1.0);
        let mut overall = 0.0;
        for (s, weight) in WEIGHTS {
            if s == stage {
                overall += weight * stage_fraction;
                break;
            }
            overall += weight;
        }
        (self.on_progress)(Progress {
            stage,
            stage_fraction,
            overall: overall.clamp(0.0, 1.0),
        });
    }

    pub fn cancelled(&self) -> bool {
        (self.is_cancelled)()
    }
}

/// Runs `f` with hooks that ignore progress and never cancel.
pub fn without_hooks<T>(f: impl FnOnce(&mut Hooks<'_>) -> T) -> T {
    let mut ignore = |_: Progress| {};
    let never = || false;
    let mut hooks = Hooks {
        on_progress: &mut ignore,
        is_cancelled: &never,
    };
    f(&mut hooks)
}
