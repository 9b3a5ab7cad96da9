//! The training form's fields and their parsing into a [`TrainConfig`], with a typed error
//! naming the field at fault.

use campus_occupancy::TrainConfig;
use campus_occupancy::forest::FeaturesPerSplit;
use campus_occupancy::svm::{ClassWeight, Gamma, KernelConfig};

use super::browser_train_config;

/// One field of the training form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrainField {
    Trees,
    MaxDepth,
    FeaturesPerSplit,
    Gamma,
    C,
}

/// The first problem of a training form, and the field it is in.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TrainFormError {
    pub field: TrainField,
    pub message: String,
}

fn problem(field: TrainField, message: impl Into<String>) -> TrainFormError {
    TrainFormError {
        field,
        message: message.into(),
    }
}

/// What the user typed or chose; select values are the option keys below.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainForm {
    pub trees: String,
    /// Empty for unbounded.
    pub max_depth: String,
    /// `third`, `sqrt`, `all`, or a count.
    pub features_per_split: String,
    /// `rbf` or `linear`.
    pub kernel: String,
    /// `scale` or a positive number.
    pub gamma: String,
    pub c: String,
    /// `balanced` or `uniform`.
    pub class_weight: String,
}

impl Default for TrainForm {
    fn default() -> TrainForm {
        let config = browser_train_config();
        TrainForm {
            trees: config.forest.n_trees.to_string(),
            max_depth: config
                .forest
                .max_depth
                .map_or(String::new(), |d| d.to_string()),
            features_per_split: "third".to_owned(),
            kernel: "rbf".to_owned(),
            gamma: "scale".to_owned(),
            c: config.svm.c.to_string(),
            class_weight: "balanced".to_owned(),
        }
    }
}

fn positive(text: &str, field: TrainField, what: &str) -> Result<f64, TrainFormError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
        .ok_or_else(|| {
            problem(
                field,
                format!("{what} must be a number above 0, found {:?}", text.trim()),
            )
        })
}

impl TrainForm {
    /// The configuration to train with (the browser defaults plus the form), or the first problem.
    pub fn parse(&self) -> Result<TrainConfig, TrainFormError> {
        let mut config = browser_train_config();
        config.forest.n_trees = self
            .trees
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| {
                problem(
                    TrainField::Trees,
                    "Trees must be a whole number from 1 to 500",
                )
            })?;
        config.forest.max_depth = match self.max_depth.trim() {
            "" => None,
            depth => Some(
                depth
                    .parse()
                    .ok()
                    .filter(|d| (1..=64).contains(d))
                    .ok_or_else(|| {
                        problem(
                            TrainField::MaxDepth,
                            "Maximum depth must be from 1 to 64, or empty for none",
                        )
                    })?,
            ),
        };
        config.forest.features_per_split = self.features_per_split()?;
        config.svm.kernel = match self.kernel.as_str() {
            "linear" => KernelConfig::Linear,
            _ => KernelConfig::Rbf {
                gamma: match self.gamma.trim() {
                    "scale" | "" => Gamma::Scale,
                    gamma => Gamma::Value(positive(gamma, TrainField::Gamma, "Gamma")?),
                },
            },
        };
        config.svm.c = positive(&self.c, TrainField::C, "C")?;
        config.svm.class_weight = match self.class_weight.as_str() {
            "uniform" => ClassWeight::Uniform,
            _ => ClassWeight::Balanced,
        };
        Ok(config)
    }

    fn features_per_split(&self) -> Result<FeaturesPerSplit, TrainFormError> {
        Ok(match self.features_per_split.trim() {
            "third" => FeaturesPerSplit::Third,
            "sqrt" => FeaturesPerSplit::Sqrt,
            "all" => FeaturesPerSplit::All,
            count => FeaturesPerSplit::Count(count.parse().ok().filter(|n| *n >= 1).ok_or_else(
                || {
                    problem(
                        TrainField::FeaturesPerSplit,
                        "Features per split must be third, sqrt, all or a whole number from 1",
                    )
                },
            )?),
        })
    }
}
