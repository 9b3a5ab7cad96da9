//! The registrar's exports of the generated university, in the AKTU layout the ETL workbench and
//! the original pandas notebook read: students master, attendance, exam results, placements.
//!
//! [`Exports`] is a [`Dataset`] of four tables describing the same people and modules as
//! [`crate::Ums`] for the same [`Config`]: `roll_no` is `students.student_number`, `dob` is
//! `students.birthdate`, one attendance row per enrollment and lecture of its module's
//! timetable, one exam row per `student_marks` row, one placement row per final-level student.
//! Like the generator's, every row is a pure function of (seed, table, row number), computed with
//! integer and IEEE `+ − × ÷ √` arithmetic only, so the bytes are the same on every target and
//! tables stream in chunks without holding anything per row.
//!
//! Marks map onto AKTU's 30 + 70 split: `internal` is `test_score × 30 / 100` rounded half up to
//! the cent, `external` is `final_score − internal` (at most 70, never negative, because the final
//! score is 40% test and 60% exam), and `total` is `final_score` exactly.
//!
//! Planted ground truth: an enrollment's attendance rate is derived from its final score with
//! controlled noise (see [`ExportOptions::attendance_marks_r`]), and [`Dirt`] plants defects at
//! set rates; [`Exports::defects`] says which defects a row carries, for an answer key.

use std::cell::Cell;

use campus_schema::{Column, ColumnType, Dataset, Date, RowSink, Table, Time};

use crate::rng::Rng;
use crate::rows::{Layout, Scratch};
use crate::{Config, ConfigError, TableId, Ums, names};

/// Random streams of the exports, from 3,000 on, apart from the generator's tables and traits.
const STREAMS: u64 = 3_000;
const STREAM_STUDENT_EXTRA: u64 = STREAMS;
const STREAM_ATTENDANCE: u64 = STREAMS + 1;
const STREAM_TIMETABLE: u64 = STREAMS + 2;
const STREAM_PLACEMENT: u64 = STREAMS + 3;
/// Plus the export's index: in-place defects of a clean row.
const STREAM_DIRT: u64 = STREAMS + 100;
/// Plus the export's index: the kind of an inserted row.
const STREAM_EXTRA: u64 = STREAMS + 200;

/// The answer key's file name, beside the exports, and its header line.
pub const ANSWER_KEY: &str = "answer_key.csv";
pub const ANSWER_KEY_HEADER: &str = "file,line,kind\n";

/// The one college of the generated university, as AKTU's exports name colleges.
pub const COLLEGE_CODE: &str = "UMS001";

/// Mean attendance rate and its spread (standard deviation) over enrollments.
const MEAN_ATTENDANCE: f64 = 0.75;
const ATTENDANCE_SPREAD: f64 = 0.07;

/// Lecture start times, minutes after midnight.
const SLOTS: [u16; 8] = [
    8 * 60,
    9 * 60 + 30,
    11 * 60,
    12 * 60 + 30,
    14 * 60,
    15 * 60 + 30,
    17 * 60,
    18 * 60 + 30,
];

/// The four exports, in the order the workbench loads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExportId {
    Students,
    Attendance,
    Exams,
    Placements,
}

impl ExportId {
    pub const ALL: [ExportId; 4] = [
        ExportId::Students,
        ExportId::Attendance,
        ExportId::Exams,
        ExportId::Placements,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(idx: usize) -> Option<ExportId> {
        ExportId::ALL.get(idx).copied()
    }

    /// The file name the notebook reads (its names are fixed, whatever the academic year).
    pub fn file_name(self) -> &'static str {
        match self {
            ExportId::Students => "students_master.csv",
            ExportId::Attendance => "attendance_2024_odd.csv",
            ExportId::Exams => "exam_results_2024_odd.csv",
            ExportId::Placements => "placements_2024.csv",
        }
    }
}

/// Planted defects, each a rate per row of the exports it applies to (0 to 0.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Dirt {
    /// An exact copy of the previous row (all four exports).
    pub duplicate_rows: f64,
    /// A row whose roll number is nobody's: next year's intake (attendance, exams, placements).
    pub orphan_keys: f64,
    /// An attendance date that does not exist, such as 30 February.
    pub impossible_dates: f64,
    /// An attendance date written DD/MM/YYYY instead of ISO.
    pub mixed_date_formats: f64,
    /// A blank exam total.
    pub blank_marks: f64,
    /// An exam's external mark written `AB` (absent).
    pub non_numeric_marks: f64,
    /// A roll number with a leading space (attendance, exams, placements).
    pub padded_keys: f64,
}

