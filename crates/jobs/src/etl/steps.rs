//! The "T" of ETL made visible: what a run did to the first rows of each file (the key hashed,
//! the rows joined to their student), the first statements of the staging SQL, and a sentence or
//! two on each step.
//!
//! [`Glimpse`] keeps the first bytes of every output as the run writes it; [`Steps::new`] sets
//! them beside the first rows of the inputs. Nothing here pairs rows by guesswork: the "before"
//! table is the input's first rows, the "after" table the output's first rows, and the hashing
//! step shows the output rows, which carry both the key and its hash.

use campus_etl::FileKind;

use super::{Preview, RunOptions, preview};

/// Bytes kept of each staging CSV: a few rows even with 64-character hashes and wide files.
const CSV_BYTES: usize = 16 << 10;
/// Bytes kept of `staging.sql`: the DDL of four tables and the first rows of an INSERT.
const SQL_BYTES: usize = 64 << 10;
/// Rows shown before and after each step.
pub const SHOWN_ROWS: usize = 3;
/// Rows of the first INSERT shown in the SQL excerpt.
const SQL_ROWS: usize = 3;
/// A field longer than this is cut in the middle (the whole value is on hover).
const LONG_FIELD: usize = 28;

/// The first bytes of each output, recorded as the run writes them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Glimpse {
    keyed: bool,
    deidentify: bool,
    csv: Vec<(FileKind, Vec<u8>)>,
    sql: Vec<u8>,
}

impl Glimpse {
    pub fn new(options: &RunOptions) -> Glimpse {
        Glimpse {
            keyed: options.keyed_secret.is_some(),
            deidentify: options.deidentify,
            ..Glimpse::default()
        }
    }

    /// A staging CSV of this kind begins (only the first of a kind is kept).
    pub fn new_csv(&mut self, kind: FileKind) {
        if !self.csv.iter().any(|(k, _)| *k == kind) {
            self.csv.push((kind, Vec::new()));
        }
    }

    /// More of the staging CSV of this kind.
    pub fn csv(&mut self, kind: FileKind, bytes: &[u8]) {
        if let Some((_, kept)) = self.csv.iter_mut().find(|(k, _)| *k == kind) {
            keep(kept, bytes, CSV_BYTES);
        }
    }

    /// More of `staging.sql`.
    pub fn sql(&mut self, bytes: &[u8]) {
        keep(&mut self.sql, bytes, SQL_BYTES);
    }

    fn output(&self, kind: FileKind) -> Option<Preview> {
        let (_, bytes) = self.csv.iter().find(|(k, _)| *k == kind)?;
        Some(preview(staging_name(kind), bytes))
    }
}

fn keep(kept: &mut Vec<u8>, bytes: &[u8], limit: usize) {
    let room = limit.saturating_sub(kept.len());
    kept.extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
}

/// The staging CSV a kind of file becomes.
pub fn staging_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Students => "stg_students.csv",
        FileKind::Attendance => "stg_attendance.csv",
        FileKind::Exams => "stg_exam_results.csv",
        FileKind::Placements => "stg_placements.csv",
    }
}

/// One column of a shown table; `new` when the step added it.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub new: bool,
}

/// One field as shown; `full` holds the whole value when `text` is cut.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    pub full: Option<String>,
}

/// A few rows of a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Where the rows come from: the file's name and, for an input, its lines.
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// One step of the transformation.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// For `data-testid`.
    pub key: &'static str,
    pub title: String,
    pub explain: String,
    pub before: Option<Table>,
    pub after: Option<Table>,
}

/// The first statements of `staging.sql`, complete and runnable: every `CREATE TABLE` and the
/// first rows of the first `INSERT`, closed with `;`.
#[derive(Clone, Debug, PartialEq)]
pub struct SqlExcerpt {
    pub text: String,
    pub explain: String,
}

