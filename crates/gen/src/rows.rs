//! One function per table: row `i` of table `t` as a pure function of the layout and `i`.
//!
//! Cross-table facts are derived, never remembered: an enrollment recomputes its student's course
//! and level from the student's row number, so any row range can be produced on its own.

use std::cell::Cell;

use campus_schema::{Date, RowSink, Time};

use crate::names::{self, Culture};
use crate::rng::Rng;
use crate::{Config, TableId};

/// Random streams besides the tables' own, so that a student's ability does not shift when a
/// column is added to the students table.
const STREAM_ABILITY: u64 = 1_000;
const STREAM_MODULE_DIFFICULTY: u64 = 1_001;

/// Everything about the dataset's shape that rows need, computed once from the config.
#[derive(Clone, Debug)]
pub struct Layout {
    pub seed: u64,
    pub year: i32,
    pub levels: u64,
    pub qualifications: u64,
    pub departments: u64,
    pub courses_per_department: u64,
    pub modules_per_course_level: u64,
    pub students: u64,
    pub enrollments_per_student: u64,
    pub residential: u64,
    pub staff: u64,
    /// Staff ids come in role blocks, lecturers first: `role_starts[r]` is the first index of role `r`.
    pub role_starts: [u64; 6],
    pub shuttle_points: u64,
    pub buses: u64,
    pub bus_allocations: u64,
    pub applicants: u64,
    /// Applicants `0..converted` became students.
    pub converted: u64,
    /// Each module's difficulty, drawn once (empty past [`MAX_KEPT_DIFFICULTIES`] modules: then
    /// drawn per row).
    difficulties: Vec<f64>,
}

/// Modules whose difficulty [`Layout`] keeps.
const MAX_KEPT_DIFFICULTIES: u64 = 1 << 16;

/// A student's course, level and ability, as its enrollments and marks need them, and the
/// layout they were drawn for.
#[derive(Clone, Copy)]
struct Enrolled {
    seed: u64,
    courses: u64,
    levels: u64,
    student_idx: u64,
    course: u64,
    level: u64,
    ability: f64,
}

thread_local! {
    /// The last student whose enrollments or marks were written on this thread. A student's
    /// rows come together (four enrollments, then four marks, by default), so its course, level
    /// and ability are drawn once per run of rows rather than once per row, or twice for an
    /// enrollment that looks up its mark. Only a memo: a miss draws the same values again, so
    /// rows are the same in any order, on any thread.
    static LAST_ENROLLED: Cell<Option<Enrolled>> = const { Cell::new(None) };
}

/// Each residence holds this many double rooms; more residences open as students grow.
pub const ROOMS_PER_RESIDENCE: u64 = 400;
pub const BEDS_PER_ROOM: u64 = 2;

/// Students per level: first years are the largest cohort; later levels shrink through attrition.
const LEVEL_WEIGHTS: [u32; 6] = [100, 82, 64, 46, 28, 10];

/// Weights of the staff roles in [`names::STAFF_ROLES`] order.
const ROLE_WEIGHTS: [u64; 5] = [60, 12, 14, 7, 7];

impl Layout {
    pub fn new(config: &Config) -> Layout {
        let staff = config.staff;
        let departments = u64::from(config.departments);
        // Every role gets at least one member and lecturers at least one per department.
        let mut sizes = ROLE_WEIGHTS.map(|w| (staff * w / 100).max(1));
        sizes[0] = sizes[0].max(departments);
        let others: u64 = sizes[1..].iter().sum();
        sizes[0] = staff.saturating_sub(others).max(departments);
        let mut role_starts = [0u64; 6];
        for role in 0..5 {
            role_starts[role + 1] = role_starts[role] + sizes[role];
        }
        role_starts[5] = staff;
        let mut layout = Layout {
            seed: config.seed,
            year: config.academic_year,
            levels: config.levels.into(),
            qualifications: config.qualifications.into(),
            departments,
            courses_per_department: config.courses_per_department.into(),
            modules_per_course_level: config.modules_per_course_level.into(),
            students: config.students,
            enrollments_per_student: config.enrollments_per_student.into(),
            residential: config.residential_students,
            staff,
            role_starts,
            shuttle_points: config.shuttle_points.into(),
            buses: config.buses.into(),
            bus_allocations: config.bus_allocations,
            applicants: config.applicants,
            converted: (config.applicants * 2 / 5).min(config.students),
            difficulties: Vec::new(),
        };
        if layout.modules() <= MAX_KEPT_DIFFICULTIES {
            layout.difficulties = (0..layout.modules())
                .map(|module_idx| layout.draw_difficulty(module_idx))
                .collect();
        }
        layout
    }

