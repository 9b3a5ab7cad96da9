//! The dataset panel's generation form: seed and session count, parsed into a
//! [`GenerateConfig`] with a typed error per field at fault.

use campus_occupancy::GenerateConfig;

/// The fewest and most sessions the page generates.
pub const SESSIONS_RANGE: std::ops::RangeInclusive<usize> = 10..=200_000;

/// One field of the generation form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenerateField {
    Seed,
    Sessions,
}

/// A problem with one field of the generation form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct GenerateFieldError {
    pub field: GenerateField,
    pub message: String,
}

/// What the user typed.
#[derive(Clone, Debug, PartialEq)]
pub struct GenerateForm {
    pub seed: String,
    /// Thousands may be grouped with `,` or `_`.
    pub sessions: String,
}

impl Default for GenerateForm {
    fn default() -> GenerateForm {
        GenerateForm {
            seed: "42".to_owned(),
            sessions: "5000".to_owned(),
        }
    }
}

impl GenerateForm {
    /// The configuration to generate with, or every field's problem.
    pub fn parse(&self) -> Result<GenerateConfig, Vec<GenerateFieldError>> {
        let seed = self
            .seed
            .trim()
            .parse::<u64>()
            .map_err(|_| GenerateFieldError {
                field: GenerateField::Seed,
                message: "Seed must be a whole number from 0".to_owned(),
            });
        let sessions = self.sessions();
        match (seed, sessions) {
            (Ok(seed), Ok(n_sessions)) => Ok(GenerateConfig {
                seed,
                n_sessions,
                ..GenerateConfig::default()
            }),
            (seed, sessions) => Err([seed.err(), sessions.err()].into_iter().flatten().collect()),
        }
    }

    fn sessions(&self) -> Result<usize, GenerateFieldError> {
        let problem = |message: &str| GenerateFieldError {
            field: GenerateField::Sessions,
            message: message.to_owned(),
        };
        let n = self
            .sessions
            .trim()
            .replace([',', '_'], "")
            .parse::<usize>()
            .map_err(|_| problem("Sessions must be a whole number"))?;
        if SESSIONS_RANGE.contains(&n) {
            Ok(n)
        } else {
            Err(problem("Sessions must be between 10 and 200,000"))
        }
    }

    /// The message for `field`, if it has a problem.
    pub fn error(&self, field: GenerateField) -> Option<String> {
        self.parse()
            .err()?
            .into_iter()
            .find(|e| e.field == field)
            .map(|e| e.message)
    }
}