impl Dirt {
    /// Every kind at the same rate.
    pub fn uniform(rate: f64) -> Dirt {
        Dirt {
            duplicate_rows: rate,
            orphan_keys: rate,
            impossible_dates: rate,
            mixed_date_formats: rate,
            blank_marks: rate,
            non_numeric_marks: rate,
            padded_keys: rate,
        }
    }

    /// Only `kinds`, each at `rate`.
    pub fn only(rate: f64, kinds: &[DefectKind]) -> Dirt {
        let on = |kind: DefectKind| if kinds.contains(&kind) { rate } else { 0.0 };
        Dirt {
            duplicate_rows: on(DefectKind::DuplicateRow),
            orphan_keys: on(DefectKind::OrphanKey),
            impossible_dates: on(DefectKind::ImpossibleDate),
            mixed_date_formats: on(DefectKind::MixedDateFormat),
            blank_marks: on(DefectKind::BlankMark),
            non_numeric_marks: on(DefectKind::NonNumericMark),
            padded_keys: on(DefectKind::PaddedKey),
        }
    }

    fn rates(&self) -> [(&'static str, f64); 7] {
        [
            ("duplicate_rows", self.duplicate_rows),
            ("orphan_keys", self.orphan_keys),
            ("impossible_dates", self.impossible_dates),
            ("mixed_date_formats", self.mixed_date_formats),
            ("blank_marks", self.blank_marks),
            ("non_numeric_marks", self.non_numeric_marks),
            ("padded_keys", self.padded_keys),
        ]
    }
}

/// One kind of planted defect, as the answer key names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DefectKind {
    DuplicateRow,
    OrphanKey,
    ImpossibleDate,
    MixedDateFormat,
    BlankMark,
    NonNumericMark,
    PaddedKey,
}

impl DefectKind {
    pub const ALL: [DefectKind; 7] = [
        DefectKind::DuplicateRow,
        DefectKind::OrphanKey,
        DefectKind::ImpossibleDate,
        DefectKind::MixedDateFormat,
        DefectKind::BlankMark,
        DefectKind::NonNumericMark,
        DefectKind::PaddedKey,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DefectKind::DuplicateRow => "duplicate_row",
            DefectKind::OrphanKey => "orphan_key",
            DefectKind::ImpossibleDate => "impossible_date",
            DefectKind::MixedDateFormat => "mixed_date_format",
            DefectKind::BlankMark => "blank_mark",
            DefectKind::NonNumericMark => "non_numeric_mark",
            DefectKind::PaddedKey => "padded_key",
        }
    }

    /// The kind the answer key names `name`.
    pub fn from_name(name: &str) -> Option<DefectKind> {
        DefectKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// How the exports are made, beyond the university's own [`Config`].
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ExportOptions {
    /// Teaching weeks of the academic year; the mid-term week and the last two are exam weeks.
    pub teaching_weeks: u32,
    /// Lectures of every module each week, on different weekdays (1 to 5).
    pub lectures_per_week: u32,
    /// The planted Pearson correlation between an enrollment's attendance rate and its final
    /// score (−1 to 1): what the workbench's correlation recovers from clean exports.
    pub attendance_marks_r: f64,
    pub dirt: Dirt,
    /// The share of lectures that overflow their room (0 to 1), planted by sizing each module's
    /// room from its lectures' attendance; `None` sizes rooms for expected attendance, so only
    /// the lectures whose attendance runs high overflow.
    pub overcrowding_rate: Option<f64>,
}

impl Default for ExportOptions {
    fn default() -> ExportOptions {
        ExportOptions {
            teaching_weeks: 30,
            lectures_per_week: 2,
            attendance_marks_r: 0.6,
            dirt: Dirt::default(),
            overcrowding_rate: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{field} must be between {min} and {max}, got {value}")]
    OutOfRange {
        field: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
}

impl ExportOptions {
    pub fn validate(&self) -> Result<(), ExportError> {
        let limit = |field: &'static str, value: f64, min: f64, max: f64| {
            // Written so that NaN fails too.
            if value >= min && value <= max {
                Ok(())
            } else {
                Err(ExportError::OutOfRange {
                    field,
                    value,
                    min,
                    max,
                })
            }
        };
        limit("teaching_weeks", self.teaching_weeks.into(), 1.0, 52.0)?;
        limit("lectures_per_week", self.lectures_per_week.into(), 1.0, 5.0)?;
        limit("attendance_marks_r", self.attendance_marks_r, -1.0, 1.0)?;
        for (field, rate) in self.dirt.rates() {
            limit(field, rate, 0.0, 0.2)?;
        }
        if let Some(rate) = self.overcrowding_rate {
            limit("overcrowding_rate", rate, 0.0, 1.0)?;
        }
        Ok(())
    }
}

/// Where a row of an export comes from: a clean row, or a row inserted after one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// Clean row `row`; `dirt` is false for the row an inserted copy follows, so the copy
    /// repeats it exactly.
    Clean { row: u64, dirt: bool },
    /// The `extra`-th inserted row, after clean row `after`.
    Extra { after: u64, extra: u64 },
}

/// What is planted in one written row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Plant {
    /// Written with this orphan number's roll number instead of the student's.
    orphan: Option<u64>,
    duplicate: bool,
    padded: bool,
    impossible_date: bool,
    mixed_date: bool,
    blank_total: bool,
    absent_external: bool,
}

impl Plant {
    fn kinds(self) -> impl Iterator<Item = DefectKind> {
        [
            (self.duplicate, DefectKind::DuplicateRow),
            (self.orphan.is_some(), DefectKind::OrphanKey),
            (self.impossible_date, DefectKind::ImpossibleDate),
            (self.mixed_date, DefectKind::MixedDateFormat),
            (self.blank_total, DefectKind::BlankMark),
            (self.absent_external, DefectKind::NonNumericMark),
            (self.padded, DefectKind::PaddedKey),
        ]
        .into_iter()
        .filter_map(|(on, kind)| on.then_some(kind))
    }
}

/// A module's weekly timetable: the weekdays (0 = Monday) and start times of its lectures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timetable {
    n: usize,
    lectures: [(u8, u16); 5],
}