    pub fn courses(&self) -> u64 {
        self.departments * self.courses_per_department
    }

    pub fn modules(&self) -> u64 {
        self.courses() * self.levels * self.modules_per_course_level
    }

    pub fn count(&self, table: TableId) -> u64 {
        match table {
            TableId::Qualifications => self.qualifications,
            TableId::Levels => self.levels,
            TableId::Departments => self.departments,
            TableId::StaffRoles => names::STAFF_ROLES.len() as u64,
            TableId::Roles => names::APP_ROLES.len() as u64,
            TableId::Courses => self.courses(),
            TableId::Modules => self.modules(),
            TableId::Staff => self.staff,
            TableId::Students => self.students,
            TableId::Buses => self.buses,
            TableId::ShuttlePoints => self.shuttle_points,
            TableId::LecturerModuleAssignment => self.modules(),
            TableId::StudentEnrollment | TableId::StudentMarks => {
                self.students * self.enrollments_per_student
            }
            TableId::StudentResidential => self.residential,
            TableId::BusAllocations => self.bus_allocations,
            TableId::Applicants => self.applicants,
            TableId::ApplicantStatus => self.converted,
        }
    }

    /// The first day of the academic year; every enrollment date falls on or after it.
    pub fn year_start(&self) -> Date {
        Date {
            year: self.year,
            month: 1,
            day: 1,
        }
    }

    pub fn course(&self, course_idx: u64) -> Course {
        let department = course_idx / self.courses_per_department % self.departments;
        let subject = course_idx % self.courses_per_department;
        Course {
            department,
            subject,
            qualification: (subject + 2 * department) % self.qualifications,
        }
    }

    pub fn module(&self, module_idx: u64) -> Module {
        let per_course = self.levels * self.modules_per_course_level;
        let within = module_idx % per_course;
        Module {
            course: module_idx / per_course,
            level: within / self.modules_per_course_level,
            letter: within % self.modules_per_course_level,
        }
    }

    pub fn module_idx(&self, course: u64, level: u64, letter: u64) -> u64 {
        (course * self.levels + level) * self.modules_per_course_level + letter
    }

    pub fn module_credits(&self, module_idx: u64) -> i64 {
        [12, 15, 16, 20, 30][(module_idx % 5) as usize]
    }

    /// A student's course and level: the first draws of the student's stream, so enrollments and
    /// marks can find them without drawing the student's name, birthdate and phone.
    pub fn placement(&self, student_idx: u64) -> (Rng, u64, u64) {
        let mut rng = Rng::for_row(self.seed, TableId::Students as u64, student_idx);
        let course = rng.below(self.courses());
        let weights = LEVEL_WEIGHTS
            .get(..self.levels as usize)
            .unwrap_or(&LEVEL_WEIGHTS);
        let level = rng.weighted(weights) as u64;
        (rng, course, level)
    }

