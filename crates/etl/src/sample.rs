//! A seeded, realistic AKTU-style sample of the four exports, optionally with planted dirt.
//!
//! The shared SplitMix64 stream ([`campus_schema::rng`]) and integer arithmetic only, so a seed
//! gives the same bytes natively and in wasm. Marks rise with a student's attendance propensity plus noise, so the correlation is real
//! but imperfect, as in the notebook's data.

use campus_schema::Date;
use campus_schema::rng::Rng;

use crate::FileKind;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SampleOptions {
    pub seed: u64,
    pub n_colleges: u32,
    /// Students per (college, programme).
    pub students_per_program: u32,
    /// Class sessions per course; attendance rows = students × 5 courses × sessions.
    pub sessions_per_course: u32,
    /// Plant typical dirt: duplicates, orphans, blank totals, a bad status, a BOM, CRLF.
    pub dirty: bool,
}

impl Default for SampleOptions {
    fn default() -> SampleOptions {
        SampleOptions {
            seed: 42,
            n_colleges: 3,
            students_per_program: 25,
            sessions_per_course: 30,
            dirty: false,
        }
    }
}

impl SampleOptions {
    /// The benchmarks' clean set: 5 colleges × 4 programmes × 100 students × 5 courses × 100
    /// sessions = 1,000,000 attendance rows (seed 1).
    pub fn million_attendance_rows() -> SampleOptions {
        SampleOptions {
            seed: 1,
            n_colleges: 5,
            students_per_program: 100,
            sessions_per_course: 100,
            dirty: false,
        }
    }
}

/// The four files, as bytes, with their conventional names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleFiles {
    pub students: Vec<u8>,
    pub attendance: Vec<u8>,
    pub exams: Vec<u8>,
    pub placements: Vec<u8>,
}

impl SampleFiles {
    pub const NAMES: [&'static str; 4] = [
        "students_master.csv",
        "attendance_2024_odd.csv",
        "exam_results_2024_odd.csv",
        "placements_2024.csv",
    ];

    /// (file name, bytes) in the order they must be loaded.
    pub fn files(&self) -> [(&'static str, &[u8]); 4] {
        let [s, a, e, p] = SampleFiles::NAMES;
        [
            (s, &self.students),
            (a, &self.attendance),
            (e, &self.exams),
            (p, &self.placements),
        ]
    }
}

/// The first day of the sample semester; attendance runs on Monday to Saturday from here.
pub fn semester_start() -> Date {
    Date {
        year: 2024,
        month: 8,
        day: 1,
    }
}

/// The first and last class day of a sample, for [`crate::EtlOptions::semester`].
pub fn semester(options: &SampleOptions) -> (Date, Date) {
    let days = class_days(options.sessions_per_course);
    let last = days.last().copied().unwrap_or_else(semester_start);
    (semester_start(), last)
}

/// Monday to Saturday from the semester start, one session per course each day.
fn class_days(n_sessions: u32) -> Vec<Date> {
    let mut days = Vec::new();
    let mut day = semester_start();
    while days.len() < n_sessions as usize {
        // 1970-01-01 was a Thursday, so day 3 of the week (from Thursday = 0) is Sunday.
        if day.to_days().rem_euclid(7) != 3 {
            days.push(day);
        }
        day = day.add_days(1);
    }
    days
}

/// Writes CSV rows with the chosen line end, quoting only what needs it.
struct Out {
    buf: Vec<u8>,
    crlf: bool,
}

impl Out {
    fn new(bom: bool, crlf: bool) -> Out {
        let mut buf = Vec::new();
        if bom {
            buf.extend_from_slice(b"\xef\xbb\xbf");
        }
        Out { buf, crlf }
    }

