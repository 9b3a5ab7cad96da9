//! The workbench's column mapping as the page holds it: the text the user typed (the CLI's
//! `--columns` file format), what it parses to, and which header each role takes in each input.

use campus_etl::FileKind;
use campus_etl::columns::{ColumnMap, Found, Role};

use super::protocol::preview;

/// Where the page remembers the mapping text.
pub const STORAGE_KEY: &str = "campus.etl.columns";

/// The mapping text and what it means. A text that does not parse keeps the last good mapping
/// and says why; a run waits until it parses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColumnsChoice {
    text: String,
    map: ColumnMap,
    error: Option<String>,
}

impl ColumnsChoice {
    /// The choice after the user typed `text`.
    pub fn edited(&self, text: String) -> ColumnsChoice {
        match ColumnMap::parse(&text) {
            Ok(map) => ColumnsChoice {
                text,
                map,
                error: None,
            },
            Err(err) => ColumnsChoice {
                text,
                map: self.map.clone(),
                error: Some(err.to_string()),
            },
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn map(&self) -> &ColumnMap {
        &self.map
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// The header line of a file, from its first chunk.
pub fn header_names(name: &str, first_chunk: &[u8]) -> Vec<String> {
    preview(name, first_chunk).headers
}

/// One role of one input, as the page lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleRow {
    pub file: String,
    pub role: Role,
    pub required: bool,
    /// The header that plays it, if any.
    pub header: Option<String>,
    /// How it was found: "mapped", "AKTU name", "guessed", or "missing".
    pub how: &'static str,
}

/// Each role of each input with its header.
pub fn role_rows(map: &ColumnMap, inputs: &[(String, FileKind, Vec<String>)]) -> Vec<RoleRow> {
    let mut rows = Vec::new();
    for (file, kind, names) in inputs {
        for resolution in map.resolve(*kind, names) {
            let header = resolution
                .column
                .and_then(|(idx, _)| names.get(idx).cloned());
            let how = match resolution.column {
                Some((_, Found::Mapped)) => "mapped",
                Some((_, Found::Aktu)) => "AKTU name",
                Some((_, Found::Guessed)) => "guessed",
                None if resolution.required => "missing",
                None => "absent (optional)",
            };
            rows.push(RoleRow {
                file: file.clone(),
                role: resolution.role,
                required: resolution.required,
                header,
                how,
            });
        }
    }
    rows
}

/// The mapping text a user would start from: the current mapping with every guessed role
/// written out, so it can be checked and corrected.
pub fn guessed_text(map: &ColumnMap, inputs: &[(String, FileKind, Vec<String>)]) -> String {
    let files: Vec<(FileKind, Vec<String>)> = inputs
        .iter()
        .map(|(_, kind, names)| (*kind, names.clone()))
        .collect();
    let guess = ColumnMap::guess(&files);
    let mut merged = map.clone();
    for role in Role::ALL {
        if merged.header(role).is_none()
            && let Some(header) = guess.header(role)
        {
            merged.set(role, header);
        }
    }
    merged.to_text()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Vec<(String, FileKind, Vec<String>)> {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        vec![
            (
                "students.csv".into(),
                FileKind::Students,
                names(&["Roll Number", "DOB", "College", "program_code"]),
            ),
            (
                "att.csv".into(),
                FileKind::Attendance,
                header_names(
                    "att.csv",
                    b"college_code,Roll Number,Date of Birth,course_code,date,Attendance Status\nX,1,2",
                ),
            ),
        ]
    }

    #[test]
    fn rows_say_how_each_role_was_found() {
        let choice = ColumnsChoice::default().edited("college_code = College\n".into());
        let rows = role_rows(choice.map(), &inputs());
        let how = |file: &str, role: Role| {
            rows.iter()
                .find(|r| r.file == file && r.role == role)
                .map(|r| (r.header.clone(), r.how))
        };
        assert_eq!(
            how("students.csv", Role::RollNo),
            Some((Some("Roll Number".into()), "guessed"))
        );
        assert_eq!(
            how("students.csv", Role::CollegeCode),
            Some((Some("College".into()), "mapped"))
        );
        assert_eq!(
            how("students.csv", Role::Dob),
            Some((Some("DOB".into()), "AKTU name"))
        );
        assert_eq!(
            how("att.csv", Role::Status),
            Some((Some("Attendance Status".into()), "guessed"))
        );
        assert_eq!(rows.len(), 4 + 6);
        let unmapped = role_rows(&ColumnMap::default(), &inputs());
        assert_eq!(
            unmapped
                .iter()
                .find(|r| r.file == "students.csv" && r.role == Role::CollegeCode)
                .map(|r| r.how),
            Some("missing")
        );
    }

    #[test]
    fn a_bad_text_keeps_the_last_mapping_and_says_why() {
        let good = ColumnsChoice::default().edited("roll_no = Roll\n".into());
        let bad = good.edited("roll_no = Roll\nwho = x\n".into());
        assert_eq!(bad.map(), good.map());
        assert!(
            bad.error()
                .is_some_and(|e| e.contains("\"who\" is not a role"))
        );
        assert_eq!(bad.text(), "roll_no = Roll\nwho = x\n");
        assert_eq!(good.error(), None);
    }

    #[test]
    fn the_guess_writes_out_near_names_and_keeps_the_mapping() {
        let map = ColumnsChoice::default()
            .edited("college_code = College\npresent = Present\n".into())
            .map()
            .clone();
        let text = guessed_text(&map, &inputs());
        assert_eq!(
            text,
            "college_code = College\nroll_no = Roll Number\ndob = Date of Birth\nstatus = Attendance Status\npresent = Present\n"
        );
    }
}
