//! A model file whose payload is anything, under a valid header and checksum (so the fuzzer
//! reaches the decoder and the models, not just the checksum): it is refused with an error or,
//! once accepted, predicts without a panic, a hang or a non-finite figure.
#![no_main]

use std::sync::OnceLock;

use campus_occupancy::generate::{GenerateConfig, generate};
use campus_occupancy::session::SessionInput;
use campus_occupancy::train::ModelBundle;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

const MAGIC_AND_VERSION: usize = 12;

/// The header and version of a real bundle (both are fixed by the format).
fn header() -> &'static [u8] {
    static HEADER: OnceLock<Vec<u8>> = OnceLock::new();
    HEADER.get_or_init(|| {
        include_bytes!("../data/model_bundle.header").to_vec()
    })
}

fn inputs() -> &'static [SessionInput] {
    static INPUTS: OnceLock<Vec<SessionInput>> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let config = GenerateConfig {
            n_sessions: 4,
            ..GenerateConfig::default()
        };
        generate(&config).into_iter().map(|s| s.input).collect()
    })
}

fuzz_target!(|payload: &[u8]| {
    let mut bytes = header().get(..MAGIC_AND_VERSION).unwrap_or_default().to_vec();
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(payload);
    let checksum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&checksum);
    let Ok(bundle) = ModelBundle::from_bytes(&bytes) else {
        return;
    };
    for input in inputs() {
        if let Ok(prediction) = bundle.predict(input) {
            assert!(format!("{prediction:?}").len() > 0);
        }
    }
});
