//! The saved format: loaded versions predict identically; damaged files are refused clearly.

use campus_occupancy::bundle::{FORMAT_VERSION, MAGIC};
use campus_occupancy::progress::without_hooks;
use campus_occupancy::{BundleError, ModelBundle, train};

use crate::common::{bundle, config, sessions};

fn bytes() -> Vec<u8> {
    bundle().to_bytes().expect("encode")
}

#[test]
fn round_trip_predicts_identically_for_every_model() {
    let original = bundle();
    let loaded = ModelBundle::from_bytes(&bytes()).expect("decode");
    assert_eq!(loaded.evaluation, original.evaluation);
    assert_eq!(loaded.config, original.config);
    assert_eq!(loaded.data_fingerprint, original.data_fingerprint);
    assert_eq!(
        (loaded.n_rows, loaded.created_at.as_str()),
        (original.n_rows, "2026-11-22T12:00:00Z")
    );
    for session in sessions() {
        let (a, b) = (
            original.predict(&session.input).expect("a"),
            loaded.predict(&session.input).expect("b"),
        );
        // Bit-identical, not merely close.
        assert_eq!(a.linear_attendance.to_bits(), b.linear_attendance.to_bits());
        assert_eq!(a.forest_attendance.to_bits(), b.forest_attendance.to_bits());
        assert_eq!(a.svm_margin.to_bits(), b.svm_margin.to_bits());
    }
    assert_eq!(loaded.to_bytes().expect("re-encode"), bytes());
}

#[test]
fn training_is_deterministic() {
    let again =
        without_hooks(|h| train(sessions(), &config(), "2026-11-22T12:00:00Z", h)).expect("train");
    assert_eq!(again.to_bytes().expect("encode"), bytes());
}

#[test]
fn header_layout() {
    let bytes = bytes();
    assert_eq!(&bytes[..8], &MAGIC);
    assert_eq!(
        u32::from_le_bytes(bytes[8..12].try_into().unwrap()),
        FORMAT_VERSION
    );
    // Bounded trees keep a version small enough for the browser registry.
    assert!(bytes.len() < 4_000_000, "{} bytes", bytes.len());
}

#[test]
fn every_kind_of_damage_is_refused() {
    let good = bytes();
    let check = |bytes: &[u8], expected: BundleError| {
        assert_eq!(ModelBundle::from_bytes(bytes).err(), Some(expected));
    };
    check(&[], BundleError::NotABundle);
    check(
        b"date,time,school\n2024-09-02,08:00,Law\n",
        BundleError::NotABundle,
    );
    check(
        b"\x89PNG\r\n\x1a\n\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        BundleError::NotABundle,
    );
    check(
        &good[..5],
        BundleError::Truncated {
            expected: 20,
            found: 5,
        },
    );
    check(
        &good[..15],
        BundleError::Truncated {
            expected: 20,
            found: 15,
        },
    );
    let cut = good.len() - 100;
    check(
        &good[..cut],
        BundleError::Truncated {
            expected: good.len() as u64,
            found: cut as u64,
        },
    );

    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x40;
    check(&flipped, BundleError::ChecksumMismatch);

    let mut bad_checksum = good.clone();
    let last = bad_checksum.len() - 1;
    bad_checksum[last] ^= 1;
    check(&bad_checksum, BundleError::ChecksumMismatch);

    let mut future = good.clone();
    future[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    check(
        &future,
        BundleError::UnsupportedVersion {
            found: FORMAT_VERSION + 1,
            supported: FORMAT_VERSION,
        },
    );

    let mut longer = good.clone();
    longer.extend_from_slice(b"junk");
    assert!(matches!(
        ModelBundle::from_bytes(&longer),
        Err(BundleError::Corrupt(_))
    ));
}

#[test]
fn trained_bytes_are_pinned() {
    // The generator, the split and the forest's seeds all come from the shared RNG; this hash
    // pins what they produce together, so a change in any stream shows up here.
    use sha2::{Digest, Sha256};
    let digest: String = Sha256::digest(bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest,
        "ae740b5012bee7279393c5d314743a9c23238d508331c59ab37c61969477f76e"
    );
}

/// Regression: a 300 MB file was read whole before it was refused.
#[test]
fn an_oversized_model_is_refused_from_its_header() {
    let mut header = MAGIC.to_vec();
    header.extend(FORMAT_VERSION.to_le_bytes());
    header.extend((300u64 << 20).to_le_bytes());
    assert!(matches!(
        campus_occupancy::bundle::expected_len(&header),
        Err(BundleError::TooLarge { .. })
    ));
    let good = bytes();
    let expected = campus_occupancy::bundle::expected_len(&good[..20]);
    assert_eq!(expected.ok(), Some(good.len() as u64));
}

/// Regression: a bundle altered and checksummed again gave NaN margins.
#[test]
fn a_model_with_a_number_that_is_not_finite_is_refused() {
    let Ok(mut model) = ModelBundle::from_bytes(&bytes()) else {
        panic!("the model did not load");
    };
    if let Some(weight) = model.models.linear.weights.first_mut() {
        *weight = f64::NAN;
    }
    let Ok(bytes) = model.to_bytes() else {
        panic!("the model did not encode");
    };
    let err = ModelBundle::from_bytes(&bytes).err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("the model file is corrupt: a model holds a number that is not finite")
    );
}

/// Payloads the `model_bundle` fuzz target found, under a valid header and checksum: trees that
/// split on a feature past the end of a row (smartcore panicked indexing it). They are refused
/// as corrupt before any prediction.
#[test]
fn fuzzed_trees_are_refused_before_use() {
    use sha2::Digest;
    let payloads: [&[u8]; 2] = [
        include_bytes!("../data/fuzz/model_payload_1.bin"),
        include_bytes!("../data/fuzz/model_payload_2.bin"),
    ];
    for payload in payloads {
        let mut file = MAGIC.to_vec();
        file.extend(FORMAT_VERSION.to_le_bytes());
        file.extend((payload.len() as u64).to_le_bytes());
        file.extend(payload);
        let checksum = sha2::Sha256::digest(&file);
        file.extend(checksum);
        match ModelBundle::from_bytes(&file) {
            Err(BundleError::Corrupt(message)) => {
                assert!(message.contains("tree node"), "{message}")
            }
            other => panic!("expected a corrupt tree, got {other:?}"),
        }
    }
}
