//! Hooks that own the page's side effects.

pub mod use_generator;

pub use use_generator::{GeneratorHandle, use_generator};