impl Timetable {
    pub fn lectures(&self) -> &[(u8, u16)] {
        debug_assert!(self.n <= self.lectures.len(), "{} lectures a week", self.n);
        self.lectures.get(..self.n).unwrap_or_default()
    }
}

/// The four exports of one generated university.
#[derive(Clone, Debug)]
pub struct Exports {
    ums: Ums,
    layout: Layout,
    options: ExportOptions,
    tables: Vec<Table>,
    /// Clean rows per export.
    clean: [u64; 4],
    /// An inserted row follows every `period` clean rows (0: none).
    periods: [u64; 4],
    /// Enrollments by student index: the student's row index of every 64th final-level student.
    final_checkpoints: Vec<u64>,
    /// Centre and scale that standardise final scores (in hundredths), estimated from the data.
    mark_centre: f64,
    mark_scale: f64,
    teaching_start: Date,
    /// The facts of the enrollment whose attendance was written last: its rows come together,
    /// so they are computed once per enrollment instead of once per lecture. Only a cache: the
    /// rows are the same whatever order they are asked for in.
    last_enrollment: Cell<Option<EnrollmentFacts>>,
}

/// What every attendance row of one enrollment shares.
#[derive(Clone, Copy, Debug)]
struct EnrollmentFacts {
    e: u64,
    student: u64,
    module: u64,
    birthdate: Date,
    plan: (u64, u64, u64),
    timetable: Timetable,
}

/// Final-level students between two checkpoints.
const CHECKPOINT_EVERY: u64 = 64;

/// Records the three scores of a `student_marks` row.
#[derive(Default)]
struct Marks {
    units: [i64; 3],
    n: usize,
}

impl RowSink for Marks {
    fn int(&mut self, _: i64) {}
    fn text(&mut self, _: &str) {}
    fn decimal(&mut self, units: i64, _: u8) {
        if let Some(slot) = self.units.get_mut(self.n) {
            *slot = units;
        }
        self.n += 1;
    }
    fn float(&mut self, _: f64) {}
    fn bool(&mut self, _: bool) {}
    fn date(&mut self, _: Date) {}
    fn time(&mut self, _: Time) {}
    fn null(&mut self) {}
    fn end_row(&mut self) {}
}

fn text(column: &'static str, len: u16) -> Column {
    Column::new(column, ColumnType::VarChar(len))
}

fn export_tables() -> Vec<Table> {
    let key = || {
        vec![
            text("college_code", 20),
            text("roll_no", 20),
            text("dob", 10),
        ]
    };
    let with = |mut columns: Vec<Column>, more: Vec<Column>| {
        columns.extend(more);
        columns
    };
    vec![
        Table::new(
            "students_master",
            vec![
                text("roll_no", 20),
                text("dob", 10),
                text("gender", 1),
                text("category", 10),
                text("college_code", 20),
                text("program_code", 10),
                Column::new("admission_year", ColumnType::Int),
                text("domicile_state", 30),
                text("quota", 20),
                text("disability_flag", 1),
            ],
        ),
        Table::new(
            "attendance_2024_odd",
            with(
                key(),
                vec![text("course_code", 10), text("date", 10), text("status", 1)],
            ),
        ),
        Table::new(
            "exam_results_2024_odd",
            with(
                key(),
                vec![
                    text("course_code", 10),
                    text("internal", 6),
                    text("external", 6),
                    text("total", 6),
                ],
            ),
        ),
        Table::new(
            "placements_2024",
            with(
                key(),
                vec![
                    text("company", 40),
                    text("package_lpa", 6),
                    text("placed", 3),
                ],
            ),
        ),
    ]
}

