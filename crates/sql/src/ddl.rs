//! `CREATE TABLE` statements and stored routines, derived from the schema model.

use campus_schema::{ColumnType, Table};

use crate::escape::push_ident;

/// The MySQL spelling of a logical type.
pub fn type_name(ty: ColumnType) -> String {
    match ty {
        ColumnType::Int => "INT".into(),
        ColumnType::BigInt => "BIGINT".into(),
        ColumnType::VarChar(n) => format!("VARCHAR({n})"),
        ColumnType::Text => "TEXT".into(),
        ColumnType::Decimal { precision, scale } => format!("DECIMAL({precision},{scale})"),
        ColumnType::Double => "DOUBLE".into(),
        ColumnType::Bool => "TINYINT(1)".into(),
        ColumnType::Date => "DATE".into(),
        ColumnType::Time => "TIME".into(),
    }
}

/// Appends `CREATE TABLE` for `table`: InnoDB, utf8mb4, primary, unique and foreign keys.
///
/// Key names carry the table name because MySQL requires foreign-key names to be unique in a
/// database, not just in a table.
pub fn create_table(out: &mut Vec<u8>, table: &Table, if_not_exists: bool) {
    out.extend_from_slice(b"CREATE TABLE ");
    if if_not_exists {
        out.extend_from_slice(b"IF NOT EXISTS ");
    }
    push_ident(out, &table.name);
    out.extend_from_slice(b" (\n");
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for column in &table.columns {
        let mut line = b"  ".to_vec();
        push_ident(&mut line, &column.name);
        line.push(b' ');
        line.extend_from_slice(type_name(column.ty).as_bytes());
        line.extend_from_slice(if column.nullable {
            b" NULL"
        } else {
            b" NOT NULL"
        });
        if column.primary_key {
            line.extend_from_slice(b" AUTO_INCREMENT");
        }
        lines.push(line);
    }
    if let Some(pk) = table.primary_key() {
        let mut line = b"  PRIMARY KEY (".to_vec();
        push_ident(&mut line, &pk.name);
        line.push(b')');
        lines.push(line);
    }
    for column in table.columns.iter().filter(|c| c.unique && !c.primary_key) {
        let mut line = b"  UNIQUE KEY ".to_vec();
        push_ident(&mut line, &format!("uq_{}_{}", table.name, column.name));
        line.extend_from_slice(b" (");
        push_ident(&mut line, &column.name);
        line.push(b')');
        lines.push(line);
    }
    for (column, fk) in table.foreign_keys() {
        let mut line = b"  CONSTRAINT ".to_vec();
        push_ident(&mut line, &format!("fk_{}_{}", table.name, column.name));
        line.extend_from_slice(b" FOREIGN KEY (");
        push_ident(&mut line, &column.name);
        line.extend_from_slice(b") REFERENCES ");
        push_ident(&mut line, &fk.table);
        line.extend_from_slice(b" (");
        push_ident(&mut line, &fk.column);
        line.push(b')');
        lines.push(line);
    }
    out.extend_from_slice(&lines.join(&b",\n"[..]));
    out.extend_from_slice(
        b"\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n",
    );
}

/// `CREATE DATABASE IF NOT EXISTS` (in utf8mb4) and `USE` for `database`, one statement a line:
/// how every script this crate's users write (seed script, staging SQL) picks its database.
pub fn create_and_use_database(out: &mut Vec<u8>, database: &str) {
    out.extend_from_slice(b"CREATE DATABASE IF NOT EXISTS ");
    push_ident(out, database);
    out.extend_from_slice(b" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\nUSE ");
    push_ident(out, database);
    out.extend_from_slice(b";\n");
}

/// A stored procedure: its name and its full `CREATE PROCEDURE` text, ending in `END`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routine {
    pub name: String,
    pub create: String,
}

impl Routine {
    /// Appends the routine wrapped in `DELIMITER` lines, so the stock `mysql` client can load it.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"DROP PROCEDURE IF EXISTS ");
        push_ident(out, &self.name);
        out.extend_from_slice(b";\nDELIMITER //\n");
        out.extend_from_slice(self.create.trim_end().as_bytes());
        out.extend_from_slice(b" //\nDELIMITER ;\n");
    }
}

/// The University Management System's `enroll_student`: one enrollment dated today with 0 credits.
pub fn enroll_student() -> Routine {
    Routine {
        name: "enroll_student".into(),
        create: "CREATE PROCEDURE `enroll_student`(
  IN p_student_id INT,
  IN p_course_id INT,
  IN p_module_id INT,
  IN p_level_id INT,
  IN p_qualification_id INT,
  IN p_academic_year INT,
  IN p_status VARCHAR(20)
)
BEGIN
  INSERT INTO `student_enrollment`
    (`student_id`, `course_id`, `module_id`, `academic_year`, `level_id`, `qualification_id`,
     `status`, `enrollment_date`, `credits`)
  VALUES
    (p_student_id, p_course_id, p_module_id, p_academic_year, p_level_id, p_qualification_id,
     p_status, CURDATE(), 0);
END"
        .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use campus_schema::Column;

    #[test]
    fn create_table_has_every_key() {
        let table = Table::new(
            "students",
            vec![
                Column::id("student_id"),
                Column::new("student_number", ColumnType::VarChar(20)).unique(),
                Column::fk("course_id", "courses", "course_id"),
                Column::new(
                    "score",
                    ColumnType::Decimal {
                        precision: 5,
                        scale: 2,
                    },
                )
                .nullable(),
            ],
        );
        let mut out = Vec::new();
        create_table(&mut out, &table, false);
        let expected = "CREATE TABLE `students` (
  `student_id` INT NOT NULL AUTO_INCREMENT,
  `student_number` VARCHAR(20) NOT NULL,
  `course_id` INT NOT NULL,
  `score` DECIMAL(5,2) NULL,
  PRIMARY KEY (`student_id`),
  UNIQUE KEY `uq_students_student_number` (`student_number`),
  CONSTRAINT `fk_students_course_id` FOREIGN KEY (`course_id`) REFERENCES `courses` (`course_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
";
        assert_eq!(String::from_utf8_lossy(&out), expected);
    }
}
