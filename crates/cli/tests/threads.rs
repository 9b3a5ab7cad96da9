//! `--threads N`: the same bytes at every thread count, for every output that runs on threads.

use std::path::Path;

use crate::support::{TempDir, campus_ok, read, sha256_hex};

const THREADS: [&str; 4] = ["1", "2", "3", "8"];

/// SHA-256 of what `campus generate … --out -` writes at `threads`.
fn script_hash(more: &[&str], threads: &str) -> String {
    let args = [
        "generate",
        "--quiet",
        "--students",
        "3000",
        "--out",
        "-",
        "--threads",
        threads,
        "--piece-rows",
        "997",
    ];
    sha256_hex(&campus_ok(&[&args, more].concat()).stdout)
}

#[test]
fn scripts_are_byte_identical_at_every_thread_count_in_every_dialect() {
    for dialect in ["mysql", "postgres", "sqlite"] {
        for shape in [
            &[][..],
            &["--drop"],
            &["--schema-only"],
            &["--data-only"],
            &["--part", "2/3"],
            &["--part", "3/3"],
        ] {
            let more = [&["--dialect", dialect][..], shape].concat();
            let one = script_hash(&more, "1");
            for threads in THREADS {
                assert_eq!(
                    script_hash(&more, threads),
                    one,
                    "{dialect} {shape:?} at {threads} threads"
                );
            }
        }
    }
}

#[test]
fn the_seed_42_script_is_pinned_at_every_thread_count() {
    let pinned = crate::generate::SEED_42_SHA256.trim();
    for threads in THREADS {
        let args = ["generate", "--seed", "42", "--quiet", "--out", "-"];
        let script = campus_ok(&[&args[..], &["--threads", threads]].concat()).stdout;
        assert_eq!(sha256_hex(&script), pinned, "at {threads} threads");
    }
}

#[test]
fn sessions_are_byte_identical_at_every_thread_count() {
    let dir = TempDir::new("threads-sessions");
    let hash = |threads: &str, more: &[&str]| {
        let out = dir.path(&format!("sessions-{threads}.csv"));
        let out = out.to_string_lossy();
        let args = [
            "generate",
            "--quiet",
            "--students",
            "3000",
            "--format",
            "sessions",
            "--out",
            &out,
            "--threads",
            threads,
        ];
        campus_ok(&[&args[..], more].concat());
        sha256_hex(&read(Path::new(&*out)))
    };
    for more in [&[][..], &["--overcrowding-rate", "0.2"]] {
        let one = hash("1", more);
        for threads in THREADS {
            assert_eq!(hash(threads, more), one, "{more:?} at {threads} threads");
        }
    }
}

/// (file name, SHA-256) of every file in `dir`, sorted by name.
fn folder_hashes(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, sha256_hex(&read(&e.path())))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn csv_load_and_exports_folders_are_byte_identical_at_every_thread_count() {
    let dir = TempDir::new("threads-csv");
    for shape in [
        &["--format", "csv"][..],
        &["--format", "csv", "--part", "1/3"],
        &["--format", "csv", "--part", "3/3"],
        &["--format", "load", "--dialect", "postgres"],
        &["--format", "exports", "--dirt", "0.05"],
    ] {
        // The four exports and the answer key; a table's file each otherwise.
        let min_files = if shape.contains(&"exports") { 5 } else { 10 };
        let mut first = None;
        for threads in THREADS {
            let out = dir.path(&format!("{}-{threads}", shape.join("_")));
            let args = [
                "generate",
                "--quiet",
                "--students",
                "3000",
                "--threads",
                threads,
                "--piece-rows",
                "211",
            ];
            let out_arg = ["--out", out.to_str().unwrap_or_default()];
            campus_ok(&[&args[..], shape, &out_arg].concat());
            let files = folder_hashes(&out);
            assert!(files.len() >= min_files, "{shape:?}: {files:?}");
            match &first {
                None => first = Some(files),
                Some(first) => assert_eq!(&files, first, "{shape:?} at {threads} threads"),
            }
        }
    }
}

#[test]
fn zero_threads_is_refused() {
    let output = crate::support::campus(&["generate", "--threads", "0", "--out", "-"]);
    assert!(!output.status.success());
}

#[test]
fn etl_outputs_are_byte_identical_at_every_thread_count() {
    let dir = TempDir::new("threads-etl");
    let input = dir.path("in");
    let input_arg = input.to_str().unwrap_or_default();
    campus_ok(&["etl", "sample", "--dirty", "--out", input_arg]);
    let file = |name: &str| input.join(name).to_string_lossy().into_owned();
    let mut first = None;
    for dialect in ["mysql", "postgres"] {
        for threads in THREADS {
            let out = dir.path(&format!("out-{dialect}-{threads}"));
            let args = [
                "etl",
                "--students",
                &file("students_master.csv"),
                "--attendance",
                &file("attendance_2024_odd.csv"),
                "--exams",
                &file("exam_results_2024_odd.csv"),
                "--placements",
                &file("placements_2024.csv"),
                "--max-bad-rows",
                "100%",
                "--dialect",
                dialect,
                "--threads",
                threads,
                // Many slices of the attendance file (2.8 MB) for the second pass.
                "--slice-bytes",
                "65536",
                "--out",
                out.to_str().unwrap_or_default(),
            ];
            campus_ok(&args);
            let files = folder_hashes(&out);
            assert!(files.len() >= 6, "{files:?}");
            match &first {
                Some((d, first)) if *d == dialect => {
                    assert_eq!(&files, first, "{dialect} at {threads} threads");
                }
                _ => first = Some((dialect, files)),
            }
        }
    }
}