/// Everything the page shows of a run's transformation.
#[derive(Clone, Debug, PartialEq)]
pub struct Steps {
    pub steps: Vec<Step>,
    pub sql: Option<SqlExcerpt>,
}

/// An input as the first pass read it.
#[derive(Clone, Copy, Debug)]
pub struct Read<'a> {
    pub kind: FileKind,
    pub name: &'a str,
    pub preview: &'a Preview,
}

/// The key fields the hash is made of, in the order they are hashed.
const KEY: [&str; 3] = ["college_code", "roll_no", "dob"];

impl Steps {
    /// The steps of a run over `inputs` (in the order they were read) whose outputs began as
    /// `glimpse` holds.
    pub fn new<'a>(inputs: impl IntoIterator<Item = Read<'a>>, glimpse: &Glimpse) -> Steps {
        let inputs: Vec<Read<'a>> = inputs.into_iter().collect();
        let first = |kind| inputs.iter().find(|r| r.kind == kind).copied();
        let mut steps = Vec::new();
        if let Some(students) = first(FileKind::Students) {
            steps.push(hashing(students, glimpse));
        }
        for kind in [FileKind::Attendance, FileKind::Exams, FileKind::Placements] {
            if let Some(read) = first(kind) {
                steps.push(joining(read, glimpse));
            }
        }
        Steps {
            steps,
            sql: sql_excerpt(&glimpse.sql),
        }
    }
}

fn hashing(students: Read<'_>, glimpse: &Glimpse) -> Step {
    let how = if glimpse.keyed {
        "HMAC-SHA-256 keyed with your secret, so nobody without the secret can recompute it"
    } else {
        "SHA-256, the original notebook's formula hashlib.sha256(f\"{college_code}-{roll_no}-{dob}\"), \
         which anyone can recompute: see the dictionary attack below"
    };
    let mut explain = format!(
        "Each student's key (college code, roll number and date of birth, joined with hyphens) \
         becomes student_hash: {how}. The same student always gets the same hash, so every file \
         can still be joined on it."
    );
    if glimpse.deidentify {
        explain
            .push_str(" With de-identify on, roll_no and dob are then dropped from every output.");
    }
    let before = table(
        input_caption(students),
        students.preview,
        &key_columns(&students.preview.headers),
        &[],
    );
    let after = glimpse.output(FileKind::Students).map(|out| {
        let mut wanted = vec!["student_hash".to_owned()];
        wanted.extend(key_columns(&out.headers));
        table(
            staging_name(FileKind::Students).into(),
            &out,
            &wanted,
            &students.preview.headers,
        )
    });
    Step {
        key: "hash",
        title: "Pseudonymise: the key becomes a hash".into(),
        explain,
        before: Some(before),
        after,
    }
}

fn joining(read: Read<'_>, glimpse: &Glimpse) -> Step {
    let (key, title, what) = match read.kind {
        FileKind::Attendance => (
            "join-attendance",
            "Join attendance to students",
            "Each attendance row carries its student's hash, and present_flag turns the status \
             letter into 1 or 0 so attendance can be averaged.",
        ),
        FileKind::Exams => (
            "join-exams",
            "Join exam results to students",
            "Each exam row carries its student's hash; the marks are checked to be numbers and \
             named internal_marks, external_marks and total_marks.",
        ),
        _ => (
            "join-placements",
            "Join placements to students",
            "Each placement row carries its student's hash; package_lpa is the offer in lakh \
             rupees per annum.",
        ),
    };
    let explain = format!(
        "{what} A row is joined by the same key the hash is made of; a row whose student is not \
         in the students file is an orphan, counted in the quality report and kept with an empty \
         hash."
    );
    let all = read.preview.headers.clone();
    let before = table(input_caption(read), read.preview, &all, &[]);
    let after = glimpse.output(read.kind).map(|out| {
        let all = out.headers.clone();
        table(
            staging_name(read.kind).into(),
            &out,
            &all,
            &read.preview.headers,
        )
    });
    Step {
        key,
        title: title.into(),
        explain,
        before: Some(before),
        after,
    }
}

