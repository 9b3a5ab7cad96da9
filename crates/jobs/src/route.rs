//! The page's addresses: one hash route per section (`#/generator`, `#/etl`, `#/sql`,
//! `#/occupancy`), so a section has a URL of its own that works from any static server and under
//! any sub-path, and the generator's settings in the query (`#/generator?seed=42&students=1000`) so that a shared
//! link reproduces a dataset, with the lesson's settings (`&attendance-marks-r=0.6&dirt=0.01`) so
//! that it reproduces the lesson's exports too.

use campus_sql::Dialect;

use crate::generate::form::{Field, FormInput};
use crate::generate::lesson_form::{LessonField, LessonInput};

/// A section of the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Section {
    #[default]
    Generator,
    Etl,
    Database,
    Occupancy,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Generator,
        Section::Etl,
        Section::Database,
        Section::Occupancy,
    ];

    /// The path segment and the HTML id.
    pub fn key(self) -> &'static str {
        match self {
            Section::Generator => "generator",
            Section::Etl => "etl",
            Section::Database => "sql",
            Section::Occupancy => "occupancy",
        }
    }

    /// The name in the navigation and the document title.
    pub fn label(self) -> &'static str {
        match self {
            Section::Generator => "Data generator",
            Section::Etl => "ETL workbench",
            Section::Database => "SQL database",
            Section::Occupancy => "Classroom occupancy",
        }
    }

    /// The section's heading.
    pub fn heading(self) -> &'static str {
        match self {
            Section::Generator => "University data generator",
            Section::Etl => "CSV ETL workbench",
            Section::Database => "SQL database in the browser",
            Section::Occupancy => "Classroom occupancy",
        }
    }

    /// The document title while the section shows.
    pub fn title(self) -> String {
        format!("Campus ETL Studio · {}", self.heading())
    }

    /// The link to the section, without settings.
    pub fn href(self) -> String {
        format!("#/{}", self.key())
    }
}

/// Where the page is: the section and, for the generator, the settings the link carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Route {
    pub section: Section,
    /// The generator form as the link gives it: defaults for every setting the link leaves out.
    /// `None` when the link carries no settings.
    pub generator: Option<FormInput>,
    /// The lesson's settings as the link gives them: defaults for every one it leaves out.
    /// `None` when the link carries none.
    pub lesson: Option<LessonInput>,
}

impl Route {
    /// Reads `location.hash`. Anything unknown (an empty hash, `#main`, a mistyped section) is
    /// the generator; the old in-page anchors (`#etl`) still lead to their section. Unknown
    /// settings are ignored, so a link from a newer page still opens.
    pub fn parse(hash: &str) -> Route {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let hash = hash.strip_prefix('/').unwrap_or(hash);
        let (path, query) = hash.split_once('?').unwrap_or((hash, ""));
        let section = Section::ALL
            .into_iter()
            .find(|s| s.key() == path.trim_end_matches('/'))
            .unwrap_or_default();
        let on_generator = section == Section::Generator && !query.is_empty();
        let generator = on_generator.then(|| form_from_query(query)).flatten();
        let lesson = on_generator.then(|| lesson_from_query(query)).flatten();
        Route {
            section,
            generator,
            lesson,
        }
    }

    /// The route of a section without settings.
    pub fn to(section: Section) -> Route {
        Route {
            section,
            generator: None,
            lesson: None,
        }
    }

    /// The hash to put in the address bar (`#/generator?seed=42&…`).
    pub fn to_hash(&self) -> String {
        match (&self.generator, self.section) {
            (Some(form), Section::Generator) => {
                let mut query = form_to_query(form);
                if let Some(lesson) = &self.lesson {
                    query.push('&');
                    query.push_str(&lesson_to_query(lesson));
                }
                format!("{}?{}", self.section.href(), query)
            }
            _ => self.section.href(),
        }
    }
}

const DATABASE: &str = "database";
const SCHEMA: &str = "schema";
const DATA: &str = "data";
const DROP: &str = "drop";
const DIALECT: &str = "dialect";

