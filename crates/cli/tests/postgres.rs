//! PostgreSQL tests: `--dialect postgres` scripts load into a real PostgreSQL server with psql and
//! read back as generated.
//!
//! A throwaway cluster is made once per test binary with `initdb` in a temp folder and served on a
//! unix socket with networking off, like the MariaDB tests' server: it runs under `sh`, which stops
//! it when our stdin pipe closes. PostgreSQL refuses to run as root, so as root the cluster belongs
//! to the `postgres` user (Debian's package makes it) and runs through `setpriv`.
//! `CAMPUS_PG_SOCKET_DIR` points the tests at an existing server instead (user `postgres`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use campus_gen::{Config, Ums};
use campus_sql::Dialect;

use crate::loaded::{self, Adversarial};
use crate::support::{TempDir, campus, campus_ok};

struct Server {
    socket_dir: PathBuf,
    _guard: Option<Mutex<Child>>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

fn server() -> &'static Server {
    match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(err) => panic!("{err}"),
    }
}

/// The newest PostgreSQL's programs (Debian keeps them out of PATH).
fn bin_dir() -> Result<PathBuf, String> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .map_err(|e| {
            format!(
                "no PostgreSQL in {} ({e}): run scripts/setup.sh",
                root.display()
            )
        })?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no initdb under /usr/lib/postgresql: run scripts/setup.sh".into())
}

