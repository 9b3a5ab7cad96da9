//! Nothing lost, nothing silent: every file's account, exit statuses after loss, outputs that
//! never replace inputs, devices or an earlier run's files halfway.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{TempDir, campus, campus_ok, read};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../etl/tests/data/aktu")
        .join(name)
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// `campus etl --students S [--attendance A] --out OUT` with `more`, successful or not.
fn etl(students: &Path, attendance: Option<&Path>, out: &Path, more: &[&str]) -> Output {
    let mut args = vec!["etl", "--students", arg(students)];
    if let Some(attendance) = attendance {
        args.extend(["--attendance", arg(attendance)]);
    }
    args.extend(["--out", arg(out)]);
    args.extend(more);
    campus(&args)
}

/// The fixture's attendance with a stray quote opening line `line`.
fn attendance_with_quote_at(line: usize) -> Vec<u8> {
    let original = text(&read(&fixture("attendance_2024_odd.csv")));
    let mut out = String::new();
    for (idx, text) in original.lines().enumerate() {
        if idx + 1 == line {
            out.push('"');
        }
        out.push_str(text);
        out.push('\n');
    }
    out.into_bytes()
}

/// Regression: a stray quote at line 101 kept 99 rows, blamed an over-long record, said
/// "0 rows skipped" and exited 0.
#[test]
fn a_stray_quote_is_named_counted_and_fails_the_run() {
    let dir = TempDir::new("safe-quote");
    let attendance = dir.path("attendance.csv");
    write(&attendance, &attendance_with_quote_at(101));
    let out = dir.path("out");
    let students = fixture("students_master.csv");
    let run = etl(&students, Some(&attendance), &out, &[]);
    let (stdout, stderr) = (text(&run.stdout), text(&run.stderr));
    assert!(!run.status.success(), "{stdout}");
    assert!(
        stderr.contains(
            "attendance.csv:101: a quoted field opened here is never closed; the rest of the file was not read"
        ),
        "{stderr}"
    );
    // 2,884 rows and two blank lines on lines 2 to 2,887: 99 kept, 2,787 lines not read.
    let account = "attendance.csv: 2886 rows read: 99 kept, 2787 rejected (2787 lines not read from line 101 on)";
    assert!(stdout.contains(account), "{stdout}");
    assert!(stderr.contains("--max-bad-rows"), "{stderr}");
    let report = text(&read(&out.join("report.md")));
    assert!(
        report.contains("2886 rows read: 99 kept, 2787 rejected"),
        "{report}"
    );
    // Allowed, the same run succeeds; a smaller allowance does not.
    let allowed = etl(
        &students,
        Some(&attendance),
        &out,
        &["--max-bad-rows", "97%"],
    );
    assert!(allowed.status.success(), "{}", text(&allowed.stderr));
    let too_few = etl(
        &students,
        Some(&attendance),
        &out,
        &["--max-bad-rows", "2786"],
    );
    assert!(!too_few.status.success());
}

#[test]
fn a_clean_run_prints_each_files_account_and_succeeds() {
    let dir = TempDir::new("safe-clean");
    let out = dir.path("out");
    let run = etl(
        &fixture("students_master.csv"),
        Some(&fixture("attendance_2024_odd.csv")),
        &out,
        &[],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("attendance_2024_odd.csv: 2884 rows read: 2884 kept, 0 rejected"),
        "{stdout}"
    );
}

/// Regression: a UTF-16 attendance file was read as no rows at all, and the run exited 0.
#[test]
fn a_utf16_file_is_named_and_fails_the_run() {
    let dir = TempDir::new("safe-utf16");
    let original = text(&read(&fixture("attendance_2024_odd.csv")));
    let mut utf16 = vec![0xff, 0xfe];
    for unit in original.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let attendance = dir.path("attendance.csv");
    write(&attendance, &utf16);
    let run = etl(
        &fixture("students_master.csv"),
        Some(&attendance),
        &dir.path("out"),
        &[],
    );
    let stderr = text(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("attendance.csv:1: the file is UTF-16 text"),
        "{stderr}"
    );
    // Every data row is rejected; the header line is not a row.
    let n_rows = original.lines().count() - 1;
    let account = format!("attendance.csv: {n_rows} rows read: 0 kept, {n_rows} rejected");
    assert!(
        text(&run.stdout).contains(&account),
        "{}",
        text(&run.stdout)
    );
}