/// Hundredths as `12.34`.
struct Cents(i64);

impl std::fmt::Display for Cents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// The greatest common divisor, for steps that visit every session once.
fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Exports {
    pub fn new(config: Config, options: ExportOptions) -> Result<Exports, ExportError> {
        options.validate()?;
        let ums = Ums::new(config)?;
        let layout = Layout::new(&ums.config);
        let students = ums.count(TableId::Students);
        let enrollments = ums.count(TableId::StudentEnrollment);
        let sessions = u64::from(options.teaching_weeks) * u64::from(options.lectures_per_week);
        let final_level = layout.levels.saturating_sub(1);
        let mut final_checkpoints = Vec::new();
        let mut n_final = 0u64;
        for student in 0..students {
            if layout.placement(student).2 == final_level {
                if n_final.is_multiple_of(CHECKPOINT_EVERY) {
                    final_checkpoints.push(student);
                }
                n_final += 1;
            }
        }
        let clean = [students, enrollments * sessions, enrollments, n_final];
        let dirt = &options.dirt;
        let period = |rate: f64| {
            if rate > 0.0 {
                ((1.0 / rate).round() as u64).max(2)
            } else {
                0
            }
        };
        let inserted = dirt.duplicate_rows + dirt.orphan_keys;
        let periods = [
            period(dirt.duplicate_rows),
            period(inserted),
            period(inserted),
            period(inserted),
        ];
        // Standardise final scores by their mean and spread over (up to) 65,536 enrollments
        // spread evenly over all: the correlation is planted on the standardised score.
        let n_sample = enrollments.min(65_536);
        let (mut sum, mut sum_sq) = (0.0f64, 0.0f64);
        for k in 0..n_sample {
            let e = k * enrollments / n_sample.max(1);
            let f = final_units(&ums, e) as f64;
            sum += f;
            sum_sq += f * f;
        }
        let n = n_sample.max(1) as f64;
        let mark_centre = sum / n;
        let variance = (sum_sq / n - mark_centre * mark_centre).max(1.0);
        let year_start = layout.year_start();
        // Teaching starts on the first Monday after registration closes (day 76 of the year).
        let after_registration = year_start.add_days(76);
        let teaching_start =
            after_registration.add_days(i64::from((7 - after_registration.weekday()) % 7));
        Ok(Exports {
            ums,
            layout,
            options,
            tables: export_tables(),
            clean,
            periods,
            final_checkpoints,
            mark_centre,
            mark_scale: variance.sqrt(),
            teaching_start,
            last_enrollment: Cell::new(None),
        })
    }

    pub fn ums(&self) -> &Ums {
        &self.ums
    }

    pub fn options(&self) -> &ExportOptions {
        &self.options
    }

    pub fn count(&self, export: ExportId) -> u64 {
        self.n_rows(export.index())
    }

    /// Lectures of every module over the year: attendance rows per enrollment.
    pub fn sessions_per_module(&self) -> u64 {
        u64::from(self.options.teaching_weeks) * u64::from(self.options.lectures_per_week)
    }

    pub fn teaching_start(&self) -> Date {
        self.teaching_start
    }

    /// The course code of a module in the exports: `M` and its `module_id`, four digits.
    pub fn course_code(module_idx: u64) -> String {
        format!("M{:04}", module_idx + 1)
    }

    /// The roll number of a student: `students.student_number`.
    pub fn roll_no(&self, student_idx: u64) -> String {
        format!("{}{:07}", self.layout.year, student_idx + 1)
    }

    /// The student and module of enrollment `e` (also `student_marks` row `e`).
    pub fn enrollment(&self, e: u64) -> (u64, u64) {
        let (student, _, _, module_idx) = self.layout.enrollment(e);
        (student, module_idx)
    }

    /// A module's weekly lectures: distinct weekdays, each with a start time.
    pub fn timetable(&self, module_idx: u64) -> Timetable {
        let mut rng = Rng::for_row(self.layout.seed, STREAM_TIMETABLE, module_idx);
        let n = (self.options.lectures_per_week as usize).clamp(1, 5);
        let first = rng.below(5);
        let mut lectures = [(0u8, 0u16); 5];
        // Steps of two days modulo five visit every weekday once, so the days are distinct.
        let mut days = [0u8; 5];
        for (l, day) in days.iter_mut().enumerate().take(n) {
            *day = ((first + 2 * l as u64) % 5) as u8;
        }
        let days = days.get_mut(..n).unwrap_or_default();
        days.sort_unstable();
        for (slot, &day) in lectures.iter_mut().zip(days.iter()) {
            *slot = (day, rng.pick(&SLOTS));
        }
        Timetable { n, lectures }
    }

    /// Lecture `session` of a module: its teaching week, date and start time.
    pub fn lecture(&self, timetable: &Timetable, session: u64) -> (u32, Date, u16) {
        let per_week = timetable.n.max(1) as u64;
        let week = session / per_week;
        let (day, time) = timetable
            .lectures()
            .get((session % per_week) as usize)
            .copied()
            .unwrap_or((0, SLOTS[0]));
        let date = self
            .teaching_start
            .add_days(7 * week as i64 + i64::from(day));
        (week as u32, date, time)
    }

    /// Whether a teaching week is an exam week: the mid-term week and the last two.
    pub fn exam_week(&self, week: u32) -> bool {
        let weeks = self.options.teaching_weeks;
        week == weeks / 2 || week + 2 >= weeks
    }

    /// Lectures enrollment `e` attended, and the permutation that says which: lecture `s` is
    /// attended when `(s × step + offset) mod sessions < attended`.
    ///
    /// The rate is `MEAN + SPREAD × (r·z + √(1 − r²)·n)`, with `z` the standardised final score
    /// and `n` an independent standard normal, so its correlation with the final score is `r`
    /// (less a little where the rate is clamped to [0, 1]).
    pub fn attendance_plan(&self, e: u64) -> (u64, u64, u64) {
        let sessions = self.sessions_per_module();
        let mut rng = Rng::for_row(self.layout.seed, STREAM_ATTENDANCE, e);
        let r = self.options.attendance_marks_r;
        let z = (final_units(&self.ums, e) as f64 - self.mark_centre) / self.mark_scale;
        let noise = rng.normal4();
        let rate =
            MEAN_ATTENDANCE + ATTENDANCE_SPREAD * (r * z + (1.0 - r * r).max(0.0).sqrt() * noise);
        let attended = (rate.clamp(0.0, 1.0) * sessions as f64).round() as u64;
        let mut step = 1 + rng.below(sessions.max(1));
        while gcd(step, sessions) != 1 && sessions > 1 {
            step += 1;
        }
        let offset = rng.below(sessions.max(1));
        (attended.min(sessions), step, offset)
    }

    /// Whether enrollment `e` attended lecture `s`, from its [`Exports::attendance_plan`].
    pub fn attended(plan: (u64, u64, u64), sessions: u64, s: u64) -> bool {
        let (attended, step, offset) = plan;
        (s.wrapping_mul(step).wrapping_add(offset)) % sessions.max(1) < attended
    }

    /// Which rows of `export` are clean and which inserted.
    fn slot(&self, export: ExportId, row: u64) -> Slot {
        let period = self.periods[export.index()];
        if period == 0 {
            return Slot::Clean { row, dirt: true };
        }
        let (block, pos) = (row / (period + 1), row % (period + 1));
        if pos < period {
            Slot::Clean {
                row: block * period + pos,
                dirt: pos + 1 < period,
            }
        } else {
            Slot::Extra {
                after: block * period + period - 1,
                extra: block,
            }
        }
    }

    /// What is planted in row `row` of `export`.
    fn plant(&self, export: ExportId, row: u64) -> (u64, Plant) {
        let dirt = &self.options.dirt;
        let seed = self.layout.seed;
        match self.slot(export, row) {
            Slot::Extra { after, extra } => {
                let mut rng = Rng::for_row(seed, STREAM_EXTRA + export.index() as u64, extra);
                let total = dirt.duplicate_rows + dirt.orphan_keys;
                let duplicate = export == ExportId::Students
                    || rng.unit() * total < dirt.duplicate_rows
                    || dirt.orphan_keys <= 0.0;
                let plant = Plant {
                    duplicate,
                    orphan: (!duplicate).then_some(extra),
                    ..Plant::default()
                };
                (after, plant)
            }
            Slot::Clean { row, dirt: false } => (row, Plant::default()),
            Slot::Clean { row, dirt: true } => {
                let mut rng = Rng::for_row(seed, STREAM_DIRT + export.index() as u64, row);
                let mut plant = Plant::default();
                if export == ExportId::Students {
                    return (row, plant);
                }
                plant.padded = rng.chance(dirt.padded_keys);
                if export == ExportId::Attendance {
                    plant.impossible_date = rng.chance(dirt.impossible_dates);
                    plant.mixed_date =
                        !plant.impossible_date && rng.chance(dirt.mixed_date_formats);
                }
                if export == ExportId::Exams {
                    plant.blank_total = rng.chance(dirt.blank_marks);
                    plant.absent_external = rng.chance(dirt.non_numeric_marks);
                }
                (row, plant)
            }
        }
    }

    /// The defects planted in row `row` of `export` (row 0 is the file's line 2).
    pub fn defects(&self, export: ExportId, row: u64) -> impl Iterator<Item = DefectKind> {
        self.plant(export, row).1.kinds()
    }

    /// The `idx`-th final-level student.
    /// Appends the answer key's lines for row `row` of `export` (`file,line,kind`, line 1 being
    /// the header) to `out`; returns how many.
    pub fn answer_key_lines(&self, export: ExportId, row: u64, out: &mut Vec<u8>) -> u64 {
        let mut n = 0;
        for kind in self.defects(export, row) {
            let line = format!("{},{},{}\n", export.file_name(), row + 2, kind.name());
            out.extend_from_slice(line.as_bytes());
            n += 1;
        }
        n
    }

    fn final_student(&self, idx: u64) -> u64 {
        let final_level = self.layout.levels.saturating_sub(1);
        let checkpoint = (idx / CHECKPOINT_EVERY) as usize;
        let student = self.final_checkpoints.get(checkpoint).copied();
        debug_assert!(
            student.is_some(),
            "final-level student {idx} past the last one"
        );
        let mut student = student.unwrap_or(0);
        let mut to_skip = idx % CHECKPOINT_EVERY;
        while student < self.layout.students {
            if self.layout.placement(student).2 == final_level {
                if to_skip == 0 {
                    return student;
                }
                to_skip -= 1;
            }
            student += 1;
        }
        student.saturating_sub(1)
    }

    /// college_code, roll_no and dob of a student, as planted.
    fn key(&self, sink: &mut dyn RowSink, s: &mut Scratch, student: u64, plant: &Plant) {
        let birthdate = self.layout.student(student).birthdate;
        self.key_with(sink, s, student, birthdate, plant);
    }

    fn key_with(
        &self,
        sink: &mut dyn RowSink,
        s: &mut Scratch,
        student: u64,
        birthdate: Date,
        plant: &Plant,
    ) {
        sink.text(COLLEGE_CODE);
        let year = self.layout.year;
        let roll = match plant.orphan {
            // Next year's intake: a roll number of the right shape that nobody holds yet.
            Some(q) => s.format(format_args!("{}{:07}", year + 1, q + 1)),
            None if plant.padded => s.format(format_args!(" {year}{:07}", student + 1)),
            None => s.format(format_args!("{year}{:07}", student + 1)),
        };
        sink.text(roll);
        sink.date(birthdate);
    }

    fn write_student(&self, i: u64, sink: &mut dyn RowSink, s: &mut Scratch) {
        let l = &self.layout;
        let student = l.student(i);
        let mut rng = Rng::for_row(l.seed, STREAM_STUDENT_EXTRA, i);
        sink.text(s.format(format_args!("{}{:07}", l.year, i + 1)));
        sink.date(student.birthdate);
        sink.text(match student.person.gender {
            "Female" => "F",
            "Male" => "M",
            _ => "X",
        });
        sink.text(rng.pick(&["GEN", "GEN", "OBC", "OBC", "SC", "ST", "EWS"]));
        sink.text(COLLEGE_CODE);
        sink.text(s.format(format_args!("C{:03}", student.course + 1)));
        sink.int(i64::from(l.year) - student.level as i64);
        sink.text(
            PROVINCES
                .get(rng.weighted(&PROVINCE_WEIGHTS))
                .copied()
                .unwrap_or("Gauteng"),
        );
        sink.text(rng.pick(&["Merit", "Merit", "Merit", "Bursary", "Sponsored"]));
        sink.text(if rng.chance(0.03) { "Y" } else { "N" });
    }

    fn enrollment_facts(&self, e: u64) -> EnrollmentFacts {
        if let Some(facts) = self.last_enrollment.get()
            && facts.e == e
        {
            return facts;
        }
        let (student, module) = self.enrollment(e);
        let facts = EnrollmentFacts {
            e,
            student,
            module,
            birthdate: self.layout.student(student).birthdate,
            plan: self.attendance_plan(e),
            timetable: self.timetable(module),
        };
        self.last_enrollment.set(Some(facts));
        facts
    }

    fn write_attendance(&self, c: u64, plant: &Plant, sink: &mut dyn RowSink, s: &mut Scratch) {
        let sessions = self.sessions_per_module().max(1);
        let (e, session) = (c / sessions, c % sessions);
        let facts = self.enrollment_facts(e);
        self.key_with(sink, s, facts.student, facts.birthdate, plant);
        sink.text(s.format(format_args!("M{:04}", facts.module + 1)));
        let (_, date, _) = self.lecture(&facts.timetable, session);
        if plant.impossible_date {
            let last = campus_schema::date::days_in_month(date.year, date.month);
            sink.text(s.format(format_args!("{}-{:02}-{}", date.year, date.month, last + 1)));
        } else if plant.mixed_date {
            sink.text(s.format(format_args!(
                "{:02}/{:02}/{}",
                date.day, date.month, date.year
            )));
        } else {
            sink.date(date);
        }
        let present = Exports::attended(facts.plan, sessions, session);
        sink.text(if present { "P" } else { "A" });
    }

    fn write_exam(&self, e: u64, plant: &Plant, sink: &mut dyn RowSink, s: &mut Scratch) {
        let (student, module) = self.enrollment(e);
        let [test, _, total] = marks(&self.ums, e);
        let internal = (3 * test + 5) / 10;
        self.key(sink, s, student, plant);
        sink.text(s.format(format_args!("M{:04}", module + 1)));
        sink.text(s.format(format_args!("{}", Cents(internal))));
        if plant.absent_external {
            sink.text("AB");
        } else {
            sink.text(s.format(format_args!("{}", Cents(total - internal))));
        }
        if plant.blank_total {
            sink.null();
        } else {
            sink.text(s.format(format_args!("{}", Cents(total))));
        }
    }

    fn write_placement(&self, p: u64, plant: &Plant, sink: &mut dyn RowSink, s: &mut Scratch) {
        let student = self.final_student(p);
        let mut rng = Rng::for_row(self.layout.seed, STREAM_PLACEMENT, student);
        self.key(sink, s, student, plant);
        // Abler students are likelier to be placed.
        let chance = (0.55 + 0.2 * self.layout.ability(student)).clamp(0.05, 0.95);
        if rng.chance(chance) {
            sink.text(rng.pick(&COMPANIES));
            let tenths = rng.range(35, 180);
            sink.text(s.format(format_args!("{}.{}", tenths / 10, tenths % 10)));
            sink.text("yes");
        } else {
            sink.null();
            sink.null();
            sink.text("no");
        }
    }
}

