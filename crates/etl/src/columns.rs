//! Column mapping: which header of a file plays which role (roll number, date of birth, status…),
//! so exports with other headers than AKTU's can be read.
//!
//! A [`ColumnMap`] names a header for some roles and the attendance status's present and absent
//! values; every role it leaves out (or whose header a file lacks) is guessed: the AKTU name first (trimmed, any case), then a
//! near name (case, spaces, underscores and hyphens ignored, a few common synonyms). The pass
//! then sees the file as if it had AKTU's headers and `P`/`A` statuses ([`ColumnMap::canonical`],
//! [`ColumnMap::recode_status`]), so every output is the same as for the AKTU-named file. The
//! map's text form (`role = header`, one a line) is what the CLI's `--columns` file holds and what
//! the page remembers.

use std::collections::BTreeMap;

use campus_csv::{CsvErrorKind, Headers};
use serde::{Deserialize, Serialize};

use crate::FileKind;

/// What a column means to the pipeline; its name is the AKTU header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    CollegeCode,
    RollNo,
    Dob,
    ProgramCode,
    CourseCode,
    Date,
    Status,
    Internal,
    External,
    Total,
    Placed,
    Company,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::CollegeCode,
        Role::RollNo,
        Role::Dob,
        Role::ProgramCode,
        Role::CourseCode,
        Role::Date,
        Role::Status,
        Role::Internal,
        Role::External,
        Role::Total,
        Role::Placed,
        Role::Company,
    ];

    /// The AKTU header, which is also the role's name in a mapping.
    pub fn name(self) -> &'static str {
        match self {
            Role::CollegeCode => "college_code",
            Role::RollNo => "roll_no",
            Role::Dob => "dob",
            Role::ProgramCode => "program_code",
            Role::CourseCode => "course_code",
            Role::Date => "date",
            Role::Status => "status",
            Role::Internal => "internal",
            Role::External => "external",
            Role::Total => "total",
            Role::Placed => "placed",
            Role::Company => "company",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        let name = name.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(name))
    }

    /// What the role holds, for a person choosing its column.
    pub fn label(self) -> &'static str {
        match self {
            Role::CollegeCode => "college code (part of the student key)",
            Role::RollNo => "roll number (part of the student key)",
            Role::Dob => "date of birth (part of the student key)",
            Role::ProgramCode => "program (course of study) code",
            Role::CourseCode => "course (module) code",
            Role::Date => "date of the class",
            Role::Status => "attendance status",
            Role::Internal => "internal marks",
            Role::External => "external marks",
            Role::Total => "total marks",
            Role::Placed => "placed or not (optional)",
            Role::Company => "company of the offer (optional)",
        }
    }

    /// Near names, normalised as [`normalise`] does, besides the role's own. Only names that
    /// cannot mean anything else: a bare "program" or "course" is left for the user to map.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Role::CollegeCode => &["collegeid", "institutecode"],
            Role::RollNo => &["rollnumber", "rollnum", "enrollmentno", "enrolmentno"],
            Role::Dob => &["dateofbirth", "birthdate"],
            Role::ProgramCode => &["programmecode", "programid"],
            Role::CourseCode => &["subjectcode", "modulecode", "courseid"],
            Role::Date => &["classdate", "sessiondate", "attendancedate"],
            Role::Status => &["attendancestatus"],
            Role::Internal => &["internalmarks", "internalmark"],
            Role::External => &["externalmarks", "externalmark"],
            Role::Total => &["totalmarks", "totalmark"],
            Role::Placed => &["isplaced"],
            Role::Company => &["companyname", "employer", "recruiter"],
        }
    }

    /// The roles a kind of file must have, then those it may have.
    pub fn for_kind(kind: FileKind) -> (&'static [Role], &'static [Role]) {
        match kind {
            FileKind::Students => (
                &[
                    Role::RollNo,
                    Role::Dob,
                    Role::CollegeCode,
                    Role::ProgramCode,
                ],
                &[],
            ),
            FileKind::Attendance => (
                &[
                    Role::CollegeCode,
                    Role::RollNo,
                    Role::Dob,
                    Role::CourseCode,
                    Role::Date,
                    Role::Status,
                ],
                &[],
            ),
            FileKind::Exams => (
                &[
                    Role::CollegeCode,
                    Role::RollNo,
                    Role::Dob,
                    Role::CourseCode,
                    Role::Internal,
                    Role::External,
                    Role::Total,
                ],
                &[],
            ),
            FileKind::Placements => (
                &[Role::CollegeCode, Role::RollNo, Role::Dob],
                &[Role::Placed, Role::Company],
            ),
        }
    }
}

