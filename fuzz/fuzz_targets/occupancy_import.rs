//! The occupancy session import, for training and for prediction: never a panic, and every row
//! either kept or counted.
#![no_main]

use campus_occupancy::import::{parse_inputs, parse_sessions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let sessions = parse_sessions(data, "fuzz.csv");
    let inputs = parse_inputs(data, "fuzz.csv");
    // A training row is a prediction row with its label: never more of them.
    assert!(sessions.rows.len() <= inputs.rows.len());
});