const PROVINCES: [&str; 9] = [
    "Gauteng",
    "Western Cape",
    "KwaZulu-Natal",
    "Eastern Cape",
    "Limpopo",
    "Mpumalanga",
    "North West",
    "Free State",
    "Northern Cape",
];
const PROVINCE_WEIGHTS: [u32; 9] = [26, 20, 18, 10, 8, 6, 5, 5, 2];

const COMPANIES: [&str; 8] = [
    "Standard Bank",
    "Discovery",
    "Sasol",
    "Deloitte",
    "Vodacom",
    "Capitec",
    "Anglo American",
    "Takealot.com, Ltd.",
];

/// The (test, exam, final) scores of `student_marks` row `e`, in hundredths.
fn marks(ums: &Ums, e: u64) -> [i64; 3] {
    let mut marks = Marks::default();
    ums.write(TableId::StudentMarks, e, &mut marks);
    marks.units
}

fn final_units(ums: &Ums, e: u64) -> i64 {
    marks(ums, e)[2]
}

impl Dataset for Exports {
    fn tables(&self) -> &[Table] {
        &self.tables
    }

    fn n_rows(&self, table_idx: usize) -> u64 {
        let (Some(&clean), Some(&period)) =
            (self.clean.get(table_idx), self.periods.get(table_idx))
        else {
            return 0;
        };
        // A period of 0 means no inserted rows (no dirt of that kind).
        clean + clean.checked_div(period).unwrap_or(0)
    }