/// Regression: a 10 MB field without any quote stopped reading at a 1 MiB record limit.
#[test]
fn a_large_field_is_read_and_the_record_limit_is_an_option() {
    let dir = TempDir::new("safe-large");
    let students = text(&read(&fixture("students_master.csv")));
    let mut lines = students.lines();
    let mut big = format!("{},notes\n", lines.next().unwrap_or_default());
    for (idx, line) in lines.enumerate() {
        let note = if idx == 3 {
            "x".repeat(10 << 20)
        } else {
            String::new()
        };
        big.push_str(&format!("{line},{note}\n"));
    }
    let path = dir.path("students.csv");
    write(&path, big.as_bytes());
    let run = etl(&path, None, &dir.path("out"), &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(
        text(&run.stdout).contains("students.csv: 50 rows read: 50 kept, 0 rejected"),
        "{}",
        text(&run.stdout)
    );
    let limited = etl(
        &path,
        None,
        &dir.path("out"),
        &["--max-record-bytes", "1000000"],
    );
    assert!(!limited.status.success());
    assert!(
        text(&limited.stderr)
            .contains("students.csv:5: record is longer than the record limit of 1000000 bytes"),
        "{}",
        text(&limited.stderr)
    );
}

/// Regression: `--out` at the inputs' folder overwrote `stg_students.csv` with a header.
#[test]
fn an_output_is_never_an_input() {
    let dir = TempDir::new("safe-identity");
    let students = dir.path("stg_students.csv");
    let original = read(&fixture("students_master.csv"));
    write(&students, &original);
    // Through a symlink, too: identity, not name.
    let link = dir.path("link");
    let _ = std::os::unix::fs::symlink(&dir.0, &link);
    for out in [dir.0.clone(), link] {
        let run = etl(&students, None, &out, &[]);
        assert!(!run.status.success());
        let stderr = text(&run.stderr);
        assert!(
            stderr.contains("is the input") && stderr.contains("stg_students.csv"),
            "{stderr}"
        );
        assert!(read(&students) == original, "the input was changed");
        assert!(!dir.path("report.md").exists(), "work was done");
    }
}

/// Regression: a run without attendance kept the previous run's `stg_attendance.csv`.
#[test]
fn a_rerun_leaves_no_stale_outputs_and_no_temporary_files() {
    let dir = TempDir::new("safe-stale");
    let out = dir.path("out");
    let students = fixture("students_master.csv");
    let first = etl(
        &students,
        Some(&fixture("attendance_2024_odd.csv")),
        &out,
        &[],
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(out.join("stg_attendance.csv").exists());
    let second = etl(&students, None, &out, &[]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert_eq!(names, ["report.md", "staging.sql", "stg_students.csv"]);
}

#[test]
fn an_out_that_is_a_file_fails_naming_it() {
    let dir = TempDir::new("safe-out-file");
    let out = dir.path("taken");
    write(&out, b"keep me");
    let run = etl(&fixture("students_master.csv"), None, &out, &[]);
    assert!(!run.status.success());
    assert!(
        text(&run.stderr).contains("taken exists and is not a folder"),
        "{}",
        text(&run.stderr)
    );
    assert_eq!(read(&out), b"keep me");
}

#[test]
fn reversed_semester_and_bad_database_names_are_refused() {
    let dir = TempDir::new("safe-options");
    let students = fixture("students_master.csv");
    let out = dir.path("out");
    let reversed = etl(
        &students,
        None,
        &out,
        &["--semester", "2024-12-15:2024-08-01"],
    );
    assert!(!reversed.status.success());
    assert!(text(&reversed.stderr).contains("FIRST not after LAST"));
    for name in ["mysql", "my-db", "123", &"a".repeat(65)] {
        let run = etl(&students, None, &out, &["--database", name]);
        assert!(!run.status.success(), "{name}");
        assert!(text(&run.stderr).contains("--database"), "{name}");
    }
    assert!(!out.exists(), "a refused run wrote its folder");
}

/// Regression: `generate --out /dev/null` renamed a regular file over the device node. The
/// test writes through a symlink to the device, never to `/dev/null` itself.
#[test]
fn generate_writes_a_device_directly_and_refuses_a_folder() {
    let dir = TempDir::new("safe-device");
    let link = dir.path("null");
    if std::os::unix::fs::symlink("/dev/null", &link).is_err() {
        return;
    }
    campus_ok(&["generate", "--seed", "42", "--out", arg(&link), "--quiet"]);
    let meta = std::fs::symlink_metadata(&link).map(|m| m.file_type().is_symlink());
    assert!(matches!(meta, Ok(true)), "the symlink was replaced");
    let folder = dir.path("folder");
    let _ = std::fs::create_dir(&folder);
    let run = campus(&["generate", "--out", arg(&folder), "--quiet"]);
    assert!(!run.status.success());
    assert!(
        text(&run.stderr).contains("is a folder"),
        "{}",
        text(&run.stderr)
    );
    assert!(!dir.path("folder.partial").exists());
}

#[test]
fn occupancy_never_writes_over_its_input() {
    let dir = TempDir::new("safe-occ");
    let data = dir.path("s.csv");
    campus_ok(&[
        "occupancy",
        "generate",
        "--sessions",
        "200",
        "--out",
        arg(&data),
    ]);
    let before = read(&data);
    let run = campus(&[
        "occupancy",
        "train",
        "--data",
        arg(&data),
        "--out",
        arg(&data),
        "--quiet",
    ]);
    assert!(!run.status.success());
    assert!(
        text(&run.stderr).contains("is the input"),
        "{}",
        text(&run.stderr)
    );
    assert!(read(&data) == before);
}

/// Regression: `campus generate --out - | head` printed "Broken pipe" and exited 1.
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};

    let child = Command::new(env!("CARGO_BIN_EXE_campus"))
        .args(["generate", "--seed", "42", "--out", "-", "--quiet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        panic!("cannot run campus");
    };
    let mut head = [0u8; 100];
    if let Some(stdout) = child.stdout.as_mut() {
        let _ = stdout.read_exact(&mut head);
    }
    drop(child.stdout.take());
    let Ok(output) = child.wait_with_output() else {
        panic!("campus did not finish");
    };
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stderr), "");
}

