//! The occupancy tables as one SQL script, the same bytes from the CLI (`occupancy generate
//! --format sql`, `occupancy train --sql`) and the page (its "Download SQL").

use campus_occupancy::sql::OccupancySql;
use campus_occupancy::train::data_fingerprint;
use campus_occupancy::{ModelBundle, Session};
use campus_sql::{Dialect, ScriptOptions, ScriptWriter};

use crate::JobError;

/// The database (PostgreSQL: schema) the script creates and uses unless told otherwise.
pub const DEFAULT_DATABASE: &str = "occupancy";

/// The file the page downloads, and the script's title.
pub const SQL_FILE: &str = "occupancy.sql";

/// Whether `bundle` was trained on `sessions`, in their order: only then do its version and its
/// predictions (which name sessions by their row) belong in a script of these sessions.
pub fn trained_on(bundle: &ModelBundle, sessions: &[Session]) -> bool {
    bundle.n_rows == sessions.len() && bundle.data_fingerprint == data_fingerprint(sessions)
}

/// A drop-and-recreate script of the sessions and, when given, the version trained on them with
/// its held-back predictions, in `dialect`, into `database`; `title` heads it (the CLI gives
/// its file's name). It loads again and again.
pub fn script(
    sessions: &[Session],
    bundle: Option<&ModelBundle>,
    dialect: Dialect,
    database: &str,
    title: &str,
) -> Result<Vec<u8>, JobError> {
    let data = match bundle {
        Some(bundle) => OccupancySql::trained(sessions, bundle),
        None => OccupancySql::sessions(sessions),
    };
    let options = ScriptOptions {
        database: database.to_owned(),
        title: title.to_owned(),
        drop_existing: true,
        dialect,
        ..ScriptOptions::default()
    };
    let mut script = Vec::new();
    let mut writer =
        ScriptWriter::new(&data, options).map_err(|err| JobError::new(err.to_string()))?;
    writer
        .write_all(&mut script)
        .map_err(|err| JobError::new(err.to_string()))?;
    Ok(script)
}

/// What the page says once the script is downloaded: what it holds, and why a serving version
/// was left out.
pub fn downloaded(
    dialect: Dialect,
    n_sessions: usize,
    serving: Option<u32>,
    with_version: bool,
) -> String {
    let sessions = match n_sessions {
        1 => "1 session".to_owned(),
        n => format!("{} sessions", crate::format::group(n as u64)),
    };
    let head = format!("{SQL_FILE} ({}): {sessions}", dialect.label());
    match (serving, with_version) {
        (Some(id), true) => {
            format!("{head}, version {id} and its predictions for the sessions it held back.")
        }
        (Some(id), false) => format!(
            "{head}; version {id} was trained on other sessions, so it is left out (its \
             predictions would name sessions not in the script)."
        ),
        (None, _) => format!("{head}; train or promote a version to add it and its predictions."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_says_what_the_script_holds() {
        assert_eq!(
            downloaded(Dialect::Postgres, 5000, Some(3), true),
            "occupancy.sql (PostgreSQL): 5,000 sessions, version 3 and its predictions for the \
             sessions it held back."
        );
        assert!(
            downloaded(Dialect::MySql, 1, Some(2), false)
                .contains("1 session; version 2 was trained on other sessions")
        );
        assert!(
            downloaded(Dialect::Sqlite, 10, None, false)
                .ends_with("train or promote a version to add it and its predictions.")
        );
    }
}