    fn write_row(&self, table_idx: usize, row_idx: u64, sink: &mut dyn RowSink) {
        let Some(export) = ExportId::from_index(table_idx) else {
            return;
        };
        let (clean, plant) = self.plant(export, row_idx);
        let mut scratch = Scratch::new();
        let s = &mut scratch;
        match export {
            ExportId::Students => self.write_student(clean, sink, s),
            ExportId::Attendance => self.write_attendance(clean, &plant, sink, s),
            ExportId::Exams => self.write_exam(clean, &plant, sink, s),
            ExportId::Placements => self.write_placement(clean, &plant, sink, s),
        }
        sink.end_row();
    }

    fn provenance(&self) -> Vec<String> {
        let mut lines = self.ums.provenance();
        let o = &self.options;
        lines.push(format!(
            "teaching_weeks={} lectures_per_week={} attendance_marks_r={} dirt={:?}",
            o.teaching_weeks, o.lectures_per_week, o.attendance_marks_r, o.dirt
        ));
        lines
    }
}

/// The names of the departments, as schools of the occupancy layout.
pub fn school(department: u64) -> &'static str {
    names::DEPARTMENTS
        .get(department as usize)
        .map_or("General", |d| d.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exports(students: u64, options: ExportOptions) -> Exports {
        let config = Config {
            seed: 9,
            ..Config::scaled(students)
        };
        Exports::new(config, options).unwrap_or_else(|err| panic!("{err}"))
    }

    #[test]
    fn options_out_of_range_are_refused() {
        let bad = [
            ExportOptions {
                attendance_marks_r: 1.5,
                ..ExportOptions::default()
            },
            ExportOptions {
                attendance_marks_r: f64::NAN,
                ..ExportOptions::default()
            },
            ExportOptions {
                lectures_per_week: 0,
                ..ExportOptions::default()
            },
            ExportOptions {
                teaching_weeks: 53,
                ..ExportOptions::default()
            },
            ExportOptions {
                dirt: Dirt::uniform(0.3),
                ..ExportOptions::default()
            },
        ];
        for options in bad {
            assert!(matches!(
                Exports::new(Config::scaled(10), options),
                Err(ExportError::OutOfRange { .. })
            ));
        }
        assert!(ExportOptions::default().validate().is_ok());
    }

    #[test]
    fn every_clean_row_appears_once_in_order_with_inserted_rows_between() {
        for rate in [0.0, 0.01, 0.1, 0.2] {
            let exports = exports(
                120,
                ExportOptions {
                    dirt: Dirt::uniform(rate),
                    ..ExportOptions::default()
                },
            );
            for export in ExportId::ALL {
                let mut next_clean = 0;
                let mut previous = None;
                for row in 0..exports.count(export) {
                    match exports.slot(export, row) {
                        Slot::Clean { row: clean, .. } => {
                            assert_eq!(clean, next_clean);
                            next_clean += 1;
                            previous = Some(clean);
                        }
                        Slot::Extra { after, .. } => assert_eq!(Some(after), previous),
                    }
                }
                assert_eq!(next_clean, exports.clean[export.index()], "{export:?}");
            }
        }
    }

    #[test]
    fn clean_exports_have_no_defects() {
        let exports = exports(50, ExportOptions::default());
        for export in ExportId::ALL {
            assert_eq!(exports.count(export), exports.clean[export.index()]);
            assert!(
                (0..exports.count(export)).all(|row| exports.defects(export, row).count() == 0)
            );
        }
    }

    #[test]
    fn timetables_meet_on_distinct_weekdays_and_lectures_run_forward() {
        for lectures_per_week in 1..=5 {
            let exports = exports(
                20,
                ExportOptions {
                    lectures_per_week,
                    ..ExportOptions::default()
                },
            );
            for module in 0..exports.ums().count(TableId::Modules) {
                let timetable = exports.timetable(module);
                let days: Vec<u8> = timetable.lectures().iter().map(|l| l.0).collect();
                assert_eq!(days.len(), lectures_per_week as usize);
                assert!(days.windows(2).all(|w| w[0] < w[1]), "{days:?}");
                assert!(days.iter().all(|&d| d < 5), "weekdays only");
                let dates: Vec<Date> = (0..exports.sessions_per_module())
                    .map(|s| exports.lecture(&timetable, s).1)
                    .collect();
                assert!(dates.windows(2).all(|w| w[0] < w[1]));
                assert!(dates.first() >= Some(&exports.teaching_start()));
            }
        }
        assert_eq!(
            exports(5, ExportOptions::default())
                .teaching_start()
                .weekday(),
            0
        );
    }

    #[test]
    fn an_enrollment_attends_exactly_its_planned_number_of_lectures() {
        let exports = exports(100, ExportOptions::default());
        let sessions = exports.sessions_per_module();
        for e in 0..exports.ums().count(TableId::StudentEnrollment) {
            let plan = exports.attendance_plan(e);
            let attended = (0..sessions)
                .filter(|&s| Exports::attended(plan, sessions, s))
                .count() as u64;
            assert_eq!(attended, plan.0);
            assert!(plan.0 <= sessions);
        }
    }
}