/// A header without case, spaces, underscores, hyphens, dots or slashes: "Roll Number" and
/// "roll_number" are one name.
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '/' | '\t'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// How a role's column was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Found {
    /// The mapping names it.
    Mapped,
    /// The AKTU name.
    Aktu,
    /// A near name.
    Guessed,
}

/// One role's column in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    pub role: Role,
    pub required: bool,
    /// The column's position and how it was found; `None` when no header fits.
    pub column: Option<(usize, Found)>,
}

/// A mapping the text form could not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ColumnMapError {
    #[error(
        "column mapping line {line}: {text:?} is not `role = header` (roles: {roles}, present, absent)",
        roles = role_names()
    )]
    BadLine { line: usize, text: String },
    #[error("column mapping line {line}: {name:?} is not a role (roles: {roles}, present, absent)", roles = role_names())]
    UnknownRole { line: usize, name: String },
    #[error("column mapping: the present and absent values are both {0:?}")]
    SameStatusValues(String),
}

fn role_names() -> String {
    Role::ALL.map(Role::name).join(", ")
}

/// Which header plays which role, and the attendance status's values. The default guesses every
/// role and reads `P` as present, `A` as absent, as the AKTU files have them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMap {
    headers: BTreeMap<Role, String>,
    present: Option<String>,
    absent: Option<String>,
}

const PRESENT: &str = "P";
const ABSENT: &str = "A";

impl ColumnMap {
    /// Maps `role` to `header`; an empty header takes the mapping back to the guess.
    pub fn set(&mut self, role: Role, header: &str) {
        let header = header.trim();
        if header.is_empty() {
            self.headers.remove(&role);
        } else {
            self.headers.insert(role, header.to_owned());
        }
    }

    /// The header the mapping names for `role`, if any.
    pub fn header(&self, role: Role) -> Option<&str> {
        self.headers.get(&role).map(String::as_str)
    }

    /// Sets the status values that mean present and absent; empty means the AKTU `P`/`A`.
    pub fn set_status_values(&mut self, present: &str, absent: &str) -> Result<(), ColumnMapError> {
        let keep = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
        let (present, absent) = (keep(present), keep(absent));
        let same = present.as_deref().unwrap_or(PRESENT) == absent.as_deref().unwrap_or(ABSENT);
        if same {
            return Err(ColumnMapError::SameStatusValues(
                present.unwrap_or_else(|| PRESENT.to_owned()),
            ));
        }
        self.present = present.filter(|p| p != PRESENT);
        self.absent = absent.filter(|a| a != ABSENT);
        Ok(())
    }

    pub fn present(&self) -> &str {
        self.present.as_deref().unwrap_or(PRESENT)
    }

    pub fn absent(&self) -> &str {
        self.absent.as_deref().unwrap_or(ABSENT)
    }

    /// Whether nothing is mapped: every role guessed, statuses `P`/`A`.
    pub fn is_default(&self) -> bool {
        *self == ColumnMap::default()
    }

    /// Reads the text form: `role = header` a line, plus `present = VALUE` and `absent = VALUE`;
    /// blank lines and lines starting with `#` are skipped.
    pub fn parse(text: &str) -> Result<ColumnMap, ColumnMapError> {
        let mut map = ColumnMap::default();
        let (mut present, mut absent) = (String::new(), String::new());
        for (idx, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            map.set_line(idx + 1, trimmed, &mut present, &mut absent)?;
        }
        map.set_status_values(&present, &absent)?;
        Ok(map)
    }

    fn set_line(
        &mut self,
        line: usize,
        text: &str,
        present: &mut String,
        absent: &mut String,
    ) -> Result<(), ColumnMapError> {
        let Some((name, value)) = text.split_once('=') else {
            return Err(ColumnMapError::BadLine {
                line,
                text: text.to_owned(),
            });
        };
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("present") {
            *present = value.to_owned();
        } else if name.eq_ignore_ascii_case("absent") {
            *absent = value.to_owned();
        } else if let Some(role) = Role::from_name(name) {
            self.set(role, value);
        } else {
            return Err(ColumnMapError::UnknownRole {
                line,
                name: name.to_owned(),
            });
        }
        Ok(())
    }

