//! A message for the user about what just happened: a note ("Cancelled.") or an error, with
//! optional located details (one per line), shown next to the action that caused it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub is_error: bool,
    pub text: String,
    /// Located details, e.g. import errors, one per line.
    pub details: Vec<String>,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Notice {
        Notice {
            is_error: false,
            text: text.into(),
            details: Vec::new(),
        }
    }

    pub fn error(text: impl Into<String>) -> Notice {
        Notice {
            is_error: true,
            text: text.into(),
            details: Vec::new(),
        }
    }

    pub fn with_details(mut self, details: Vec<String>) -> Notice {
        self.details = details;
        self
    }
}