/// The generator's settings as a query: every field, as typed (so an invalid value reaches the
/// form, and its error, unchanged).
pub fn form_to_query(form: &FormInput) -> String {
    let flag = |on: bool| if on { "1" } else { "0" };
    let mut pairs: Vec<(&str, String)> = Field::ALL
        .iter()
        .map(|f| (f.key(), form.value(*f).to_owned()))
        .collect();
    pairs.push((DATABASE, form.database.clone()));
    pairs.push((SCHEMA, flag(form.schema).into()));
    pairs.push((DATA, flag(form.data).into()));
    pairs.push((DROP, flag(form.drop_existing).into()));
    // Only when it is not the default, so MySQL links read as they always did.
    if form.dialect != Dialect::default() {
        pairs.push((DIALECT, form.dialect.name().into()));
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The form a query describes, starting from the defaults; `None` if it names no setting.
fn form_from_query(query: &str) -> Option<FormInput> {
    let mut form = FormInput::default();
    let mut any = false;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value);
        let flag = || matches!(value.as_str(), "1" | "true" | "yes" | "on");
        if let Some(field) = Field::ALL.iter().find(|f| f.key() == key) {
            form.set_value(*field, value.clone());
        } else {
            match key {
                DATABASE => form.database = value.clone(),
                SCHEMA => form.set_schema(flag()),
                DATA => form.data = flag(),
                DROP => form.drop_existing = flag() && form.schema,
                // An unknown dialect keeps the default rather than failing the whole link.
                DIALECT => form.dialect = Dialect::parse(&value).unwrap_or_default(),
                _ => continue,
            }
        }
        any = true;
    }
    any.then_some(form)
}

/// A lesson setting's name in a link: the CLI's flag without its dashes.
fn lesson_key(field: LessonField) -> &'static str {
    match field {
        LessonField::AttendanceMarksR => "attendance-marks-r",
        LessonField::Dirt => "dirt",
        LessonField::Overcrowding => "overcrowding-rate",
    }
}

/// The lesson's settings as a query: every field, as typed.
pub fn lesson_to_query(lesson: &LessonInput) -> String {
    LessonField::ALL
        .iter()
        .map(|f| format!("{}={}", lesson_key(*f), encode(lesson.value(*f))))
        .collect::<Vec<_>>()
        .join("&")
}

/// The lesson a query describes, starting from the defaults; `None` if it names no setting.
fn lesson_from_query(query: &str) -> Option<LessonInput> {
    let mut lesson = LessonInput::default();
    let mut any = false;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if let Some(field) = LessonField::ALL.iter().find(|f| lesson_key(**f) == key) {
            lesson.set_value(*field, decode(value));
            any = true;
        }
    }
    any.then_some(lesson)
}