    /// The text form [`ColumnMap::parse`] reads back; empty for the default map.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (role, header) in &self.headers {
            out.push_str(&format!("{} = {header}\n", role.name()));
        }
        if let Some(present) = &self.present {
            out.push_str(&format!("present = {present}\n"));
        }
        if let Some(absent) = &self.absent {
            out.push_str(&format!("absent = {absent}\n"));
        }
        out
    }

    /// Where each role of `kind` is in `names`, and how it was found.
    pub fn resolve(&self, kind: FileKind, names: &[String]) -> Vec<Resolution> {
        let (required, optional) = Role::for_kind(kind);
        let position = |wanted: &str| names.iter().position(|n| n.trim() == wanted.trim());
        let position_ci = |wanted: &str| {
            names
                .iter()
                .position(|n| n.trim().eq_ignore_ascii_case(wanted.trim()))
        };
        let near = |role: Role| {
            names.iter().position(|n| {
                let n = normalise(n);
                n == normalise(role.name()) || role.synonyms().contains(&n.as_str())
            })
        };
        let guess = |role: Role| {
            position_ci(role.name())
                .map(|idx| (idx, Found::Aktu))
                .or_else(|| near(role).map(|idx| (idx, Found::Guessed)))
        };
        // A mapped header a file does not have falls back to the guess: one remembered mapping
        // still reads AKTU's own files (the samples, the generator's exports).
        let find = |role: Role| {
            let mapped = self
                .header(role)
                .and_then(|header| position(header).or_else(|| position_ci(header)));
            mapped
                .map(|idx| (idx, Found::Mapped))
                .or_else(|| guess(role))
        };
        let resolve = |role: Role, required: bool| Resolution {
            role,
            required,
            column: find(role),
        };
        required
            .iter()
            .map(|&r| resolve(r, true))
            .chain(optional.iter().map(|&r| resolve(r, false)))
            .collect()
    }

    /// The headers as the pass reads them: each role's column renamed to its AKTU name, or an
    /// error naming every required role no header fits and the headers the file has.
    pub fn canonical(&self, kind: FileKind, headers: &Headers) -> Result<Headers, CsvErrorKind> {
        let mut names = headers.names.clone();
        let mut missing = Vec::new();
        for resolution in self.resolve(kind, &headers.names) {
            let role = resolution.role;
            match resolution.column {
                Some((idx, Found::Mapped | Found::Guessed)) => {
                    if let Some(name) = names.get_mut(idx) {
                        *name = role.name().to_owned();
                    }
                }
                Some((_, Found::Aktu)) => {}
                None if resolution.required => missing.push(match self.header(role) {
                    Some(header) => format!("{} (mapped to {header:?})", role.name()),
                    None => role.name().to_owned(),
                }),
                None => {}
            }
        }
        if missing.is_empty() {
            Ok(Headers { names })
        } else {
            Err(CsvErrorKind::MissingColumns {
                missing,
                found: headers.names.clone(),
            })
        }
    }

    /// The status the pass sees for `status`: the present and absent values become `P` and `A`
    /// (anything else stays as it is, and is reported as neither).
    pub fn recode_status<'a>(&self, status: &'a str) -> &'a str {
        if status == self.present() {
            PRESENT
        } else if status == self.absent() {
            ABSENT
        } else {
            status
        }
    }

    /// `fields` with the status at `col` recoded by [`ColumnMap::recode_status`].
    pub fn recode_status_field<'a>(&self, fields: &[&'a str], col: usize) -> Vec<&'a str> {
        (fields.iter().enumerate())
            .map(|(idx, &f)| if idx == col { self.recode_status(f) } else { f })
            .collect()
    }

    /// Whether statuses need recoding at all (not for AKTU's `P`/`A`).
    pub fn recodes_status(&self) -> bool {
        self.present.is_some() || self.absent.is_some()
    }

    /// The mapping a person would start from for these files: every role of every kind whose
    /// column is found by a near name, with the headers as the files have them. Roles found by
    /// their AKTU name, or not at all, are left to the guess.
    pub fn guess(files: &[(FileKind, Vec<String>)]) -> ColumnMap {
        let mut map = ColumnMap::default();
        for (kind, names) in files {
            for resolution in ColumnMap::default().resolve(*kind, names) {
                if let Some((idx, Found::Guessed)) = resolution.column
                    && let Some(name) = names.get(idx)
                    && map.header(resolution.role).is_none()
                {
                    map.set(resolution.role, name);
                }
            }
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    const RENAMED: [&str; 6] = [
        "College Code",
        "Roll Number",
        "Date of Birth",
        "Course Code",
        "Class Date",
        "Attendance Status",
    ];

    #[test]
    fn aktu_headers_resolve_unchanged() {
        let headers = Headers {
            names: names(&["roll_no", "DOB", "college_code", "program_code", "extra"]),
        };
        let canonical = ColumnMap::default().canonical(FileKind::Students, &headers);
        assert_eq!(canonical, Ok(headers));
    }

    #[test]
    fn near_names_are_guessed_and_renamed() {
        let headers = Headers {
            names: names(&RENAMED),
        };
        let Ok(canonical) = ColumnMap::default().canonical(FileKind::Attendance, &headers) else {
            panic!("not resolved")
        };
        assert_eq!(
            canonical.names,
            names(&[
                "college_code",
                "roll_no",
                "dob",
                "course_code",
                "date",
                "status"
            ])
        );
        let guess = ColumnMap::guess(&[(FileKind::Attendance, names(&RENAMED))]);
        assert_eq!(guess.header(Role::RollNo), Some("Roll Number"));
        assert_eq!(guess.header(Role::Dob), Some("Date of Birth"));
        assert_eq!(guess.header(Role::Date), Some("Class Date"));
    }

    #[test]
    fn a_mapping_wins_over_the_guess_and_a_missing_role_is_named() {
        let mut map = ColumnMap::default();
        map.set(Role::RollNo, "Enrolment");
        let headers = Headers {
            names: names(&[
                "Enrolment",
                "roll_no",
                "dob",
                "college_code",
                "program_code",
            ]),
        };
        let Ok(canonical) = map.canonical(FileKind::Students, &headers) else {
            panic!("not resolved")
        };
        assert_eq!(canonical.names.first().map(String::as_str), Some("roll_no"));
        let headers = Headers {
            names: names(&["Student", "Birth", "college_code"]),
        };
        let Err(err) = map.canonical(FileKind::Students, &headers) else {
            panic!("resolved")
        };
        let message = err.to_string();
        assert!(
            message.contains("roll_no (mapped to \"Enrolment\")"),
            "{message}"
        );
        assert!(message.contains("dob") && message.contains("program_code"));
        assert!(message.contains("the header has: Student, Birth, college_code"));
    }

    #[test]
    fn the_text_form_round_trips_and_reports_bad_lines() {
        let text = "# mine\nroll_no = Roll Number\n\ndob=Date of Birth\npresent = Present\nabsent = Absent\n";
        let Ok(map) = ColumnMap::parse(text) else {
            panic!("not parsed")
        };
        assert_eq!(map.header(Role::Dob), Some("Date of Birth"));
        assert_eq!((map.present(), map.absent()), ("Present", "Absent"));
        assert_eq!(ColumnMap::parse(&map.to_text()), Ok(map.clone()));
        assert_eq!(map.recode_status("Present"), "P");
        assert_eq!(map.recode_status("Absent"), "A");
        assert_eq!(map.recode_status("Late"), "Late");
        assert!(map.recodes_status());
        assert!(ColumnMap::parse("").is_ok_and(|m| m.is_default() && m.to_text().is_empty()));
        assert!(matches!(
            ColumnMap::parse("roll_no Roll"),
            Err(ColumnMapError::BadLine { line: 1, .. })
        ));
        assert!(matches!(
            ColumnMap::parse("\nname = x"),
            Err(ColumnMapError::UnknownRole { line: 2, .. })
        ));
        assert!(ColumnMap::parse("present = A").is_err());
        // P and A written out are the default, not a mapping.
        assert!(ColumnMap::parse("present = P\nabsent = A").is_ok_and(|m| m.is_default()));
    }

    #[test]
    fn optional_placement_roles_are_not_required() {
        let resolved = ColumnMap::default().resolve(
            FileKind::Placements,
            &names(&["college_code", "roll_no", "dob", "Company Name"]),
        );
        let company = resolved.iter().find(|r| r.role == Role::Company);
        assert_eq!(
            company.map(|r| (r.required, r.column)),
            Some((false, Some((3, Found::Guessed))))
        );
        let placed = resolved.iter().find(|r| r.role == Role::Placed);
        assert_eq!(placed.map(|r| r.column), Some(None));
    }
}
