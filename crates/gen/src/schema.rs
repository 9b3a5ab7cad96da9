//! The University Management System schema: the one place that says which tables and columns exist.
//!
//! DDL, INSERT column lists, CSV headers and the integrity checks are all derived from [`tables`],
//! so they cannot disagree. Tables are in dependency order: each references only earlier ones.

use campus_schema::{Column, ColumnType::*, Table};

/// Every table, indexed by [`TableId`] and in dependency order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableId {
    Qualifications,
    Levels,
    Departments,
    StaffRoles,
    Roles,
    Courses,
    Modules,
    Staff,
    Students,
    Buses,
    ShuttlePoints,
    LecturerModuleAssignment,
    StudentEnrollment,
    StudentMarks,
    StudentResidential,
    BusAllocations,
    Applicants,
    ApplicantStatus,
}

impl TableId {
    pub const ALL: [TableId; 18] = [
        TableId::Qualifications,
        TableId::Levels,
        TableId::Departments,
        TableId::StaffRoles,
        TableId::Roles,
        TableId::Courses,
        TableId::Modules,
        TableId::Staff,
        TableId::Students,
        TableId::Buses,
        TableId::ShuttlePoints,
        TableId::LecturerModuleAssignment,
        TableId::StudentEnrollment,
        TableId::StudentMarks,
        TableId::StudentResidential,
        TableId::BusAllocations,
        TableId::Applicants,
        TableId::ApplicantStatus,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(idx: usize) -> Option<TableId> {
        TableId::ALL.get(idx).copied()
    }
}

fn name(column: &'static str, len: u16) -> Column {
    Column::new(column, VarChar(len))
}

fn score(column: &'static str) -> Column {
    Column::new(
        column,
        Decimal {
            precision: 5,
            scale: 2,
        },
    )
}

/// The tables in [`TableId`] order.
pub fn tables() -> Vec<Table> {
    vec![
        Table::new(
            "qualifications",
            vec![
                Column::id("qualification_id"),
                name("qualification_name", 100),
            ],
        ),
        Table::new(
            "levels",
            vec![Column::id("level_id"), name("level_name", 20)],
        ),
        Table::new(
            "departments",
            vec![Column::id("department_id"), name("department_name", 100)],
        ),
        Table::new(
            "staff_roles",
            vec![Column::id("role_id"), name("role_name", 50)],
        ),
        Table::new(
            "roles",
            vec![Column::id("role_id"), name("role_name", 100).unique()],
        ),
        Table::new(
            "courses",
            vec![
                Column::id("course_id"),
                name("course_name", 100),
                Column::fk("department_id", "departments", "department_id"),
                Column::fk("qualification_id", "qualifications", "qualification_id"),
            ],
        ),
        Table::new(
            "modules",
            vec![
                Column::id("module_id"),
                name("module_name", 100),
                Column::fk("course_id", "courses", "course_id"),
                Column::fk("level_id", "levels", "level_id"),
            ],
        ),
        Table::new(
            "staff",
            vec![
                Column::id("staff_id"),
                name("first_name", 100),
                name("last_name", 100),
                name("email", 150).unique(),
                name("phone", 50),
                Column::fk("role_id", "staff_roles", "role_id"),
                Column::fk("department_id", "departments", "department_id"),
            ],
        ),
        Table::new(
            "students",
            vec![
                Column::id("student_id"),
                name("student_number", 20).unique(),
                name("first_name", 100),
                name("last_name", 100),
                name("gender", 20),
                Column::new("birthdate", Date),
                Column::fk("level_id", "levels", "level_id"),
                Column::fk("course_id", "courses", "course_id"),
                Column::fk("department_id", "departments", "department_id"),
                name("email", 150).unique(),
                name("phone", 50),
            ],
        ),
        Table::new(
            "buses",
            vec![
                Column::id("bus_id"),
                name("bus_number", 20).unique(),
                Column::new("capacity", Int),
            ],
        ),
        Table::new(
            "shuttle_points",
            vec![
                Column::id("point_id"),
                name("point_name", 100),
                name("location", 255),
            ],
        ),
        Table::new(
            "lecturer_module_assignment",
            vec![
                Column::id("assignment_id"),
                Column::fk("staff_id", "staff", "staff_id"),
                Column::fk("module_id", "modules", "module_id"),
            ],
        ),
        Table::new(
            "student_enrollment",
            vec![
                Column::id("enrollment_id"),
                Column::fk("student_id", "students", "student_id"),
                Column::fk("course_id", "courses", "course_id"),
                Column::fk("module_id", "modules", "module_id"),
                Column::new("academic_year", Int),
                Column::fk("level_id", "levels", "level_id"),
                Column::fk("qualification_id", "qualifications", "qualification_id"),
                name("status", 20),
                Column::new("enrollment_date", Date),
                Column::new("credits", Int),
            ],
        ),
        Table::new(
            "student_marks",
            vec![
                Column::id("mark_id"),
                Column::fk("student_id", "students", "student_id"),
                Column::fk("module_id", "modules", "module_id"),
                score("test_score"),
                score("exam_score"),
                score("final_score"),
            ],
        ),
        Table::new(
            "student_residential",
            vec![
                Column::id("residential_id"),
                Column::fk("student_id", "students", "student_id").unique(),
                name("residence_name", 100),
                name("room_number", 20),
            ],
        ),
        Table::new(
            "bus_allocations",
            vec![
                Column::id("allocation_id"),
                Column::fk("bus_id", "buses", "bus_id"),
                Column::fk("point_id", "shuttle_points", "point_id"),
                Column::new("allocation_time", Time),
            ],
        ),
        Table::new(
            "applicants",
            vec![
                Column::id("applicant_id"),
                name("applicant_number", 20).unique(),
                name("first_name", 100),
                name("last_name", 100),
                name("email", 150).unique(),
                name("gender", 20),
                Column::new("birthdate", Date),
                score("entry_score"),
                Column::fk("intended_course_id", "courses", "course_id"),
                name("application_status", 50),
                Column::new("application_date", Date),
                // Set for applicants who became students; their applicant_status row links the two.
                Column::fk("student_id", "students", "student_id")
                    .nullable()
                    .unique(),
            ],
        ),
        Table::new(
            "applicant_status",
            vec![
                Column::id("status_id"),
                Column::fk("student_id", "students", "student_id"),
                name("application_status", 50),
                Column::new("application_date", Date),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_table_order_and_references_point_backwards() {
        let tables = tables();
        assert_eq!(tables.len(), TableId::ALL.len());
        for (idx, table) in tables.iter().enumerate() {
            assert_eq!(TableId::from_index(idx).map(TableId::index), Some(idx));
            for (_, fk) in table.foreign_keys() {
                let target = tables.iter().position(|t| t.name == fk.table);
                assert!(
                    target.is_some_and(|t| t < idx),
                    "{} -> {}",
                    table.name,
                    fk.table
                );
            }
        }
    }
}
