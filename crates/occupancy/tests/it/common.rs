//! Fixtures shared by the test modules.

use std::sync::OnceLock;

use campus_occupancy::forest::ForestConfig;
use campus_occupancy::progress::without_hooks;
use campus_occupancy::{GenerateConfig, ModelBundle, Session, TrainConfig, generate, train};

/// Small enough for debug builds, large enough for the models to learn.
pub const N_SESSIONS: usize = 2000;

pub fn sessions() -> &'static [Session] {
    static SESSIONS: OnceLock<Vec<Session>> = OnceLock::new();
    SESSIONS.get_or_init(|| {
        generate(&GenerateConfig {
            n_sessions: N_SESSIONS,
            ..GenerateConfig::default()
        })
    })
}

pub fn config() -> TrainConfig {
    TrainConfig {
        forest: ForestConfig {
            n_trees: 30,
            ..ForestConfig::default()
        },
        ..TrainConfig::default()
    }
}

pub fn bundle() -> &'static ModelBundle {
    static BUNDLE: OnceLock<ModelBundle> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        without_hooks(|hooks| train(sessions(), &config(), "2026-11-22T12:00:00Z", hooks))
            .expect("training succeeds")
    })
}