/// Regression: a 300 MB model file was read whole before it was refused.
#[test]
fn a_huge_model_file_is_refused_from_its_header() {
    let dir = TempDir::new("safe-huge-model");
    let model = dir.path("huge.bin");
    let mut header = b"CAMPOCC\0".to_vec();
    header.extend(1u32.to_le_bytes());
    header.extend((300u64 << 20).to_le_bytes());
    write(&model, &header);
    let resized = std::fs::OpenOptions::new()
        .write(true)
        .open(&model)
        .and_then(|f| f.set_len((300 << 20) + 52));
    assert!(resized.is_ok());
    let data = dir.path("s.csv");
    write(&data, b"date\n");
    let run = campus(&[
        "occupancy",
        "predict",
        "--model",
        arg(&model),
        "--data",
        arg(&data),
    ]);
    assert!(!run.status.success());
    assert!(
        text(&run.stderr).contains("more than the 268435456 bytes a model may have"),
        "{}",
        text(&run.stderr)
    );
}

/// Regression: with the same total for every pair, stdout said "fewer than two complete pairs"
/// over hundreds of them.
#[test]
fn a_constant_total_column_is_named_as_such() {
    let dir = TempDir::new("safe-constant");
    let exams = text(&read(&fixture("exam_results_2024_odd.csv")));
    let mut constant = String::new();
    for (idx, line) in exams.lines().enumerate() {
        match (idx, line.rsplit_once(',')) {
            (0, _) | (_, None) => constant.push_str(line),
            (_, Some((head, _))) => constant.push_str(&format!("{head},50")),
        }
        constant.push('\n');
    }
    let path = dir.path("exams.csv");
    write(&path, constant.as_bytes());
    let out = dir.path("out");
    let run = campus(&[
        "etl",
        "--students",
        arg(&fixture("students_master.csv")),
        "--attendance",
        arg(&fixture("attendance_2024_odd.csv")),
        "--exams",
        arg(&path),
        "--out",
        arg(&out),
    ]);
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("= n/a over ")
            && stdout.contains("pairs (attendance or total marks is the same for every pair)"),
        "{stdout}"
    );
}