/// Percent-encodes all but letters, digits and `-._~` (RFC 3986's unreserved set).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Undoes [`encode`] (and `+` for a space, as forms write it); a malformed escape is kept as
/// typed, and bytes that are not UTF-8 become U+FFFD.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_old_anchors() {
        for section in Section::ALL {
            assert_eq!(Route::parse(&section.href()).section, section);
            assert_eq!(
                Route::parse(&format!("#{}", section.key())).section,
                section
            );
            assert_eq!(
                Route::parse(&format!("#/{}/", section.key())).section,
                section
            );
        }
        for unknown in ["", "#", "#main", "#/nope", "#/ETL"] {
            assert_eq!(Route::parse(unknown), Route::default(), "{unknown:?}");
        }
        assert_eq!(Route::parse("#/etl?seed=5").generator, None);
    }

    #[test]
    fn the_generator_settings_round_trip() {
        let mut form = FormInput::default();
        form.set_value(Field::Seed, "7".into());
        form.set_value(Field::Students, "1,000 000".into());
        form.database = "uni db&x=1/ü".into();
        form.set_schema(false);
        let route = Route {
            section: Section::Generator,
            generator: Some(form.clone()),
            ..Route::default()
        };
        let hash = route.to_hash();
        assert!(hash.starts_with("#/generator?seed=7&students=1%2C000%20000&"));
        assert!(!hash.contains(' ') && !hash.contains('ü'));
        assert_eq!(Route::parse(&hash), route);
    }

    #[test]
    fn the_lesson_settings_round_trip_beside_the_generator_settings() {
        let mut lesson = LessonInput::default();
        lesson.set_value(LessonField::AttendanceMarksR, "−0.3".into());
        lesson.set_value(LessonField::Dirt, "0.01".into());
        lesson.set_value(LessonField::Overcrowding, "0.25".into());
        let route = Route {
            section: Section::Generator,
            generator: Some(FormInput::default()),
            lesson: Some(lesson.clone()),
        };
        let hash = route.to_hash();
        assert!(
            hash.ends_with("&attendance-marks-r=%E2%88%920.3&dirt=0.01&overcrowding-rate=0.25"),
            "{hash}"
        );
        assert_eq!(Route::parse(&hash), route);
        assert!(
            Route::parse(&hash)
                .lesson
                .is_some_and(|l| l.parse().is_ok())
        );
        // A link with only a lesson setting keeps the other lesson defaults; an older link has
        // no lesson at all.
        let partial = Route::parse("#/generator?seed=3&dirt=0.05").lesson;
        let mut expected = LessonInput::default();
        expected.set_value(LessonField::Dirt, "0.05".into());
        assert_eq!(partial, Some(expected));
        assert_eq!(Route::parse("#/generator?seed=3").lesson, None);
        assert_eq!(Route::parse("#/etl?dirt=0.05").lesson, None);
    }

    #[test]
    fn the_dialect_travels_in_the_link_when_it_is_not_mysql() {
        let mysql = Route {
            section: Section::Generator,
            generator: Some(FormInput::default()),
            lesson: None,
        };
        assert!(!mysql.to_hash().contains("dialect"));
        for dialect in [Dialect::Postgres, Dialect::Sqlite] {
            let form = FormInput {
                dialect,
                ..FormInput::default()
            };
            let hash = Route {
                section: Section::Generator,
                generator: Some(form.clone()),
                lesson: None,
            }
            .to_hash();
            assert!(
                hash.ends_with(&format!("&dialect={}", dialect.name())),
                "{hash}"
            );
            assert_eq!(Route::parse(&hash).generator, Some(form));
        }
        let form = Route::parse("#/generator?dialect=PostgreSQL").generator;
        assert_eq!(form.map(|f| f.dialect), Some(Dialect::Postgres));
    }

    #[test]
    fn a_partial_link_keeps_the_other_defaults() {
        let route = Route::parse("#/generator?seed=99&bogus=1&students=500");
        let form = route.generator.unwrap_or_default();
        assert_ne!(form, FormInput::default());
        assert_eq!(form.value(Field::Seed), "99");
        assert_eq!(form.value(Field::Students), "500");
        let default = FormInput::default();
        assert_eq!(form.value(Field::Staff), default.value(Field::Staff));
        assert_eq!(form.database, default.database);
        assert_eq!(Route::parse("#/generator?bogus=1").generator, None);
    }

    #[test]
    fn drop_needs_the_schema_and_bad_escapes_survive() {
        let form = Route::parse("#/generator?schema=0&drop=1&database=a%2x%41%")
            .generator
            .unwrap_or_default();
        assert!(!form.schema && !form.drop_existing);
        assert_eq!(form.database, "a%2xA%");
        assert_eq!(decode("%FF+x"), "\u{fffd} x");
    }

    #[test]
    fn titles_name_the_section() {
        assert_eq!(
            Section::Occupancy.title(),
            "Campus ETL Studio · Classroom occupancy"
        );
        assert_eq!(
            Section::Generator.title(),
            "Campus ETL Studio · University data generator"
        );
    }
}
