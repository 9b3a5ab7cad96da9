//! The database section's state and every change to it: a pure reducer over [`Action`]s.
