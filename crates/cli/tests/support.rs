//! Shared helpers: running the binary, temporary folders, hashing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

pub fn campus(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_campus"))
        .args(args)
        .output()
    {
        Ok(output) => output,
        Err(err) => panic!("cannot run campus: {err}"),
    }
}

/// Runs `campus` and fails the test with its stderr when it does not succeed.
pub fn campus_ok(args: &[&str]) -> Output {
    succeeded(args, campus(args))
}

/// `output` of `campus args`, after failing the test with its stderr if it did not succeed.
pub fn succeeded(args: &[&str], output: Output) -> Output {
    assert!(
        output.status.success(),
        "campus {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs `campus etl` over `files` (students, attendance, exams, placements) into `out`, then
/// `more`; fails the test if it fails, and returns what it printed.
pub fn campus_etl(files: [&str; 4], out: &str, more: &[&str]) -> String {
    let [s, a, e, p] = files;
    let args = [
        "etl",
        "--students",
        s,
        "--attendance",
        a,
        "--exams",
        e,
        "--placements",
        p,
        "--out",
        out,
    ];
    String::from_utf8_lossy(&campus_ok(&[&args[..], more].concat()).stdout).into_owned()
}

/// The number after `key` in `text`, e.g. `"pearson": 0.86` or `= 0.86`.
pub fn number_after(text: &str, key: &str) -> Option<f64> {
    let rest = text.get(text.find(key)? + key.len()..)?;
    let rest = rest.trim_start_matches([' ', ':', '=', '"']);
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | 'e')))
        .unwrap_or(rest.len());
    rest.get(..end)?.parse().ok()
}

/// A fresh folder under the system's temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("campus-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(err) = std::fs::create_dir_all(&dir) {
            panic!("cannot create {}: {err}", dir.display());
        }
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