    pub fn student(&self, student_idx: u64) -> Student {
        let (mut rng, course, level) = self.placement(student_idx);
        let person = Person::draw(&mut rng);
        // Age at the start of the academic year: 18 plus the year of study plus a long tail.
        let extra = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 6, 8][rng.below(13) as usize];
        let age = (18 + level.min(4) + extra).min(29) as i32;
        let birthdate = Date {
            year: self.year - age - 1,
            month: 1,
            day: 1,
        }
        .add_days(rng.range(0, 364));
        Student {
            course,
            level,
            person,
            birthdate,
            phone: phone(&mut rng),
        }
    }

    /// Enrollment `e`'s (also `student_marks` row `e`'s) student, the student's course and
    /// level, and the module it is for.
    pub fn enrollment(&self, e: u64) -> (u64, u64, u64, u64) {
        let per_student = self.enrollments_per_student.max(1);
        let (student_idx, k) = (e / per_student, e % per_student);
        let Enrolled { course, level, .. } = self.enrolled(student_idx);
        let module_idx = self.enrollment_module(course, level, k);
        (student_idx, course, level, module_idx)
    }

    /// Which of its course's modules a student's `k`-th enrollment is: first those at the student's
    /// own level, then earlier levels (most recent first), then later ones.
    pub fn enrollment_module(&self, course: u64, student_level: u64, k: u64) -> u64 {
        let per = self.modules_per_course_level;
        let (level_offset, letter) = (k / per, k % per);
        let level = if level_offset == 0 {
            student_level
        } else if level_offset <= student_level {
            student_level - level_offset
        } else {
            level_offset
        };
        self.module_idx(course, level.min(self.levels.saturating_sub(1)), letter)
    }

    /// The student behind residential row `row_idx`: spread evenly over all students, never twice.
    pub fn residential_student(&self, row_idx: u64) -> u64 {
        spread(row_idx, self.students, self.residential)
    }

    /// The student an applicant became, for the first `converted` applicants.
    pub fn applicant_student(&self, applicant_idx: u64) -> Option<u64> {
        (applicant_idx < self.converted)
            .then(|| spread(applicant_idx, self.students, self.converted))
    }

    pub fn lecturers(&self) -> u64 {
        self.role_starts[1]
    }

    /// A staff member's department: lecturer `k` belongs to department `k mod departments`.
    pub fn staff_department(&self, staff_idx: u64) -> u64 {
        if staff_idx < self.lecturers() {
            staff_idx % self.departments
        } else {
            Rng::for_row(self.seed, TableId::Staff as u64 + 100, staff_idx).below(self.departments)
        }
    }

    pub fn staff_role(&self, staff_idx: u64) -> u64 {
        (1..5u64)
            .rev()
            .find(|&r| staff_idx >= self.role_starts[r as usize])
            .unwrap_or(0)
    }

    /// The lecturer assigned to a module: one of its own department's lecturers.
    pub fn module_lecturer(&self, module_idx: u64) -> u64 {
        let department = self.course(self.module(module_idx).course).department;
        let lecturers = self.lecturers();
        let in_department = (lecturers - department).div_ceil(self.departments);
        let mut rng = Rng::for_row(
            self.seed,
            TableId::LecturerModuleAssignment as u64,
            module_idx,
        );
        department + rng.below(in_department) * self.departments
    }

    pub fn ability(&self, student_idx: u64) -> f64 {
        Rng::for_row(self.seed, STREAM_ABILITY, student_idx).normal4()
    }

    pub fn module_difficulty(&self, module_idx: u64) -> f64 {
        match usize::try_from(module_idx)
            .ok()
            .and_then(|idx| self.difficulties.get(idx))
        {
            Some(&difficulty) => difficulty,
            None => self.draw_difficulty(module_idx),
        }
    }

    fn draw_difficulty(&self, module_idx: u64) -> f64 {
        Rng::for_row(self.seed, STREAM_MODULE_DIFFICULTY, module_idx).normal4() * 4.0
    }

    /// A student's course, level and ability: from [`LAST_ENROLLED`] when it holds them.
    fn enrolled(&self, student_idx: u64) -> Enrolled {
        let courses = self.courses();
        let last = LAST_ENROLLED.with(Cell::get).filter(|e| {
            e.student_idx == student_idx
                && e.seed == self.seed
                && e.courses == courses
                && e.levels == self.levels
        });
        if let Some(enrolled) = last {
            return enrolled;
        }
        let (_, course, level) = self.placement(student_idx);
        let enrolled = Enrolled {
            seed: self.seed,
            courses,
            levels: self.levels,
            student_idx,
            course,
            level,
            ability: self.ability(student_idx),
        };
        LAST_ENROLLED.with(|last| last.set(Some(enrolled)));
        enrolled
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Course {
    pub department: u64,
    pub subject: u64,
    pub qualification: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct Module {
    pub course: u64,
    pub level: u64,
    pub letter: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub gender: &'static str,
}

impl Person {
    fn draw(rng: &mut Rng) -> Person {
        let culture: &Culture = rng.pick_ref(names::CULTURES);
        let gender = ["Female", "Male", "Non-binary"][rng.weighted(&[51, 47, 2])];
        let given = match gender {
            "Female" => culture.female,
            "Male" => culture.male,
            _ if rng.chance(0.5) => culture.female,
            _ => culture.male,
        };
        Person {
            first: rng.pick(given),
            last: rng.pick(culture.family),
            gender,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Student {
    pub course: u64,
    pub level: u64,
    pub person: Person,
    pub birthdate: Date,
    pub phone: [u16; 3],
}

/// One phone format for everyone: `+27 82 555 0123`.
fn phone(rng: &mut Rng) -> [u16; 3] {
    let prefix = rng.pick(&[60u16, 61, 62, 71, 72, 73, 74, 76, 78, 79, 81, 82, 83, 84]);
    [prefix, rng.below(1000) as u16, rng.below(10_000) as u16]
}

/// `⌊idx · n / of⌋`, which spreads `of` rows evenly over `n` items. The product fits in 64 bits
/// for any size the config accepts; the 128-bit path only guards the arithmetic, because on
/// wasm32 a 128-bit multiply and divide are library calls that cost a few percent of the SQL.
fn spread(idx: u64, n: u64, of: u64) -> u64 {
    let of = of.max(1);
    match idx.checked_mul(n) {
        Some(product) => product / of,
        None => (u128::from(idx) * u128::from(n) / u128::from(of)) as u64,
    }
}

/// Scratch text on the stack: formatting a row's derived strings allocates nothing (the
/// database's rows and the registrar's exports alike).
pub(crate) struct Scratch {
    buf: [u8; 256],
    len: usize,
}

impl std::fmt::Write for Scratch {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let Some(dest) = self.buf.get_mut(self.len..end) else {
            return Err(std::fmt::Error);
        };
        dest.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Scratch {
    pub(crate) fn new() -> Scratch {
        Scratch {
            buf: [0; 256],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the prefix is valid UTF-8.
        let text = std::str::from_utf8(&self.buf[..self.len]);
        debug_assert!(text.is_ok(), "a str cut in the scratch buffer");
        text.unwrap_or_default()
    }

    fn push_str(&mut self, s: &str) {
        let _ = std::fmt::Write::write_str(self, s);
    }

    /// Appends `value` in decimal, zero-padded to `width` digits: what `{:0width$}` writes,
    /// without the formatting machinery (a row's numbers are most of what it formats).
    fn push_number(&mut self, value: u64, width: usize) {
        let mut digits = [b'0'; 20];
        let mut start = digits.len();
        let mut rest = value;
        while start > 0 {
            start -= 1;
            if let Some(digit) = digits.get_mut(start) {
                *digit = b'0' + (rest % 10) as u8;
            }
            rest /= 10;
            if rest == 0 && digits.len() - start >= width {
                break;
            }
        }
        let text = digits.get(start..).unwrap_or_default();
        // ASCII digits: the buffer stays UTF-8.
        let end = self.len + text.len();
        if let Some(dest) = self.buf.get_mut(self.len..end) {
            dest.copy_from_slice(text);
            self.len = end;
        }
    }

    /// A year, or any `i32`, as `{}` writes it.
    fn push_signed(&mut self, value: i32) {
        if value < 0 {
            self.push_str("-");
        }
        self.push_number(u64::from(value.unsigned_abs()), 1);
    }

    fn email(&mut self, person: &Person, tag: &str, number: u64, domain: &str) -> &str {
        self.len = 0;
        names::email_part(person.first, self);
        self.push_str(".");
        names::email_part(person.last, self);
        self.push_str(".");
        self.push_str(tag);
        self.push_number(number, 1);
        self.push_str("@");
        self.push_str(domain);
        self.as_str()
    }

    fn phone(&mut self, parts: [u16; 3]) -> &str {
        self.len = 0;
        self.push_str("+27 ");
        for (part, width) in parts.into_iter().zip([2, 3, 4]) {
            if width > 2 {
                self.push_str(" ");
            }
            self.push_number(u64::from(part), width);
        }
        self.as_str()
    }

    /// `prefix`, the year, and `number` zero-padded to `width` digits: a student or an
    /// applicant number.
    fn record_number(&mut self, prefix: &str, year: i32, number: u64, width: usize) -> &str {
        self.len = 0;
        self.push_str(prefix);
        self.push_signed(year);
        self.push_number(number, width);
        self.as_str()
    }

    /// `args` formatted into the buffer, replacing what it held.
    pub(crate) fn format(&mut self, args: std::fmt::Arguments<'_>) -> &str {
        self.len = 0;
        let _ = std::fmt::Write::write_fmt(self, args);
        self.as_str()
    }
}

fn id(sink: &mut dyn RowSink, idx: u64) {
    sink.int(idx as i64 + 1);
}

/// Row `idx` of a table that is an id and one name from `list`; past the list's end the name is
/// `fallback` numbered.
fn list_row(
    sink: &mut dyn RowSink,
    idx: u64,
    list: &[&str],
    fallback: &str,
    scratch: &mut Scratch,
) {
    id(sink, idx);
    match list.get(idx as usize) {
        Some(name) => sink.text(name),
        None => sink.text(scratch.format(format_args!("{fallback} {}", idx + 1))),
    }
}

/// Writes row `i` of `table`.
pub fn write_row(l: &Layout, table: TableId, i: u64, sink: &mut dyn RowSink) {
    let mut scratch = Scratch::new();
    let s = &mut scratch;
    match table {
        TableId::Qualifications => list_row(sink, i, names::QUALIFICATIONS, "Qualification", s),
        TableId::Levels => list_row(sink, i, names::LEVELS, "Level", s),
        TableId::Departments => {
            id(sink, i);
            sink.text(
                names::DEPARTMENTS
                    .get(i as usize)
                    .map_or("Department", |d| d.0),
            );
        }
        TableId::StaffRoles => list_row(sink, i, names::STAFF_ROLES, "Role", s),
        TableId::Roles => list_row(sink, i, names::APP_ROLES, "Role", s),
        TableId::Courses => {
            let course = l.course(i);
            let qualification = names::QUALIFICATIONS
                .get(course.qualification as usize)
                .copied()
                .unwrap_or("Qualification");
            let subject = subject(course);
            id(sink, i);
            sink.text(s.format(format_args!("{qualification} in {subject}")));
            id(sink, course.department);
            id(sink, course.qualification);
        }
        TableId::Modules => {
            let module = l.module(i);
            let course = l.course(module.course);
            let topic = names::MODULE_TOPICS[((module.level + module.letter + course.subject)
                % names::MODULE_TOPICS.len() as u64)
                as usize];
            let letter = char::from(b'A' + (module.letter % 26) as u8);
            id(sink, i);
            sink.text(s.format(format_args!(
                "{} {}{letter}: {topic}",
                subject(course),
                module.level + 1
            )));
            id(sink, module.course);
            id(sink, module.level);
        }
        TableId::Staff => {
            let mut rng = Rng::for_row(l.seed, TableId::Staff as u64, i);
            let person = Person::draw(&mut rng);
            id(sink, i);
            sink.text(person.first);
            sink.text(person.last);
            sink.text(s.email(&person, "", i + 1, "staff.campus.ac.za"));
            sink.text(s.phone(phone(&mut rng)));
            id(sink, l.staff_role(i));
            id(sink, l.staff_department(i));
        }
        TableId::Students => {
            let student = l.student(i);
            id(sink, i);
            sink.text(s.record_number("", l.year, i + 1, 7));
            sink.text(student.person.first);
            sink.text(student.person.last);
            sink.text(student.person.gender);
            sink.date(student.birthdate);
            id(sink, student.level);
            id(sink, student.course);
            id(sink, l.course(student.course).department);
            sink.text(s.email(&student.person, "", i + 1, "students.campus.ac.za"));
            sink.text(s.phone(student.phone));
        }
        TableId::Buses => {
            let mut rng = Rng::for_row(l.seed, TableId::Buses as u64, i);
            id(sink, i);
            sink.text(s.format(format_args!("CB-{:03}", i + 1)));
            sink.int(rng.pick(&[22i64, 35, 45, 60, 65]));
        }
        TableId::ShuttlePoints => {
            id(sink, i);
            match names::SHUTTLE_POINTS.get(i as usize) {
                Some((point, location)) => {
                    sink.text(point);
                    sink.text(location);
                }
                None => {
                    sink.text(s.format(format_args!("Stop {}", i + 1)));
                    sink.text(s.format(format_args!("Campus ring road, stop {}", i + 1)));
                }
            }
        }
        TableId::LecturerModuleAssignment => {
            id(sink, i);
            id(sink, l.module_lecturer(i));
            id(sink, i);
        }
        TableId::StudentEnrollment => write_enrollment(l, i, sink),
        TableId::StudentMarks => write_mark(l, i, sink),
        TableId::StudentResidential => {
            let bed = i;
            let room = bed / BEDS_PER_ROOM;
            let residence = room / ROOMS_PER_RESIDENCE;
            let room_in_residence = room % ROOMS_PER_RESIDENCE;
            id(sink, i);
            id(sink, l.residential_student(i));
            let base = names::RESIDENCES[(residence % names::RESIDENCES.len() as u64) as usize];
            let round = residence / names::RESIDENCES.len() as u64;
            if round == 0 {
                sink.text(base);
            } else {
                sink.text(s.format(format_args!("{base} {}", round + 1)));
            }
            // Forty rooms a floor: room 312 is the twelfth room on the third floor.
            sink.text(s.format(format_args!(
                "{}{:02}",
                room_in_residence / 40 + 1,
                room_in_residence % 40 + 1
            )));
        }
        TableId::BusAllocations => {
            let mut rng = Rng::for_row(l.seed, TableId::BusAllocations as u64, i);
            id(sink, i);
            id(sink, i % l.buses.max(1));
            id(sink, rng.below(l.shuttle_points));
            // Every fifteen minutes from 06:00 to 21:45.
            sink.time(Time::hm(6, 0).add_minutes(15 * rng.below(64) as u32));
        }
        TableId::Applicants => write_applicant(l, i, sink, s),
        TableId::ApplicantStatus => {
            // Rows of this table are the converted applicants, each a student.
            let student = l.applicant_student(i);
            debug_assert!(student.is_some(), "applicant {i} has no student");
            let student = student.unwrap_or(0);
            id(sink, i);
            id(sink, student);
            sink.text("Enrolled");
            sink.date(application_date(l, i));
        }
    }
    sink.end_row();
}

fn subject(course: Course) -> &'static str {
    names::DEPARTMENTS
        .get(course.department as usize)
        .and_then(|(_, subjects)| subjects.get(course.subject as usize))
        .copied()
        .unwrap_or("General Studies")
}

/// Enrollment statuses, with weights, at or above the student's own level. Below it the status
/// follows the mark: `Completed` from 50 up, `Failed` under it.
const CURRENT_STATUSES: (&[&str], &[u32]) = (&["Enrolled", "Deferred", "Withdrawn"], &[88, 4, 8]);
/// The pass mark, in hundredths.
pub const PASS_UNITS: i64 = 5_000;

fn write_enrollment(l: &Layout, i: u64, sink: &mut dyn RowSink) {
    let (student_idx, student_course, student_level, module_idx) = l.enrollment(i);
    let module = l.module(module_idx);
    let course = l.course(student_course);
    let mut rng = Rng::for_row(l.seed, TableId::StudentEnrollment as u64, i);
    let status = if module.level < student_level {
        if mark_units(l, i).2 >= PASS_UNITS {
            "Completed"
        } else {
            "Failed"
        }
    } else {
        CURRENT_STATUSES.0[rng.weighted(CURRENT_STATUSES.1)]
    };
    let credits = if matches!(status, "Enrolled" | "Completed") {
        l.module_credits(module_idx)
    } else {
        0
    };
    id(sink, i);
    id(sink, student_idx);
    id(sink, student_course);
    id(sink, module_idx);
    sink.int(i64::from(l.year));
    id(sink, module.level);
    id(sink, course.qualification);
    sink.text(status);
    // Registration runs for the first ten weeks of the year.
    sink.date(l.year_start().add_days(rng.range(8, 75)));
    sink.int(credits);
}

/// Final score is 40% test and 60% exam, rounded half up to the cent.
pub fn final_score(test_units: i64, exam_units: i64) -> i64 {
    (4 * test_units + 6 * exam_units + 5) / 10
}

fn score_units(value: f64) -> i64 {
    (value.clamp(0.0, 100.0) * 100.0).round() as i64
}

/// Enrollment `i`'s student, module and (test, exam, final) scores in hundredths.
fn mark_units(l: &Layout, i: u64) -> (u64, u64, i64, i64, i64) {
    let (student_idx, _, _, module_idx) = l.enrollment(i);
    let ability = l.enrolled(student_idx).ability;
    let difficulty = l.module_difficulty(module_idx);
    let mut rng = Rng::for_row(l.seed, TableId::StudentMarks as u64, i);
    let test = score_units(63.0 + 11.0 * ability - difficulty + 7.0 * rng.normal4());
    let exam = score_units(58.0 + 13.0 * ability - difficulty + 9.0 * rng.normal4());
    (student_idx, module_idx, final_score(test, exam), test, exam)
}

fn write_mark(l: &Layout, i: u64, sink: &mut dyn RowSink) {
    let (student_idx, module_idx, final_units, test, exam) = mark_units(l, i);
    id(sink, i);
    id(sink, student_idx);
    id(sink, module_idx);
    sink.decimal(test, 2);
    sink.decimal(exam, 2);
    sink.decimal(final_units, 2);
}

fn application_date(l: &Layout, applicant_idx: u64) -> Date {
    let mut rng = Rng::for_row(l.seed, TableId::Applicants as u64 + 100, applicant_idx);
    // Applications open on 1 May of the year before and close on 30 November.
    Date {
        year: l.year - 1,
        month: 5,
        day: 1,
    }
    .add_days(rng.range(0, 213))
}

fn write_applicant(l: &Layout, i: u64, sink: &mut dyn RowSink, s: &mut Scratch) {
    let mut rng = Rng::for_row(l.seed, TableId::Applicants as u64, i);
    let became = l.applicant_student(i);
    let (person, birthdate, course, status) = match became {
        Some(student_idx) => {
            let student = l.student(student_idx);
            (
                student.person,
                student.birthdate,
                student.course,
                "Enrolled",
            )
        }
        None => {
            let person = Person::draw(&mut rng);
            let age = rng.range(17, 25) as i32;
            let birthdate = Date {
                year: l.year - age - 1,
                month: 1,
                day: 1,
            }
            .add_days(rng.range(0, 364));
            let statuses: Vec<u32> = names::APPLICATION_STATUSES
                .iter()
                .map(|(_, w)| *w)
                .collect();
            let status = names::APPLICATION_STATUSES[rng.weighted(&statuses)].0;
            (person, birthdate, rng.below(l.courses()), status)
        }
    };
    let ability = became.map_or_else(|| rng.normal4(), |student_idx| l.ability(student_idx));
    let entry = score_units(65.0 + 10.0 * ability + 4.0 * rng.normal4());
    id(sink, i);
    sink.text(s.record_number("APP", l.year - 1, i + 1, 6));
    sink.text(person.first);
    sink.text(person.last);
    sink.text(s.email(&person, "a", i + 1, "applicants.campus.ac.za"));
    sink.text(person.gender);
    sink.date(birthdate);
    sink.decimal(entry, 2);
    id(sink, course);
    sink.text(status);
    sink.date(application_date(l, i));
    match became {
        Some(student_idx) => id(sink, student_idx),
        None => sink.null(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scratch's number writing is `format!`'s, so rows keep their bytes.
    #[test]
    fn scratch_numbers_are_what_format_writes() {
        let mut s = Scratch::new();
        for value in [
            0u64,
            1,
            9,
            10,
            99,
            100,
            12_345,
            999_999,
            1_000_000,
            u64::MAX,
        ] {
            for width in [0, 1, 2, 3, 4, 6, 7, 20, 25] {
                s.len = 0;
                s.push_number(value, width);
                // Past 20 digits the padding stops: no number we write is that wide.
                let expected = format!("{value:0width$}", width = width.min(20));
                assert_eq!(s.as_str(), expected, "{value} {width}");
            }
        }
        for year in [2024, 0, -3, i32::MIN, i32::MAX] {
            assert_eq!(
                s.record_number("APP", year, 42, 6),
                format!("APP{year}{:06}", 42)
            );
        }
        assert_eq!(
            s.phone([60, 7, 12]),
            format!("+27 {:02} {:03} {:04}", 60, 7, 12)
        );
        assert_eq!(s.phone([82, 999, 9999]), "+27 82 999 9999");
    }
}
