//! Real-database tests: scripts load into a real MariaDB server and read back as generated.
//!
//! The server is started once per test binary in a temp folder, on a unix socket with networking
//! off. It runs under `sh`, which kills it when our stdin pipe closes, so it dies with the tests
//! even when they fail. `CAMPUS_MYSQL_SOCKET` points the tests at an existing server instead.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use campus_gen::{Config, TableId, Ums};
use campus_sql::Dialect;

use crate::loaded::{self, Adversarial, NASTY};
use crate::support::{TempDir, campus_ok};

struct Server {
    socket: PathBuf,
    _guard: Option<Mutex<Child>>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

fn server() -> &'static Server {
    match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(err) => panic!("{err}"),
    }
}

fn start() -> Result<Server, String> {
    if let Ok(socket) = std::env::var("CAMPUS_MYSQL_SOCKET") {
        return Ok(Server {
            socket: socket.into(),
            _guard: None,
        });
    }
    let dir = std::env::temp_dir().join(format!("campus-mariadb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let data = dir.join("data");
    let socket = dir.join("mysqld.sock");
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    // mariadbd refuses to run as root unless told to; as anyone else it runs as that user.
    let user = if is_root { "--user=root" } else { "" };
    let mut install = Command::new("mariadb-install-db");
    install.args([
        "--no-defaults",
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
    ]);
    install.arg(format!("--datadir={}", data.display()));
    if is_root {
        install.arg("--user=root");
    }
    let installed = install
        .output()
        .map_err(|e| format!("mariadb-install-db is missing ({e}): run scripts/setup.sh"))?;
    if !installed.status.success() {
        return Err(format!(
            "mariadb-install-db failed:\n{}",
            String::from_utf8_lossy(&installed.stderr)
        ));
    }
    let server = format!(
        "mariadbd --no-defaults --datadir={data} --socket={socket} --skip-networking {user} \
         --pid-file={dir}/mysqld.pid --log-error={dir}/error.log --innodb-buffer-pool-size=512M \
         --innodb-log-file-size=256M --innodb-flush-log-at-trx-commit=0 --max-allowed-packet=16M & \
         pid=$!; cat >/dev/null; kill $pid; wait $pid; rm -rf {dir}",
        data = data.display(),
        socket = socket.display(),
        dir = dir.display(),
    );
    let child = Command::new("sh")
        .args(["-c", &server])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start mariadbd: {e}"))?;
    let server = Server {
        socket,
        _guard: Some(Mutex::new(child)),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if server.socket.exists() && mysql(&server, None, "SELECT 1").is_ok() {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
    Err(format!("mariadbd did not come up within 60 s:\n{log}"))
}

fn client(server: &Server, database: Option<&str>) -> Command {
    let mut cmd = Command::new("mysql");
    cmd.arg("--no-defaults")
        .arg("-uroot")
        .arg(format!("--socket={}", server.socket.display()));
    cmd.args([
        "--default-character-set=utf8mb4",
        "--batch",
        "--skip-column-names",
    ]);
    if let Some(db) = database {
        cmd.arg(db);
    }
    cmd
}

/// Runs one query and returns its rows as tab-separated fields.
fn mysql(server: &Server, database: Option<&str>, query: &str) -> Result<Vec<Vec<String>>, String> {
    let output = client(server, database)
        .arg("-e")
        .arg(query)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text
        .lines()
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect())
}

fn query(database: &str, sql: &str) -> Vec<Vec<String>> {
    mysql(server(), Some(database), sql).unwrap_or_else(|err| panic!("{sql}\n{err}"))
}

fn scalar(database: &str, sql: &str) -> String {
    query(database, sql)
        .first()
        .and_then(|row| row.first())
        .cloned()
        .unwrap_or_default()
}

/// Loads a script through the stock `mysql` client, as a user would pipe it in.
fn load(path: &Path) -> Duration {
    let started = Instant::now();
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let output = client(server(), None)
        .stdin(file)
        .output()
        .unwrap_or_else(|e| panic!("mysql: {e}"));
    assert!(
        output.status.success(),
        "loading {} failed:\n{}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    started.elapsed()
}

fn generate(dir: &TempDir, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.path(name);
    let mut all = vec![
        "generate",
        "--quiet",
        "--out",
        path.to_str().unwrap_or_default(),
    ];
    all.extend_from_slice(args);
    campus_ok(&all);
    path
}

/// [`loaded::assert_consistent`] on a MariaDB database.
fn assert_consistent(database: &str, ums: &Ums) {
    loaded::assert_consistent(&|sql| scalar(database, sql), '`', ums);
}

#[test]
fn default_script_loads_and_is_consistent() {
    let dir = TempDir::new("db-default");
    let script = generate(&dir, "Create_FullDB.sql", &["--database", "uni_default"]);
    let took = load(&script);
    eprintln!("default script loaded in {:.2} s", took.as_secs_f64());
    assert_consistent(
        "uni_default",
        &Ums::new(Config::default()).unwrap_or_else(|e| panic!("{e}")),
    );
    // Checks are back on after the load.
    assert_eq!(scalar("uni_default", "SELECT @@FOREIGN_KEY_CHECKS"), "1");
}

#[test]
fn stored_procedure_enrolls_a_student() {
    let dir = TempDir::new("db-proc");
    let script = generate(
        &dir,
        "proc.sql",
        &["--students", "50", "--database", "uni_proc"],
    );
    load(&script);
    query(
        "uni_proc",
        "CALL enroll_student(1, 2, 3, 1, 2, 2025, 'Enrolled')",
    );
    let row = query(
        "uni_proc",
        "SELECT student_id, course_id, module_id, level_id, qualification_id, academic_year, status, enrollment_date = CURDATE(), credits FROM student_enrollment ORDER BY enrollment_id DESC LIMIT 1",
    );
    assert_eq!(
        row,
        vec![vec!["1", "2", "3", "1", "2", "2025", "Enrolled", "1", "0"]]
    );
}

#[test]
fn drop_and_recreate_loads_twice_and_sections_combine() {
    let dir = TempDir::new("db-sections");
    let schema = generate(
        &dir,
        "schema.sql",
        &[
            "--students",
            "400",
            "--schema-only",
            "--drop",
            "--database",
            "uni_sections",
        ],
    );
    let data = generate(
        &dir,
        "data.sql",
        &[
            "--students",
            "400",
            "--data-only",
            "--database",
            "uni_sections",
        ],
    );
    load(&schema);
    load(&data);
    load(&schema);
    load(&data);
    assert_consistent(
        "uni_sections",
        &Ums::new(Config::scaled(400)).unwrap_or_else(|e| panic!("{e}")),
    );
}

#[test]
fn parts_load_to_the_same_tables_as_one_run() {
    let dir = TempDir::new("db-parts");
    let whole = generate(
        &dir,
        "whole.sql",
        &["--students", "1500", "--database", "uni_whole"],
    );
    load(&whole);
    let schema = generate(
        &dir,
        "schema.sql",
        &[
            "--students",
            "1500",
            "--schema-only",
            "--database",
            "uni_parts",
        ],
    );
    load(&schema);
    for k in 1..=4 {
        let part = format!("{k}/4");
        let path = generate(
            &dir,
            &format!("part{k}.sql"),
            &[
                "--students",
                "1500",
                "--part",
                &part,
                "--database",
                "uni_parts",
            ],
        );
        // A part is the bare data section: pick the database and session settings on the client.
        let mut sql = b"SET FOREIGN_KEY_CHECKS=0; USE uni_parts;\n".to_vec();
        sql.extend(crate::support::read(&path));
        std::fs::write(&path, sql).unwrap_or_else(|e| panic!("{e}"));
        load(&path);
    }
    for table in TableId::ALL {
        let name = Ums::new(Config::scaled(1500))
            .map(|u| u.table(table).name.to_string())
            .unwrap_or_default();
        let a = query("uni_whole", &format!("CHECKSUM TABLE `{name}`"));
        let b = query("uni_parts", &format!("CHECKSUM TABLE `{name}`"));
        assert_eq!(
            a.first().and_then(|r| r.get(1)),
            b.first().and_then(|r| r.get(1)),
            "{name}"
        );
    }
}

#[test]
fn adversarial_strings_read_back_byte_equal() {
    let script = Adversarial::script(Dialect::MySql, "uni_nasty");
    let dir = TempDir::new("db-nasty");
    let path = dir.path("nasty.sql");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&script))
        .unwrap_or_else(|e| panic!("{e}"));
    load(&path);
    let rows = query("uni_nasty", "SELECT id, HEX(value) FROM nasty ORDER BY id");
    assert_eq!(rows.len(), NASTY.len());
    for (row, expected) in rows.iter().zip(NASTY) {
        let hex: String = expected.bytes().map(|b| format!("{b:02X}")).collect();
        assert_eq!(row.get(1), Some(&hex), "{expected:?}");
    }
}

#[test]
fn a_hundred_thousand_students_load() {
    let dir = TempDir::new("db-100k");
    let script = generate(
        &dir,
        "big.sql",
        &["--students", "100000", "--database", "uni_100k"],
    );
    let took = load(&script);
    eprintln!(
        "100,000-student script loaded in {:.1} s",
        took.as_secs_f64()
    );
    let ums = Ums::new(Config::scaled(100_000)).unwrap_or_else(|e| panic!("{e}"));
    for table in [
        TableId::Students,
        TableId::StudentEnrollment,
        TableId::StudentMarks,
        TableId::Applicants,
    ] {
        let name = &ums.table(table).name;
        assert_eq!(
            scalar("uni_100k", &format!("SELECT COUNT(*) FROM `{name}`")),
            ums.count(table).to_string(),
            "{name}"
        );
    }
    let orphans = scalar(
        "uni_100k",
        "SELECT COUNT(*) FROM student_marks k LEFT JOIN students s ON s.student_id = k.student_id WHERE s.student_id IS NULL",
    );
    assert_eq!(orphans, "0");
}

#[test]
fn etl_staging_sql_loads_with_the_counts_it_printed() {
    let dir = TempDir::new("etl-staging");
    let staging = loaded::etl_staging(&dir, Dialect::MySql, Some("campus_etl_stage"));
    load(&staging);
    let count = |sql: &str| scalar("campus_etl_stage", sql);
    loaded::assert_staging_counts(&count);
    // Hashes are 64 lowercase hex digits, as Python's hexdigest() writes them.
    assert_eq!(
        count("SELECT COUNT(*) FROM stg_students WHERE student_hash NOT REGEXP '^[0-9a-f]{64}$'"),
        "0"
    );
}

#[test]
fn verify_sql_matches_every_table_and_finds_a_deleted_row() {
    let dir = TempDir::new("db-verify");
    let script = generate(
        &dir,
        "m.sql",
        &["--students", "400", "--database", "uni_verify"],
    );
    let verify = generate(
        &dir,
        "verify.sql",
        &[
            "--students",
            "400",
            "--database",
            "uni_verify",
            "--format",
            "verify",
        ],
    );
    load(&script);
    let check = || {
        let file = std::fs::File::open(&verify).unwrap_or_else(|e| panic!("{e}"));
        let output = client(server(), None)
            .stdin(file)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let ums = Ums::new(Config::scaled(400)).unwrap_or_else(|e| panic!("{e}"));
    loaded::assert_verified(&check(), &ums, None);
    query("uni_verify", "DELETE FROM student_marks WHERE mark_id = 3");
    loaded::assert_verified(&check(), &ums, Some("student_marks"));
}

#[test]
fn the_fast_load_folder_loads_the_same_rows_with_load_data() {
    let dir = TempDir::new("db-fast");
    let folder = dir.path("load");
    let out = folder.display().to_string();
    campus_ok(&[
        "generate",
        "--format",
        "load",
        "--students",
        "500",
        "--database",
        "uni_fast",
        "--quiet",
        "--out",
        &out,
    ]);
    let run = |file: &str| {
        let input = std::fs::File::open(folder.join(file)).unwrap_or_else(|e| panic!("{e}"));
        let output = client(server(), None)
            .arg("--local-infile=1")
            .current_dir(&folder)
            .stdin(input)
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
    let ums = Ums::new(Config::scaled(500)).unwrap_or_else(|e| panic!("{e}"));
    loaded::assert_verified(&run("verify.sql"), &ums, None);
    assert_consistent("uni_fast", &ums);
    // The keys built after the rows are the INSERT script's, name for name.
    let dir_insert = TempDir::new("db-fast-insert");
    let script = generate(
        &dir_insert,
        "insert.sql",
        &["--students", "500", "--database", "uni_fast_insert"],
    );
    load(&script);
    for table in TableId::ALL {
        let name = &ums.table(table).name;
        let show = |database: &str| query(database, &format!("SHOW CREATE TABLE `{name}`"));
        assert_eq!(show("uni_fast"), show("uni_fast_insert"), "{name}");
    }
}

/// Regression: a part had no `USE`, so `mysql < part.sql` failed with ERROR 1046 (no database
/// selected) and `--database` did nothing there. Parts now load straight through the client.
#[test]
fn parts_load_on_their_own_into_their_database() {
    let dir = TempDir::new("db-parts-use");
    let schema = generate(
        &dir,
        "schema.sql",
        &[
            "--students",
            "300",
            "--schema-only",
            "--database",
            "uni_parts_use",
        ],
    );
    load(&schema);
    for k in 1..=3 {
        let part = format!("{k}/3");
        let path = generate(
            &dir,
            &format!("part{k}.sql"),
            &[
                "--students",
                "300",
                "--part",
                &part,
                "--database",
                "uni_parts_use",
            ],
        );
        load(&path);
    }
    assert_consistent(
        "uni_parts_use",
        &Ums::new(Config::scaled(300)).unwrap_or_else(|e| panic!("{e}")),
    );
}

#[test]
fn occupancy_sessions_versions_and_predictions_load() {
    let dir = TempDir::new("occupancy-sql");
    let (sessions, trained) = loaded::occupancy_scripts(&dir, Dialect::MySql, "campus_occupancy");
    load(&sessions);
    load(&trained);
    loaded::assert_occupancy_loaded(&|sql| scalar("campus_occupancy", sql));
}