fn start() -> Result<Server, String> {
    if let Ok(dir) = std::env::var("CAMPUS_PG_SOCKET_DIR") {
        return Ok(Server {
            socket_dir: dir.into(),
            _guard: None,
        });
    }
    let bin = bin_dir()?;
    let dir = std::env::temp_dir().join(format!("campus-postgres-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    // As root: the folder goes to `postgres`, and every server program runs as that user.
    let as_user = if is_root {
        let chown = Command::new("chown")
            .args(["postgres:", &dir.display().to_string()])
            .output()
            .map_err(|e| e.to_string())?;
        if !chown.status.success() {
            return Err(format!(
                "cannot give {} to the postgres user (is PostgreSQL installed? run scripts/setup.sh): {}",
                dir.display(),
                String::from_utf8_lossy(&chown.stderr)
            ));
        }
        "setpriv --reuid=postgres --regid=postgres --init-groups "
    } else {
        ""
    };
    let data = dir.join("data");
    let init = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{as_user}{initdb} -D {data} -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync",
            initdb = bin.join("initdb").display(),
            data = data.display(),
        ))
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !init.status.success() {
        return Err(format!(
            "initdb failed:\n{}",
            String::from_utf8_lossy(&init.stderr)
        ));
    }
    // No durability needed: the cluster is thrown away with the tests.
    let server = format!(
        "{as_user}{postgres} -D {data} -k {dir} -c listen_addresses= -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=2GB \
         >{dir}/server.log 2>&1 & pid=$!; cat >/dev/null; kill $pid; wait $pid; rm -rf {dir}",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        dir = dir.display(),
    );
    let child = Command::new("sh")
        .args(["-c", &server])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    let server = Server {
        socket_dir: dir.clone(),
        _guard: Some(Mutex::new(child)),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while psql(&server, "postgres", "SELECT 1").is_err() {
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            return Err(format!("PostgreSQL did not start within 60 s:\n{log}"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(server)
}

fn client(server: &Server, database: &str) -> Command {
    let mut cmd = Command::new("psql");
    cmd.arg("-X")
        .args(["-h", &server.socket_dir.display().to_string()])
        .args(["-U", "postgres", "-d", database])
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-F", "\t"])
        // The scripts' schema, for queries with unqualified names.
        .env("PGOPTIONS", "-c search_path=university_system,public");
    cmd
}

fn psql(server: &Server, database: &str, sql: &str) -> Result<Vec<Vec<String>>, String> {
    let output = client(server, database)
        .args(["-c", sql])
        .output()
        .map_err(|e| format!("cannot run psql (scripts/setup.sh installs it): {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect())
}

fn query(database: &str, sql: &str) -> Vec<Vec<String>> {
    psql(server(), database, sql).unwrap_or_else(|err| panic!("{sql}\n{err}"))
}

fn scalar(database: &str, sql: &str) -> String {
    query(database, sql)
        .first()
        .and_then(|row| row.first())
        .cloned()
        .unwrap_or_default()
}

/// A new, empty database named `name`.
fn create_database(name: &str) {
    query("postgres", &format!("DROP DATABASE IF EXISTS {name}"));
    query("postgres", &format!("CREATE DATABASE {name}"));
}

/// Loads a script with psql as its header says; returns the time taken, or psql's error.
fn try_load(database: &str, path: &Path) -> Result<Duration, String> {
    let started = Instant::now();
    let output = client(server(), database)
        .arg("-f")
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(started.elapsed())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn load(database: &str, path: &Path) -> Duration {
    try_load(database, path).unwrap_or_else(|err| panic!("loading {}: {err}", path.display()))
}

fn generate(dir: &TempDir, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.path(name);
    let out = path.display().to_string();
    let mut all = vec![
        "generate",
        "--quiet",
        "--dialect",
        "postgres",
        "--out",
        &out,
    ];
    all.extend_from_slice(args);
    campus_ok(&all);
    path
}

fn ums(config: Config) -> Ums {
    Ums::new(config).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn default_script_loads_with_every_key_and_fact() {
    let dir = TempDir::new("pg-default");
    let script = generate(&dir, "Create_FullDB.sql", &[]);
    create_database("uni_default");
    let took = load("uni_default", &script);
    eprintln!(
        "PostgreSQL: default script loaded in {:.2} s",
        took.as_secs_f64()
    );
    loaded::assert_consistent(
        &|sql| scalar("uni_default", sql),
        '"',
        &ums(Config::default()),
    );
    // Every reference is a validated constraint, not only a clean join.
    let constraints = scalar(
        "uni_default",
        "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND convalidated \
         AND connamespace = 'university_system'::regnamespace",
    );
    let references: usize = campus_gen::TableId::ALL
        .iter()
        .map(|&t| ums(Config::default()).table(t).foreign_keys().count())
        .sum();
    assert_eq!(constraints, references.to_string());
}

#[test]
fn the_function_enrolls_a_student_today_with_the_next_id() {
    let dir = TempDir::new("pg-function");
    let script = generate(&dir, "Create_FullDB.sql", &["--students", "300"]);
    create_database("uni_function");
    load("uni_function", &script);
    let before = scalar(
        "uni_function",
        "SELECT MAX(enrollment_id) FROM student_enrollment",
    );
    query(
        "uni_function",
        "SELECT enroll_student(1, 1, 1, 1, 1, 2024, 'Enrolled')",
    );
    let row = query(
        "uni_function",
        "SELECT enrollment_id, status, enrollment_date = CURRENT_DATE, credits FROM student_enrollment \
         ORDER BY enrollment_id DESC LIMIT 1",
    );
    let next = before
        .parse::<u64>()
        .map(|n| (n + 1).to_string())
        .unwrap_or_default();
    assert_eq!(
        row.first().map(Vec::as_slice),
        Some(&[next, "Enrolled".into(), "t".into(), "0".into()][..])
    );
}

#[test]
fn drop_and_recreate_loads_twice_and_sections_combine() {
    let dir = TempDir::new("pg-drop");
    let script = generate(&dir, "drop.sql", &["--students", "500", "--drop"]);
    create_database("uni_drop");
    load("uni_drop", &script);
    load("uni_drop", &script);
    let expected = ums(Config::scaled(500));
    loaded::assert_consistent(&|sql| scalar("uni_drop", sql), '"', &expected);
    // The schema alone, then the data alone (its rows in table order, keys already on).
    let schema = generate(&dir, "schema.sql", &["--students", "500", "--schema-only"]);
    let data = generate(&dir, "data.sql", &["--students", "500", "--data-only"]);
    create_database("uni_sections");
    load("uni_sections", &schema);
    load("uni_sections", &data);
    loaded::assert_consistent(&|sql| scalar("uni_sections", sql), '"', &expected);
}

#[test]
fn adversarial_strings_read_back_byte_equal_and_a_nul_is_refused_aloud() {
    let dir = TempDir::new("pg-nasty");
    let path = dir.path("nasty.sql");
    let script = Adversarial::script(Dialect::Postgres, "uni_nasty");
    // PostgreSQL's text cannot hold a NUL byte: that row fails the load with a clear error.
    let mut file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}"));
    file.write_all(&script).unwrap_or_else(|e| panic!("{e}"));
    create_database("uni_nasty");
    let refused = try_load("uni_nasty", &path).err().unwrap_or_default();
    assert!(
        refused.contains("null character not permitted"),
        "{refused}"
    );
    // Without it, every other string reads back byte for byte.
    let nul = "'nul' || chr(0) || 'byte'";
    let text = String::from_utf8_lossy(&script).replace(nul, "'nul byte'");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    load("uni_nasty", &path);
    let rows = query(
        "uni_nasty",
        "SELECT upper(encode(convert_to(value, 'UTF8'), 'hex')) FROM uni_nasty.nasty ORDER BY id",
    );
    let mut expected = Adversarial::hex();
    let nul_row = loaded::NASTY
        .iter()
        .position(|s| s.contains('\0'))
        .unwrap_or(0);
    expected[nul_row] = "nul byte".bytes().map(|b| format!("{b:02X}")).collect();
    let got: Vec<String> = rows.into_iter().map(|r| r.concat()).collect();
    assert_eq!(got, expected);
}

#[test]
fn a_hundred_thousand_students_load() {
    let dir = TempDir::new("pg-100k");
    let script = generate(&dir, "big.sql", &["--students", "100000"]);
    create_database("uni_big");
    let took = load("uni_big", &script);
    eprintln!(
        "PostgreSQL: 100,000-student script loaded in {:.2} s",
        took.as_secs_f64()
    );
    let expected = ums(Config::scaled(100_000));
    for table in campus_gen::TableId::ALL {
        let name = &expected.table(table).name;
        assert_eq!(
            scalar("uni_big", &format!("SELECT COUNT(*) FROM \"{name}\"")),
            expected.count(table).to_string(),
            "{name}"
        );
    }
}

#[test]
fn dialect_applies_to_sql_only() {
    let dir = TempDir::new("pg-flags");
    let out = dir.path("csv").display().to_string();
    let output = campus(&[
        "generate",
        "--format",
        "csv",
        "--dialect",
        "postgres",
        "--out",
        &out,
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("applies to --format sql"));
    let output = campus(&["generate", "--dialect", "oracle", "--out", &out]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("oracle"));
}

#[test]
fn verify_sql_matches_every_table_and_finds_a_deleted_row() {
    let dir = TempDir::new("pg-verify");
    let script = generate(&dir, "pg.sql", &["--students", "400"]);
    let verify = generate(
        &dir,
        "verify.sql",
        &["--students", "400", "--format", "verify"],
    );
    create_database("uni_verify");
    load("uni_verify", &script);
    let check = || {
        let output = client(server(), "uni_verify")
            .arg("-f")
            .arg(&verify)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let ums = ums(Config::scaled(400));
    loaded::assert_verified(&check(), &ums, None);
    query("uni_verify", "DELETE FROM student_marks WHERE mark_id = 3");
    loaded::assert_verified(&check(), &ums, Some("student_marks"));
}

#[test]
fn the_fast_load_folder_loads_the_same_rows_with_copy() {
    let dir = TempDir::new("pg-fast");
    let folder = dir.path("load");
    let out = folder.display().to_string();
    campus_ok(&[
        "generate",
        "--format",
        "load",
        "--dialect",
        "postgres",
        "--students",
        "500",
        "--quiet",
        "--out",
        &out,
    ]);
    create_database("uni_fast");
    let run = |file: &str| {
        let output = client(server(), "uni_fast")
            .current_dir(&folder)
            .args(["-f", file])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    run("load.sql");
    let ums = ums(Config::scaled(500));
    loaded::assert_verified(&run("verify.sql"), &ums, None);
    loaded::assert_consistent(&|sql| scalar("uni_fast", sql), '"', &ums);
    // The keys built after the rows are the INSERT script's: the same catalog, name for name.
    let dir_insert = TempDir::new("pg-fast-insert");
    let script = generate(&dir_insert, "insert.sql", &["--students", "500"]);
    create_database("uni_fast_insert");
    load("uni_fast_insert", &script);
    let catalog = [
        "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity, \
         identity_generation FROM information_schema.columns \
         WHERE table_schema = 'university_system' ORDER BY 1, ordinal_position",
        "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) \
         FROM pg_constraint WHERE connamespace = 'university_system'::regnamespace ORDER BY 1, 2",
        "SELECT tablename, indexname, indexdef FROM pg_indexes \
         WHERE schemaname = 'university_system' ORDER BY 1, 2",
        "SELECT sequencename, last_value FROM pg_sequences \
         WHERE schemaname = 'university_system' ORDER BY 1",
    ];
    for sql in catalog {
        let fast = query("uni_fast", sql);
        assert!(fast.len() > 10, "{sql}: {fast:?}");
        assert_eq!(fast, query("uni_fast_insert", sql), "{sql}");
    }
}

#[test]
fn parts_leave_the_identities_past_their_ids() {
    let dir = TempDir::new("pg-parts");
    let schema = generate(&dir, "schema.sql", &["--students", "500", "--schema-only"]);
    create_database("uni_parts");
    load("uni_parts", &schema);
    for k in 1..=3 {
        let part = format!("{k}/3");
        let path = generate(
            &dir,
            &format!("part{k}.sql"),
            &["--students", "500", "--part", &part],
        );
        load("uni_parts", &path);
    }
    let expected = ums(Config::scaled(500));
    loaded::assert_consistent(&|sql| scalar("uni_parts", sql), '"', &expected);
    // Rows added without an id take the next ones, in every table.
    for table in campus_gen::TableId::ALL {
        let schema = expected.table(table);
        let Some(pk) = schema.primary_key() else {
            continue;
        };
        let next = scalar(
            "uni_parts",
            &format!(
                "SELECT nextval(pg_get_serial_sequence('university_system.{}', '{}'))",
                schema.name, pk.name
            ),
        );
        assert_eq!(
            next,
            (expected.count(table) + 1).to_string(),
            "next id of {}",
            schema.name
        );
    }
    query(
        "uni_parts",
        "INSERT INTO levels (level_name) VALUES ('Postgraduate')",
    );
    query(
        "uni_parts",
        "SELECT enroll_student(1, 1, 1, 1, 1, 2024, 'Enrolled')",
    );
}

#[test]
fn etl_staging_sql_loads_with_the_counts_it_printed() {
    let dir = TempDir::new("pg-etl-staging");
    let staging = loaded::etl_staging(&dir, Dialect::Postgres, Some("campus_etl_stage"));
    create_database("uni_etl");
    load("uni_etl", &staging);
    let count = |sql: &str| {
        scalar(
            "uni_etl",
            &format!("SET search_path TO campus_etl_stage; {sql}"),
        )
    };
    loaded::assert_staging_counts(&count);
    assert_eq!(
        count("SELECT COUNT(*) FROM stg_attendance WHERE present_flag"),
        count("SELECT COUNT(*) FROM stg_attendance WHERE present_flag IS TRUE")
    );
}

#[test]
fn occupancy_sessions_versions_and_predictions_load() {
    let dir = TempDir::new("pg-occupancy");
    let (sessions, trained) = loaded::occupancy_scripts(&dir, Dialect::Postgres, "occupancy");
    create_database("uni_occupancy");
    load("uni_occupancy", &sessions);
    let count = |sql: &str| {
        scalar(
            "uni_occupancy",
            &format!("SET search_path TO occupancy; {sql}"),
        )
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM occupancy_sessions"),
        loaded::OCCUPANCY_SESSIONS.to_string()
    );
    // The trained script drops and recreates the sessions: it loads over the first.
    load("uni_occupancy", &trained);
    loaded::assert_occupancy_loaded(&count);
}
