//! `campus etl --columns FILE` and `--column role=header`: exports with other headers (and a
//! status of Present/Absent) give the same bytes as the AKTU-named files; a role no header fits
//! is named, with the headers found.

use std::path::Path;

use crate::support::{TempDir, campus, campus_etl, campus_ok, read};

const FILES: [&str; 4] = [
    "students_master.csv",
    "attendance_2024_odd.csv",
    "exam_results_2024_odd.csv",
    "placements_2024.csv",
];

/// AKTU header → the header a teacher's file might have instead.
const RENAMES: [(&str, &str); 12] = [
    ("college_code", "College Code"),
    ("roll_no", "Roll Number"),
    ("dob", "Date of Birth"),
    ("program_code", "Programme Code"),
    ("course_code", "Subject Code"),
    ("date", "Class Date"),
    ("status", "Attendance Status"),
    ("internal", "Internal Marks"),
    ("external", "External Marks"),
    ("total", "Total Marks"),
    ("placed", "Is Placed"),
    ("company", "Company Name"),
];

/// Copies the exports in `from` to `to` with the headers renamed by `rename` and the statuses
/// spelt out (status is the attendance file's last column).
fn rename_exports(from: &Path, to: &Path, rename: impl Fn(&str) -> String) {
    assert!(std::fs::create_dir_all(to).is_ok());
    for name in FILES {
        let text = String::from_utf8(read(&from.join(name))).unwrap_or_default();
        let mut lines = text.split_inclusive('\n');
        let header = lines.next().unwrap_or_default();
        let header: Vec<String> = header.trim_end().split(',').map(&rename).collect();
        let mut out = header.join(",") + "\n";
        for line in lines {
            let spelt = match line.rsplit_once(',') {
                Some((rest, "P\n")) if name.starts_with("attendance") => {
                    format!("{rest},Present\n")
                }
                Some((rest, "A\n")) if name.starts_with("attendance") => format!("{rest},Absent\n"),
                _ => line.to_owned(),
            };
            out.push_str(&spelt);
        }
        assert!(std::fs::write(to.join(name), out).is_ok());
    }
}

fn etl(dir: &Path, out: &Path, more: &[&str]) -> String {
    let files = FILES.map(|f| dir.join(f).to_string_lossy().into_owned());
    let [s, a, e, p] = files.each_ref().map(String::as_str);
    campus_etl([s, a, e, p], &out.to_string_lossy(), more)
}

/// The report with each input's size in bytes left out: the renamed files are other files.
fn without_input_sizes(report: &[u8]) -> String {
    String::from_utf8_lossy(report)
        .lines()
        .map(|line| match line.split_once(" bytes, delimiter") {
            Some((head, tail)) => {
                let head = head.rsplit_once(' ').map_or(head, |(h, _)| h);
                format!("{head} N bytes, delimiter{tail}\n")
            }
            None => format!("{line}\n"),
        })
        .collect()
}

fn assert_same_outputs(expected: &Path, actual: &Path) {
    let mut n_files = 0;
    for entry in std::fs::read_dir(expected).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let (want, got) = (read(&entry.path()), read(&actual.join(&name)));
        if name == "report.md" {
            assert_eq!(without_input_sizes(&want), without_input_sizes(&got));
        } else {
            assert!(want == got, "{name:?} differs");
        }
        n_files += 1;
    }
    assert!(n_files >= 6, "only {n_files} outputs");
}

#[test]
fn renamed_headers_give_the_same_outputs_mapped_or_guessed() {
    let dir = TempDir::new("columns");
    let aktu = dir.path("aktu");
    let args = ["generate", "--format", "exports", "--students", "300"];
    let aktu_arg = aktu.to_string_lossy().into_owned();
    campus_ok(&[&args[..], &["--seed", "5", "--out", &aktu_arg, "--quiet"]].concat());
    let expected_out = dir.path("aktu-etl");
    let expected = etl(&aktu, &expected_out, &[]);

    // Near names are guessed; only the status values are told.
    let near = dir.path("near");
    rename_exports(&aktu, &near, |h| {
        RENAMES
            .iter()
            .find(|(from, _)| *from == h)
            .map_or(h.to_owned(), |(_, to)| (*to).to_owned())
    });
    let near_out = dir.path("near-etl");
    let printed = etl(
        &near,
        &near_out,
        &["--column", "present=Present", "--column", "absent=Absent"],
    );
    assert_same_outputs(&expected_out, &near_out);
    assert_eq!(printed.lines().count(), expected.lines().count());

    // Headers nothing could guess, every role named in a file.
    let odd = dir.path("odd");
    let is_role = |h: &str| RENAMES.iter().any(|(role, _)| *role == h);
    rename_exports(&aktu, &odd, |h| {
        if is_role(h) {
            format!("Col {h}")
        } else {
            h.to_owned()
        }
    });
    let mut mapping =
        String::from("# our registrar's headers\npresent = Present\nabsent = Absent\n");
    for (role, _) in RENAMES {
        mapping.push_str(&format!("{role} = Col {role}\n"));
    }
    let mapping_file = dir.path("columns.txt");
    assert!(std::fs::write(&mapping_file, mapping).is_ok());
    let odd_out = dir.path("odd-etl");
    let columns = mapping_file.to_string_lossy().into_owned();
    etl(&odd, &odd_out, &["--columns", &columns]);
    assert_same_outputs(&expected_out, &odd_out);
}

#[test]
fn a_role_no_header_fits_is_named_with_the_headers_found() {
    let dir = TempDir::new("columns-missing");
    let aktu = dir.path("aktu");
    let aktu_arg = aktu.to_string_lossy().into_owned();
    let args = ["generate", "--format", "exports", "--students", "50"];
    campus_ok(&[&args[..], &["--out", &aktu_arg, "--quiet"]].concat());
    let odd = dir.path("odd");
    // Neither the mapped "Roll" nor a near name fits "Student No"; nothing fits "Born".
    rename_exports(&aktu, &odd, |h| match h {
        "dob" => "Born".into(),
        "roll_no" => "Student No".into(),
        _ => h.into(),
    });
    let files = FILES.map(|f| odd.join(f).to_string_lossy().into_owned());
    let out = dir.path("out").to_string_lossy().into_owned();
    let output = campus(&[
        "etl",
        "--students",
        &files[0],
        "--attendance",
        &files[1],
        "--exams",
        &files[2],
        "--placements",
        &files[3],
        "--out",
        &out,
        "--column",
        "roll_no=Roll",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("missing required column(s): roll_no (mapped to \"Roll\"), dob; the header has: Student No, Born,"),
        "{stderr}"
    );
    let output = campus(&[
        "etl",
        "--students",
        &files[0],
        "--out",
        &out,
        "--column",
        "name=x",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("\"name\" is not a role"),
        "{stderr}"
    );
}
