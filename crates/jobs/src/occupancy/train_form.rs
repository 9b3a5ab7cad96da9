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

impl TrainField {
    /// Every text field, in form order.
    pub const ALL: [TrainField; 5] = [
        TrainField::Trees,
        TrainField::MaxDepth,
        TrainField::FeaturesPerSplit,
        TrainField::Gamma,
        TrainField::C,
    ];

    /// The field's element id and test id.
    pub fn key(self) -> &'static str {
        match self {
            TrainField::Trees => "occ-trees",
            TrainField::MaxDepth => "occ-depth",
            TrainField::FeaturesPerSplit => "occ-features",
            TrainField::Gamma => "occ-gamma",
            TrainField::C => "occ-c",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TrainField::Trees => "Forest trees",
            TrainField::MaxDepth => "Forest maximum depth (empty: none)",
            TrainField::FeaturesPerSplit => "Features per split (third, sqrt, all or a count)",
            TrainField::Gamma => "SVM gamma (scale or a number)",
            TrainField::C => "SVM C",
        }
    }
}

impl TrainForm {
    /// The configuration to train with (the browser defaults plus the form), or the first problem.
    pub fn parse(&self) -> Result<TrainConfig, TrainFormError> {
        self.parse_all().map_err(|errors| {
            errors.into_iter().next().unwrap_or_else(|| {
                debug_assert!(false, "a failed parse names a problem");
                problem(TrainField::Trees, "the form could not be read")
            })
        })
    }

    /// The configuration to train with, or every field's problem, in form order.
    pub fn parse_all(&self) -> Result<TrainConfig, Vec<TrainFormError>> {
        let mut config = browser_train_config();
        let mut errors = Vec::new();
        let mut keep = |result: Result<(), TrainFormError>| errors.extend(result.err());
        keep(self.trees().map(|n| config.forest.n_trees = n));
        keep(self.max_depth().map(|d| config.forest.max_depth = d));
        keep(
            self.features_per_split()
                .map(|f| config.forest.features_per_split = f),
        );
        keep(self.kernel().map(|k| config.svm.kernel = k));
        keep(positive(&self.c, TrainField::C, "C").map(|c| config.svm.c = c));
        config.svm.class_weight = match self.class_weight.as_str() {
            "uniform" => ClassWeight::Uniform,
            _ => ClassWeight::Balanced,
        };
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// The problem of one field, if it has one.
    pub fn error(errors: &[TrainFormError], field: TrainField) -> Option<String> {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }

    /// What the user typed in a text field.
    pub fn value(&self, field: TrainField) -> &str {
        match field {
            TrainField::Trees => &self.trees,
            TrainField::MaxDepth => &self.max_depth,
            TrainField::FeaturesPerSplit => &self.features_per_split,
            TrainField::Gamma => &self.gamma,
            TrainField::C => &self.c,
        }
    }

    pub fn set(&mut self, field: TrainField, text: String) {
        match field {
            TrainField::Trees => self.trees = text,
            TrainField::MaxDepth => self.max_depth = text,
            TrainField::FeaturesPerSplit => self.features_per_split = text,
            TrainField::Gamma => self.gamma = text,
            TrainField::C => self.c = text,
        }
    }

    fn trees(&self) -> Result<usize, TrainFormError> {
        self.trees
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| {
                problem(
                    TrainField::Trees,
                    "Trees must be a whole number from 1 to 500",
                )
            })
    }

    fn max_depth(&self) -> Result<Option<u16>, TrainFormError> {
        match self.max_depth.trim() {
            "" => Ok(None),
            depth => depth
                .parse()
                .ok()
                .filter(|d| (1..=64).contains(d))
                .map(Some)
                .ok_or_else(|| {
                    problem(
                        TrainField::MaxDepth,
                        "Maximum depth must be from 1 to 64, or empty for none",
                    )
                }),
        }
    }

    fn kernel(&self) -> Result<KernelConfig, TrainFormError> {
        Ok(match self.kernel.as_str() {
            "linear" => KernelConfig::Linear,
            _ => KernelConfig::Rbf {
                gamma: match self.gamma.trim() {
                    "scale" | "" => Gamma::Scale,
                    gamma => Gamma::Value(positive(gamma, TrainField::Gamma, "Gamma")?),
                },
            },
        })
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