fn key_columns(headers: &[String]) -> Vec<String> {
    KEY.iter()
        .filter(|k| headers.iter().any(|h| h == *k))
        .map(|k| (*k).to_owned())
        .collect()
}

fn input_caption(read: Read<'_>) -> String {
    let lines: Vec<u64> = read
        .preview
        .rows
        .iter()
        .take(SHOWN_ROWS)
        .map(|(line, _)| *line)
        .collect();
    match (lines.first(), lines.last()) {
        (Some(a), Some(b)) if a != b => format!("{} (lines {a}–{b})", read.name),
        (Some(a), _) => format!("{} (line {a})", read.name),
        _ => format!("{} (no rows)", read.name),
    }
}

/// The `wanted` columns of the first rows of `file`; a column not among `old` is marked new.
fn table(caption: String, file: &Preview, wanted: &[String], old: &[String]) -> Table {
    let at: Vec<(usize, &String)> = wanted
        .iter()
        .filter_map(|w| Some((file.headers.iter().position(|h| h == w)?, w)))
        .collect();
    let columns = at
        .iter()
        .map(|(_, name)| Column {
            name: (*name).clone(),
            new: !old.is_empty() && !old.contains(name),
        })
        .collect();
    let rows = file
        .rows
        .iter()
        .take(SHOWN_ROWS)
        .map(|(_, fields)| {
            at.iter()
                .map(|(idx, _)| cell(fields.get(*idx).map_or("", String::as_str)))
                .collect()
        })
        .collect();
    Table {
        caption,
        columns,
        rows,
    }
}

fn cell(value: &str) -> Cell {
    let chars = value.chars().count();
    if chars <= LONG_FIELD {
        return Cell {
            text: value.to_owned(),
            full: None,
        };
    }
    let head: String = value.chars().take(8).collect();
    let tail: String = value.chars().skip(chars - 6).collect();
    Cell {
        text: format!("{head}…{tail}"),
        full: Some(value.to_owned()),
    }
}

