//! SHA-256 and HMAC-SHA-256 known vectors, and hashes equal to Python's formula on the fixture.

use campus_csv::ReadOptions;
use campus_csv::read_all;
use campus_etl::hash::{HashMode, from_hex, hmac_sha256, sha256, student_hash, to_hex};
use campus_etl::{Etl, EtlOptions, FileKind, FindingKind};

use super::support::{feed_chunked, read};

#[test]
fn sha256_known_vectors() {
    assert_eq!(
        to_hex(&sha256(b"")),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        to_hex(&sha256(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_eq!(
        to_hex(&sha256(long)),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
}

#[test]
fn hmac_rfc4231_vectors() {
    let cases: [(Vec<u8>, &[u8], &str); 3] = [
        (
            vec![0x0b; 20],
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            b"Jefe".to_vec(),
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            vec![0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
    ];
    for (key, data, expected) in cases {
        assert_eq!(to_hex(&hmac_sha256(&key, &[data])), expected);
        // Splitting the message into parts must not change the MAC.
        let (a, b) = data.split_at(3);
        assert_eq!(to_hex(&hmac_sha256(&key, &[a, b])), expected);
    }
}

#[test]
fn student_hash_is_pythons_formula() {
    // python3 -c 'import hashlib; print(hashlib.sha256(b"AKTU003-AKTU003-CSE-2023-1001-2005-04-01").hexdigest())'
    let hash = student_hash(
        &HashMode::Sha256,
        "AKTU003",
        "AKTU003-CSE-2023-1001",
        "2005-04-01",
    );
    assert_eq!(
        hash,
        to_hex(&sha256(b"AKTU003-AKTU003-CSE-2023-1001-2005-04-01"))
    );
    assert_eq!(from_hex(&hash).map(|d| to_hex(&d)), Some(hash.clone()));
    let keyed = student_hash(
        &HashMode::Keyed {
            secret: b"s3cret".to_vec(),
        },
        "AKTU003",
        "AKTU003-CSE-2023-1001",
        "2005-04-01",
    );
    assert_ne!(keyed, hash);
    assert_eq!(
        format!(
            "{:?}",
            HashMode::Keyed {
                secret: b"s3cret".to_vec()
            }
        ),
        "Keyed { secret: <hidden> }"
    );
}

/// `expected_hashes.csv` of fixture folder `dir`, as pandas wrote it.
fn expected_hashes(dir: &str) -> Vec<(u64, Vec<String>)> {
    let path = format!("{dir}/expected_hashes.csv");
    read_all(&read(&path), ReadOptions::new("expected_hashes.csv")).rows
}

/// Every student `etl` read has the (college_code, roll_no, dob, student_hash) of `expected`.
fn assert_hashes_equal(etl: &Etl, expected: &[(u64, Vec<String>)]) {
    for (student, (_, row)) in etl.state().students().iter().zip(expected) {
        assert_eq!(
            [
                &student.college_code,
                &student.roll_no,
                &student.dob,
                &student.student_hash
            ],
            [&row[0], &row[1], &row[2], &row[3]]
        );
    }
}

#[test]
fn fixture_hashes_equal_python() {
    let expected = expected_hashes("aktu");
    assert_eq!(expected.len(), 48);
    let mut etl = Etl::new(EtlOptions::default());
    feed_chunked(
        &mut etl,
        FileKind::Students,
        "students_master.csv",
        &read("aktu/students_master.csv"),
        0,
    );
    assert_eq!(etl.state().students().len(), expected.len());
    assert_hashes_equal(&etl, &expected);
}

/// Regression: key fields used to be trimmed before hashing and joining, which pandas does not
/// do. `data/padded/` has a padded roll_no and college_code; its `expected_hashes.csv` was
/// written by `pd.read_csv` + `hashlib.sha256(f"{college_code}-{roll_no}-{dob}".encode())`, and
/// pandas' left merge leaves exactly one attendance row (the unpadded spelling) without a hash.
#[test]
fn padded_keys_hash_and_join_like_pandas() {
    let expected = expected_hashes("padded");
    let mut etl = Etl::new(EtlOptions::default());
    feed_chunked(
        &mut etl,
        FileKind::Students,
        "students_master.csv",
        &read("padded/students_master.csv"),
        7,
    );
    feed_chunked(
        &mut etl,
        FileKind::Attendance,
        "attendance.csv",
        &read("padded/attendance.csv"),
        5,
    );
    assert_eq!((etl.state().students().len(), expected.len()), (3, 3));
    assert_hashes_equal(&etl, &expected);
    assert_eq!(
        student_hash(
            &HashMode::Sha256,
            "AKTU003",
            " AKTU003-CSE-2023-1001",
            "2005-04-01"
        ),
        "916ed6f9b3622734cbbf8d47ef204f2aef14e6bf1456e7f8b45e9fb94091f166"
    );
    let findings = |kind: FileKind| {
        etl.state()
            .reports
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| r.findings.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        findings(FileKind::Attendance).count(FindingKind::Orphans),
        1
    );
    assert_eq!(
        findings(FileKind::Attendance).count(FindingKind::PaddedKeys),
        2
    );
    let students = findings(FileKind::Students);
    assert_eq!(students.count(FindingKind::PaddedKeys), 2);
    let first = students
        .get(FindingKind::PaddedKeys)
        .and_then(|f| f.examples.first().cloned());
    assert_eq!(
        first.map(|e| (e.line, e.text)),
        Some((
            2,
            " AKTU003-CSE-2023-1001,2005-04-01,M,AKTU003,CSE".to_owned()
        ))
    );
}