/// The outputs of an earlier run, which a failed run must leave as they are: a 50-student CSV
/// generation in `dir/out`, and its visible files with their bytes.
fn previous_outputs(dir: &TempDir) -> (PathBuf, Vec<(String, Vec<u8>)>) {
    let out = dir.path("out");
    campus_ok(&[
        "generate",
        "--students",
        "50",
        "--format",
        "csv",
        "--quiet",
        "--out",
        arg(&out),
    ]);
    let files = visible_files(&out);
    (out, files)
}

/// The visible (not hidden) files of `dir` with their bytes, sorted by name.
fn visible_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| !name.starts_with('.'))
                .map(|name| {
                    let bytes = read(&dir.join(&name));
                    (name, bytes)
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// A full disk, simulated by a file-size limit (with SIGXFSZ ignored, a write past it fails
/// with EFBIG as it would with ENOSPC): the error names the output, the previous outputs stay
/// as they were and no temporary file is left.
#[cfg(unix)]
#[test]
fn a_full_disk_leaves_the_previous_outputs_and_names_the_file() {
    let dir = TempDir::new("safe-full");
    let (out, tables) = previous_outputs(&dir);
    let sessions = dir.path("sessions.csv");
    campus_ok(&[
        "occupancy",
        "generate",
        "--sessions",
        "20",
        "--out",
        arg(&sessions),
    ]);
    let before = (tables, read(&sessions));
    let limited = |args: &str| {
        let script = format!(
            "trap '' XFSZ; ulimit -f 200; exec \"{}\" {args}",
            env!("CARGO_BIN_EXE_campus")
        );
        std::process::Command::new("sh")
            .args(["-c", &script])
            .output()
            .unwrap_or_else(|e| panic!("cannot run sh: {e}"))
    };
    let runs = [
        (
            limited(&format!(
                "generate --students 5000 --format csv --quiet --out '{}'",
                out.display()
            )),
            out.join("students.csv"),
        ),
        (
            limited(&format!(
                "occupancy generate --sessions 50000 --out '{}'",
                sessions.display()
            )),
            sessions.clone(),
        ),
    ];
    for (run, named) in runs {
        let stderr = text(&run.stderr);
        assert!(!run.status.success(), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "cannot write {} (its temporary file",
                named.display()
            )),
            "{stderr}"
        );
    }
    assert!(visible_files(&out) == before.0, "a table changed");
    assert!(read(&sessions) == before.1, "the sessions changed");
    let hidden: Vec<String> = std::fs::read_dir(&out)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(hidden, Vec::<String>::new(), "temporary files left");
}

/// A run killed outright (SIGKILL, no cleanup) while writing leaves the previous outputs
/// byte for byte; only its hidden temporary files may remain.
#[cfg(unix)]
#[test]
fn a_killed_run_leaves_the_previous_outputs() {
    let dir = TempDir::new("safe-killed");
    let (out, before) = previous_outputs(&dir);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_campus"))
        .args([
            "generate",
            "--students",
            "400000",
            "--format",
            "csv",
            "--quiet",
            "--out",
            arg(&out),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run campus: {e}"));
    let started = std::time::Instant::now();
    let writing = || {
        std::fs::read_dir(&out).is_ok_and(|d| {
            d.filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().contains(".partial-"))
        })
    };
    while !writing() && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        visible_files(&out) == before,
        "a killed run changed the outputs"
    );
}