    fn row(&mut self, fields: &[&str]) {
        for (idx, field) in fields.iter().enumerate() {
            if idx > 0 {
                self.buf.push(b',');
            }
            if field
                .bytes()
                .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
            {
                self.buf.push(b'"');
                self.buf
                    .extend_from_slice(field.replace('"', "\"\"").as_bytes());
                self.buf.push(b'"');
            } else {
                self.buf.extend_from_slice(field.as_bytes());
            }
        }
        self.buf
            .extend_from_slice(if self.crlf { b"\r\n" } else { b"\n" });
    }
}

const PROGRAMS: [&str; 4] = ["CSE", "ECE", "ME", "CE"];
const COURSES: [[&str; 5]; 4] = [
    ["BCS301", "BCS302", "BCS303", "BAS303", "BVE301"],
    ["BEC301", "BEC302", "BEC303", "BAS303", "BVE301"],
    ["BME301", "BME302", "BME303", "BAS303", "BVE301"],
    ["BCE301", "BCE302", "BCE303", "BAS303", "BVE301"],
];
const COMPANIES: [&str; 6] = [
    "TCS",
    "Infosys",
    "Wipro",
    "HCLTech",
    "Larsen & Toubro, Ltd.",
    "Tech Mahindra",
];

struct Student {
    college: String,
    program: usize,
    roll_no: String,
    dob: String,
    /// Chance of attending a session, per mille.
    propensity: u64,
}

/// Generates the four files.
pub fn generate(options: &SampleOptions) -> SampleFiles {
    let mut rng = Rng::new(options.seed ^ 0x5EED_CAFE_F00D_0001);
    let dirty = options.dirty;
    let admission_year = 2023;

    let mut students_out = Out::new(dirty, dirty);
    students_out.row(&[
        "roll_no",
        "dob",
        "gender",
        "category",
        "college_code",
        "program_code",
        "admission_year",
        "domicile_state",
        "quota",
        "disability_flag",
    ]);
    let mut students = Vec::new();
    let mut repeated = Vec::new();
    for college_idx in 0..options.n_colleges {
        let college = format!("AKTU{:03}", college_idx + 1);
        for (program, code) in PROGRAMS.iter().enumerate() {
            for seq in 0..options.students_per_program {
                let roll_no = format!("{college}-{code}-{admission_year}-{}", 1001 + seq);
                let birth = Date {
                    year: admission_year - 19,
                    month: 1,
                    day: 1,
                }
                .add_days(rng.range(0, 2 * 365));
                let dob = birth.to_string();
                let propensity = rng.range(450, 990) as u64;
                let year = admission_year.to_string();
                let fields = [
                    roll_no.as_str(),
                    &dob,
                    rng.pick(&["M", "F", "M", "F", "M"]),
                    rng.pick(&["GEN", "OBC", "OBC", "SC", "ST", "EWS"]),
                    &college,
                    code,
                    &year,
                    rng.pick(&[
                        "Uttar Pradesh",
                        "Uttar Pradesh",
                        "Uttar Pradesh",
                        "Bihar",
                        "Uttarakhand",
                    ]),
                    rng.pick(&["State", "State", "State", "Management", "TFW"]),
                    if rng.per_mille(30) { "Y" } else { "N" },
                ];
                students_out.row(&fields);
                if dirty && matches!(students.len(), 0 | 7) {
                    repeated.push(
                        fields
                            .iter()
                            .map(|f| (*f).to_owned())
                            .collect::<Vec<String>>(),
                    );
                }
                students.push(Student {
                    college: college.clone(),
                    program,
                    roll_no,
                    dob,
                    propensity,
                });
            }
        }
    }
    // The classic export bug: the same student twice.
    for fields in &repeated {
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        students_out.row(&fields);
    }

    // Attendance: one row per student, course and session, session days Monday to Saturday.
    let mut attendance_out = Out::new(false, dirty);
    // The attendance and exam files have exactly the columns the import requires.
    attendance_out.row(FileKind::Attendance.required_columns());
    let days: Vec<String> = class_days(options.sessions_per_course)
        .iter()
        .map(Date::to_string)
        .collect();
    let mut presents = vec![[0u64; 5]; students.len()];
    for (day_idx, date) in days.iter().enumerate() {
        for (student_idx, student) in students.iter().enumerate() {
            let courses = COURSES.get(student.program).copied().unwrap_or_default();
            for (course_idx, course) in courses.iter().enumerate() {
                let present = rng.per_mille(student.propensity);
                let mut status = if present { "P" } else { "A" };
                // A leave code the exporter should not have let through; one always, more at random.
                if dirty
                    && (rng.below(20_000) == 0 || (day_idx, student_idx, course_idx) == (2, 2, 0))
                {
                    status = "L";
                }
                if let Some(slot) = presents
                    .get_mut(student_idx)
                    .and_then(|p| p.get_mut(course_idx))
                {
                    *slot += u64::from(status == "P");
                }
                let row = [
                    student.college.as_str(),
                    &student.roll_no,
                    &student.dob,
                    course,
                    date,
                    status,
                ];
                attendance_out.row(&row);
                if dirty && rng.below(1000) == 0 {
                    attendance_out.row(&row);
                }
            }
            if dirty && day_idx == 3 && student_idx % 97 == 5 {
                // A student who is not in the master file.
                let orphan = format!(
                    "{}-{}-{admission_year}-9{:03}",
                    student.college,
                    PROGRAMS.get(student.program).copied().unwrap_or(""),
                    student_idx % 1000
                );
                attendance_out.row(&[
                    &student.college,
                    &orphan,
                    "2004-05-06",
                    courses.first().copied().unwrap_or(""),
                    date,
                    "P",
                ]);
            }
        }
    }
    if dirty {
        attendance_out.buf.extend_from_slice(b"\r\n\r\n");
    }

    // Exams: marks follow attendance, plus noise.
    let mut exams_out = Out::new(false, dirty);
    exams_out.row(FileKind::Exams.required_columns());
    let n_sessions = i64::from(options.sessions_per_course.max(1));
    for (student_idx, student) in students.iter().enumerate() {
        let courses = COURSES.get(student.program).copied().unwrap_or_default();
        for (course_idx, course) in courses.iter().enumerate() {
            let attended = presents
                .get(student_idx)
                .and_then(|p| p.get(course_idx))
                .copied()
                .unwrap_or(0) as i64;
            let target = (15 + attended * 75 / n_sessions + rng.range(-15, 15)).clamp(0, 100);
            let internal = (target * 30 / 100 + rng.range(-3, 3)).clamp(0, 30);
            let external = (target - internal).clamp(0, 70);
            let mut total = (internal + external).to_string();
            if dirty && (rng.below(100) == 0 || (student_idx, course_idx) == (1, 2)) {
                total.clear();
            }
            let internal_text = internal.to_string();
            let mut exam_row = |external: &str, total: &str| {
                let (college, roll_no, dob) = (&student.college, &student.roll_no, &student.dob);
                exams_out.row(&[
                    college,
                    roll_no,
                    dob,
                    course,
                    &internal_text,
                    external,
                    total,
                ]);
            };
            exam_row(&external.to_string(), &total);
            if dirty && (student_idx, course_idx) == (4, 1) {
                // A re-evaluated paper exported as a second row for the same key.
                let external = (external + 7).min(70);
                exam_row(&external.to_string(), &(internal + external).to_string());
            }
        }
    }
    if dirty {
        exams_out.row(&[
            "AKTU001",
            "AKTU001-CSE-2023-9999",
            "2004-01-01",
            "BCS301",
            "20",
            "50",
            "70",
        ]);
        if let Some(s) = students.get(3) {
            exams_out.row(&[&s.college, &s.roll_no, &s.dob, "BCS399", "25", "60", "95"]);
        }
    }

    // Placements: one row per student; better attendance, better odds.
    let mut placements_out = Out::new(false, dirty);
    placements_out.row(&[
        "college_code",
        "roll_no",
        "dob",
        "company",
        "package_lpa",
        "placed",
    ]);
    for student in &students {
        let placed = rng.per_mille(student.propensity.saturating_sub(300));
        if placed {
            let company = rng.pick(&COMPANIES);
            let package = format!("{}.{}", rng.range(3, 12), rng.range(0, 9));
            placements_out.row(&[
                &student.college,
                &student.roll_no,
                &student.dob,
                company,
                &package,
                "yes",
            ]);
        } else {
            placements_out.row(&[
                &student.college,
                &student.roll_no,
                &student.dob,
                "",
                "",
                "no",
            ]);
        }
    }
    if dirty {
        placements_out.row(&[
            "AKTU002",
            "AKTU002-ME-2023-9042",
            "2004-02-02",
            "TCS",
            "3.6",
            "yes",
        ]);
    }

    SampleFiles {
        students: students_out.buf,
        attendance: attendance_out.buf,
        exams: exams_out.buf,
        placements: placements_out.buf,
    }
}