/// Every statement before the first `INSERT`, then that `INSERT` with its first rows, closed.
fn sql_excerpt(sql: &[u8]) -> Option<SqlExcerpt> {
    let text = String::from_utf8_lossy(sql);
    // A line cut by the glimpse's end is not shown.
    let whole = match text.rfind('\n') {
        Some(end) => text.get(..=end).unwrap_or_default(),
        None => return None,
    };
    let mut out = String::new();
    let mut rows = None;
    for line in whole.lines() {
        match rows {
            None if line.starts_with("INSERT INTO") => rows = Some(0),
            Some(n) if n == SQL_ROWS || !line.starts_with('(') => break,
            Some(n) => rows = Some(n + 1),
            None => {}
        }
        out.push_str(line);
        out.push('\n');
    }
    if let Some(n) = rows {
        if n == 0 {
            // An INSERT whose first row was not kept: leave it out.
            let cut = out.trim_end().rfind('\n').map_or(0, |i| i + 1);
            out.truncate(cut);
        } else if out.trim_end().ends_with(',') {
            let cut = out.trim_end().len() - 1;
            out.truncate(cut);
            out.push_str(";\n-- … the other rows are in staging.sql\n");
        }
    }
    (!out.trim().is_empty()).then(|| SqlExcerpt {
        text: out,
        explain: "staging.sql creates one staging table per file, with column types inferred \
                  from the data, and inserts every transformed row in batches, so MySQL or \
                  MariaDB holds exactly what the staging CSVs hold. Its first statements, as \
                  written (they run as they are):"
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<'a>(kind: FileKind, name: &'a str, preview: &'a Preview) -> Read<'a> {
        Read {
            kind,
            name,
            preview,
        }
    }

    fn csv_preview(name: &str, text: &str) -> Preview {
        preview(name, text.as_bytes())
    }

    const STUDENTS: &str =
        "roll_no,dob,gender,college_code\nR1,2004-01-02,M,C1\nR2,2004-03-04,F,C1\n";
    const STG: &str = "student_hash,roll_no,dob,gender,college_code\n\
        8bed34a76d3969e4a7aba58392ea7ea2373bdcd623d17e6919b7f1ed7555097d,R1,2004-01-02,M,C1\n";

    #[test]
    fn hashing_shows_key_before_and_hash_with_key_after() {
        let input = csv_preview("students.csv", STUDENTS);
        let mut glimpse = Glimpse::new(&RunOptions::default());
        glimpse.new_csv(FileKind::Students);
        // Written in two pieces, as slices arrive.
        let (a, b) = STG.as_bytes().split_at(30);
        glimpse.csv(FileKind::Students, a);
        glimpse.csv(FileKind::Students, b);
        let steps = Steps::new([read(FileKind::Students, "students.csv", &input)], &glimpse);
        let [step] = &steps.steps[..] else {
            panic!("one step: {steps:?}")
        };
        assert_eq!(step.key, "hash");
        assert!(
            step.explain
                .contains("SHA-256, the original notebook's formula")
        );
        let before = step.before.as_ref().unwrap_or_else(|| panic!("no before"));
        assert_eq!(before.caption, "students.csv (lines 2–3)");
        let names: Vec<_> = before.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["college_code", "roll_no", "dob"]);
        assert_eq!(before.rows[1][1].text, "R2");
        let after = step.after.as_ref().unwrap_or_else(|| panic!("no after"));
        assert_eq!(after.caption, "stg_students.csv");
        let names: Vec<_> = after
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.new))
            .collect();
        assert_eq!(
            names,
            [
                ("student_hash", true),
                ("college_code", false),
                ("roll_no", false),
                ("dob", false)
            ]
        );
        let hash = &after.rows[0][0];
        assert_eq!(hash.text, "8bed34a7…55097d");
        assert_eq!(
            hash.full.as_deref(),
            Some(
                STG.lines()
                    .nth(1)
                    .unwrap_or("")
                    .split(',')
                    .next()
                    .unwrap_or("")
            )
        );
    }

    #[test]
    fn keyed_and_deidentified_runs_say_so() {
        let input = csv_preview("students.csv", STUDENTS);
        let options = RunOptions {
            keyed_secret: Some("s".into()),
            deidentify: true,
            ..RunOptions::default()
        };
        let glimpse = Glimpse::new(&options);
        let steps = Steps::new([read(FileKind::Students, "s.csv", &input)], &glimpse);
        let step = &steps.steps[0];
        assert!(step.explain.contains("HMAC-SHA-256"));
        assert!(step.explain.contains("dropped"));
        // No output yet (a cancelled run): no after table, no SQL.
        assert!(step.after.is_none());
        assert!(steps.sql.is_none());
    }

    #[test]
    fn joins_mark_the_columns_the_step_added() {
        let input = csv_preview(
            "att.csv",
            "college_code,roll_no,dob,course_code,date,status\nC1,R1,2004-01-02,B1,2024-08-01,P\n",
        );
        let mut glimpse = Glimpse::default();
        glimpse.new_csv(FileKind::Attendance);
        glimpse.csv(
            FileKind::Attendance,
            b"student_hash,college_code,roll_no,dob,course_code,date,status,present_flag\nabc,C1,R1,2004-01-02,B1,2024-08-01,P,1\n",
        );
        let steps = Steps::new([read(FileKind::Attendance, "att.csv", &input)], &glimpse);
        let step = &steps.steps[0];
        assert_eq!(step.key, "join-attendance");
        let after = step.after.as_ref().unwrap_or_else(|| panic!("no after"));
        let new: Vec<_> = after
            .columns
            .iter()
            .filter(|c| c.new)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(new, ["student_hash", "present_flag"]);
        assert_eq!(after.rows[0].last().map(|c| c.text.as_str()), Some("1"));
        assert!(
            step.before
                .as_ref()
                .is_some_and(|b| b.columns.iter().all(|c| !c.new))
        );
    }

    #[test]
    fn steps_follow_the_files_given_in_their_order() {
        let p = Preview::default();
        let inputs = [
            read(FileKind::Placements, "p.csv", &p),
            read(FileKind::Students, "s.csv", &p),
            read(FileKind::Exams, "e.csv", &p),
        ];
        let steps = Steps::new(inputs, &Glimpse::default());
        let keys: Vec<_> = steps.steps.iter().map(|s| s.key).collect();
        assert_eq!(keys, ["hash", "join-exams", "join-placements"]);
        assert_eq!(
            steps.steps[0].before.as_ref().map(|b| b.caption.as_str()),
            Some("s.csv (no rows)")
        );
    }

    const DDL: &str = "-- Staging tables\nSET NAMES utf8mb4;\nCREATE TABLE `t` (\n  `a` INT\n);\n";

    #[test]
    fn sql_excerpt_is_the_ddl_and_the_first_rows_closed() {
        let mut sql = DDL.to_owned();
        sql.push_str("INSERT INTO `t` (`a`) VALUES\n(1),\n(2),\n(3),\n(4),\n(5);\n");
        let mut glimpse = Glimpse::default();
        glimpse.sql(sql.as_bytes());
        let excerpt = Steps::new([], &glimpse)
            .sql
            .unwrap_or_else(|| panic!("no excerpt"));
        assert_eq!(
            excerpt.text,
            format!(
                "{DDL}INSERT INTO `t` (`a`) VALUES\n(1),\n(2),\n(3);\n-- … the other rows are in staging.sql\n"
            )
        );
        // An INSERT of fewer rows than shown is kept whole.
        let mut glimpse = Glimpse::default();
        glimpse.sql(format!("{DDL}INSERT INTO `t` (`a`) VALUES\n(1);\n").as_bytes());
        let excerpt = Steps::new([], &glimpse)
            .sql
            .unwrap_or_else(|| panic!("no excerpt"));
        assert!(excerpt.text.ends_with("VALUES\n(1);\n"), "{}", excerpt.text);
    }

    #[test]
    fn sql_excerpt_drops_a_cut_line_and_an_insert_without_rows() {
        let mut glimpse = Glimpse::default();
        glimpse.sql(format!("{DDL}INSERT INTO `t` (`a`) VALUES\n(1").as_bytes());
        let excerpt = Steps::new([], &glimpse)
            .sql
            .unwrap_or_else(|| panic!("no excerpt"));
        assert_eq!(excerpt.text, DDL);
        assert!(Steps::new([], &Glimpse::default()).sql.is_none());
    }

    #[test]
    fn glimpse_keeps_only_the_first_bytes() {
        let mut glimpse = Glimpse::default();
        glimpse.new_csv(FileKind::Exams);
        glimpse.new_csv(FileKind::Exams);
        for _ in 0..100 {
            glimpse.csv(FileKind::Exams, &[b'x'; 1000]);
            glimpse.sql(&[b'y'; 1000]);
        }
        // Bytes for a kind never opened are not kept.
        glimpse.csv(FileKind::Students, b"a");
        assert_eq!(glimpse.csv.len(), 1);
        assert_eq!(glimpse.csv[0].1.len(), CSV_BYTES);
        assert_eq!(glimpse.sql.len(), SQL_BYTES);
    }

    #[test]
    fn long_fields_are_cut_in_the_middle_by_characters() {
        assert_eq!(cell("short").full, None);
        let long = "éééééééééééééééééééééééééééééé"; // 30 two-byte characters
        let c = cell(long);
        assert_eq!(c.text.chars().count(), 15);
        assert_eq!(c.full.as_deref(), Some(long));
    }
}
