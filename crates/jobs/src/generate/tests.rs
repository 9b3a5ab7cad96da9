//! The generator job natively: form parsing, the chunk sources, the chart figures, the service's
//! requests and events, and the page's reducer. The first tests here moved from the page's
//! browser tests with their assertions unchanged.

use std::io::Read;

use campus_gen::{Config, TableId, Ums};
use campus_schema::Dataset;
use campus_sql::{Part, ScriptOptions, ScriptWriter, enroll_student};

use crate::format::group;
use crate::generate::form::{Field, FormError, FormInput, parse_count};
use crate::generate::page::{Action, JobKind, Output, State};
use crate::generate::{
    ChunkSource, Event, GenerateService, LOAD_FILE, Request, SQL_FILE, ScriptChoices, SqlSource,
    Summary, Tapped, VERIFY_FILE, ZIP_FILE, ZipSource, load_scripts,
};
use crate::{Bytes, Outcome, Service, Step, drive};

/// Drains a source with a given chunk size.
fn drain(source: &mut dyn ChunkSource, chunk: usize) -> Vec<u8> {
    let mut all = Vec::new();
    loop {
        let mut out = Vec::new();
        let more = source.fill(&mut out, chunk).unwrap_or(false);
        all.extend_from_slice(&out);
        if !more {
            return all;
        }
    }
}

fn ums(students: u64) -> Ums {
    Ums::new(Config::scaled(students)).unwrap_or_else(|e| panic!("{e}"))
}

/// The whole script `campus generate` writes for this dataset.
fn whole_script(ums: &Ums) -> Vec<u8> {
    let mut whole = Vec::new();
    let options = ScriptChoices::default().script_options();
    let mut writer = ScriptWriter::new(ums, options).unwrap_or_else(|e| panic!("{e}"));
    writer
        .write_all(&mut whole)
        .unwrap_or_else(|e| panic!("{e}"));
    whole
}

// Form parsing: what a user types, what they are told.

fn check(field: Field, text: &str, expected: Result<u64, &str>) {
    let got = parse_count(field, text).map_err(|e| e.to_string());
    match expected {
        Ok(v) => assert_eq!(got, Ok(v), "{text:?}"),
        Err(fragment) => {
            let message = got.err().unwrap_or_default();
            assert!(
                message.contains(fragment),
                "{text:?}: {message:?} lacks {fragment:?}"
            );
        }
    }
}

#[test]
fn counts_parse_with_clear_messages() {
    check(Field::Students, "5000", Ok(5000));
    check(Field::Students, " 1,000,000 ", Ok(1_000_000));
    check(Field::Students, "1_000", Ok(1000));
    check(Field::Students, "", Err("Students is required"));
    check(Field::Students, "   ", Err("is required"));
    check(Field::Students, "-5", Err("cannot be negative"));
    check(Field::Students, "abc", Err("must be a whole number"));
    check(Field::Students, "1.5", Err("must be a whole number"));
    check(Field::Students, "1e6", Err("must be a whole number"));
    check(Field::Students, "2000001", Err("at most 2,000,000"));
    check(
        Field::Students,
        "99999999999999999999999",
        Err("at most 2,000,000"),
    );
    check(Field::Seed, "18446744073709551615", Ok(u64::MAX));
    check(
        Field::Seed,
        "18446744073709551616",
        Err("at most 18,446,744,073,709,551,615"),
    );
    check(Field::Seed, "0", Ok(0));
    // The example is the field's own default, not one number for every field.
    check(
        Field::AcademicYear,
        "abc",
        Err("Academic year must be a whole number, like 2024"),
    );
    check(
        Field::EnrollmentsPerStudent,
        "x",
        Err("Enrollments per student must be a whole number, like 4"),
    );
}

#[test]
fn a_cross_field_error_names_the_pages_limit() {
    let mut form = FormInput::default();
    form.set_value(Field::Students, "0".into());
    let errors = form.parse().err().unwrap_or_default();
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        vec!["Students must be between 1 and 2,000,000 in the browser (use the CLI for more)"]
    );
}

#[test]
fn default_form_is_the_default_config_and_the_cli_options() {
    let (config, sql) = FormInput::default()
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(config, Config::default());
    assert_eq!(sql, ScriptChoices::default());
    // `campus generate` writes exactly these options.
    let cli = ScriptOptions {
        routines: vec![enroll_student()],
        ..ScriptOptions::default()
    };
    assert_eq!(sql.script_options(), cli);
}

#[test]
fn cross_field_errors_name_the_field() {
    let mut form = FormInput::default();
    form.set_value(Field::Staff, "3".into());
    let errors = form.parse().err().unwrap_or_default();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field(), Some(Field::Staff));
    assert!(
        errors[0]
            .to_string()
            .starts_with("Staff must be between 10 and"),
        "{}",
        errors[0]
    );

    let form = FormInput {
        database: "drop table;".into(),
        data: false,
        schema: false,
        ..FormInput::default()
    };
    let errors = form.parse().err().unwrap_or_default();
    assert!(errors.iter().all(|e| e.field().is_none()));
    assert!(
        errors[0].to_string().starts_with("Database name"),
        "{}",
        errors[0]
    );
}

#[test]
fn scaling_keeps_seed_and_grows_the_other_sizes() {
    let mut form = FormInput::default();
    form.set_value(Field::Seed, "7".into());
    form.set_value(Field::Students, "50,000".into());
    let (config, _) = form
        .scaled_to_students()
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        config,
        Config {
            seed: 7,
            ..Config::scaled(50_000)
        }
    );
    assert_eq!(group(1234567), "1,234,567");
    assert_eq!(group(12), "12");
}

// The worker's outputs.

#[test]
fn sql_chunks_concatenate_to_the_whole_script() {
    let ums = ums(200);
    let whole = whole_script(&ums);
    let tapped = Tapped::new(&ums);
    for chunk in [1, 1000, 1 << 20] {
        let mut source =
            SqlSource::new(&tapped, &ScriptChoices::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(drain(&mut source, chunk), whole, "chunk size {chunk}");
    }
}

#[test]
fn stats_count_every_student_and_mark() {
    let ums = ums(300);
    let tapped = Tapped::new(&ums);
    let mut source =
        SqlSource::new(&tapped, &ScriptChoices::default()).unwrap_or_else(|e| panic!("{e}"));
    drain(&mut source, 1 << 16);
    let stats = tapped.stats();
    assert_eq!(
        stats.final_scores.iter().sum::<u64>(),
        ums.count(TableId::StudentMarks)
    );
    assert_eq!(
        stats.departments.iter().map(|(_, n)| n).sum::<u64>(),
        ums.count(TableId::Students)
    );
    assert_eq!(
        stats.courses.iter().map(|(_, _, n)| n).sum::<u64>(),
        ums.count(TableId::Students)
    );
    assert_eq!(
        stats.departments.len() as u64,
        ums.count(TableId::Departments)
    );
    assert!(stats.departments.iter().all(|(name, _)| !name.is_empty()));
}

/// Every file of a zip, by name.
fn unzip(bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    (0..archive.len())
        .map(|idx| {
            let mut file = archive.by_index(idx).unwrap_or_else(|e| panic!("{e}"));
            let mut text = Vec::new();
            file.read_to_end(&mut text)
                .unwrap_or_else(|e| panic!("{e}"));
            let name = file.name().map(|n| n.to_string()).unwrap_or_default();
            (name, text)
        })
        .collect()
}

fn table_csv(ums: &Ums, idx: usize) -> Vec<u8> {
    let mut expected = Vec::new();
    campus_csv::TableCsv::new(ums, idx).fill(&mut expected, usize::MAX);
    expected
}

#[test]
fn zip_holds_one_csv_per_table() {
    let ums = ums(200);
    let mut source = ZipSource::new(&ums);
    let bytes = drain(&mut source, 1 << 14);
    assert_eq!(source.progress(), (ums.total_rows(), ums.total_rows()));
    let files = unzip(bytes);
    assert_eq!(files.len(), TableId::ALL.len());
    for (idx, table) in ums.tables().iter().enumerate() {
        let text = files
            .iter()
            .find(|(name, _)| *name == format!("{}.csv", table.name))
            .map(|(_, text)| text.clone())
            .unwrap_or_else(|| panic!("no {}.csv", table.name));
        assert_eq!(text, table_csv(&ums, idx), "{}", table.name);
    }
}

#[test]
fn chunk_messages_survive_the_worker_codec() {
    let event = Event::Chunk {
        bytes: Bytes((0..=255).collect()),
        rows_done: 5,
        rows_total: 9,
    };
    let round_trip = |event: &Event| {
        let encoded = postcard::to_allocvec(event).unwrap_or_else(|e| panic!("{e}"));
        postcard::from_bytes::<Event>(&encoded).unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(round_trip(&event), event);
    let done = Event::Done(Summary::default());
    assert_eq!(round_trip(&done), done);
    let request = Request::Sql {
        config: Config::default(),
        script: ScriptChoices {
            part: Some(Part { index: 2, count: 3 }),
            ..ScriptChoices::default()
        },
    };
    let encoded = postcard::to_allocvec(&request).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        postcard::from_bytes::<Request>(&encoded).ok(),
        Some(request)
    );
}

// The page.

#[test]
fn reducer_ignores_news_of_jobs_no_longer_running() {
    let mut state = State::default();
    state.apply(Action::Started {
        job_id: 1,
        kind: JobKind::Sql,
    });
    state.apply(Action::Progress {
        job_id: 1,
        rows_done: 10,
        rows_total: 100,
        bytes: 999,
    });
    assert_eq!(state.running.as_ref().map(|r| r.rows_done), Some(10));
    state.apply(Action::CancelRequested);
    assert!(state.running.is_none());
    assert_eq!(
        state.notice.as_ref().map(|n| n.text.as_str()),
        Some("Cancelled.")
    );
    state.apply(Action::Progress {
        job_id: 1,
        rows_done: 20,
        rows_total: 100,
        bytes: 999,
    });
    state.apply(Action::Failed {
        job_id: Some(1),
        message: "late".into(),
    });
    assert!(state.running.is_none());
    assert_eq!(state.notice.as_ref().map(|n| n.is_error), Some(false));
    state.apply(Action::SetSchema(false));
    assert!(!state.form.drop_existing && !state.form.schema);
}

// New: the service end to end, as the CLI and the worker drive it.

/// Runs a request to its end: (file name, bytes) per file, and the last event.
fn run(service: &mut GenerateService, request: Request) -> (Vec<(String, Vec<u8>)>, Event) {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut last = None;
    let mut progress = 0;
    let outcome = drive(service, request, |event| {
        match &event {
            Event::File { name } => files.push((name.clone(), Vec::new())),
            Event::Chunk {
                bytes,
                rows_done,
                rows_total,
            } => {
                assert!(*rows_done >= progress && rows_done <= rows_total);
                progress = *rows_done;
                match files.last_mut() {
                    Some((_, file)) => file.extend_from_slice(&bytes.0),
                    None => panic!("a chunk before any file"),
                }
            }
            Event::Done(_) | Event::Checked { .. } => {}
        }
        last = Some(event);
        true
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome, Outcome::Finished);
    (files, last.unwrap_or_else(|| panic!("no events")))
}

fn sql_request(students: u64, script: ScriptChoices) -> Request {
    Request::Sql {
        config: Config::scaled(students),
        script,
    }
}

#[test]
fn service_script_is_the_whole_script_with_figures_whatever_the_chunk_size() {
    let ums = ums(300);
    let whole = whole_script(&ums);
    for chunk in [1 << 10, 1 << 16, crate::generate::CHUNK_BYTES] {
        let mut service = GenerateService::with_chunk_bytes(chunk);
        let (files, last) = run(&mut service, sql_request(300, ScriptChoices::default()));
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, SQL_FILE);
        assert!(files[0].1 == whole, "chunk size {chunk}");
        let Event::Done(summary) = last else {
            panic!("{last:?}")
        };
        assert_eq!(summary.bytes, whole.len() as u64);
        assert_eq!(summary.tables.len(), TableId::ALL.len());
        assert_eq!(
            summary.tables.iter().map(|(_, n)| n).sum::<u64>(),
            ums.total_rows()
        );
        let stats = summary.stats.unwrap_or_else(|| panic!("no figures"));
        assert_eq!(
            stats.final_scores.iter().sum::<u64>(),
            ums.count(TableId::StudentMarks)
        );
    }
}

#[test]
fn seed_42_script_from_the_service_is_the_pinned_one() {
    use sha2::{Digest, Sha256};
    let mut service = GenerateService::default();
    let request = Request::Sql {
        config: Config::default(),
        script: ScriptChoices::default(),
    };
    let (files, _) = run(&mut service, request);
    let digest = Sha256::digest(&files[0].1);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let pinned = include_str!("../../../../tests/data/seed42.sha256");
    assert_eq!(hex, pinned.trim());
}

#[test]
fn scripts_without_the_whole_data_have_no_figures() {
    let mut service = GenerateService::with_chunk_bytes(1 << 16);
    let schema_only = ScriptChoices {
        data: false,
        ..ScriptChoices::default()
    };
    let (_, last) = run(&mut service, sql_request(200, schema_only));
    assert!(matches!(last, Event::Done(Summary { stats: None, .. })));
    // Parts of the data section concatenate to it.
    let ums = ums(200);
    let whole = whole_script(&ums);
    let mut joined = Vec::new();
    for index in 1..=3 {
        let part = ScriptChoices {
            schema: false,
            part: Some(Part { index, count: 3 }),
            ..ScriptChoices::default()
        };
        let (files, last) = run(&mut service, sql_request(200, part));
        assert!(matches!(last, Event::Done(Summary { stats: None, .. })));
        joined.extend_from_slice(&files[0].1);
    }
    let text = String::from_utf8_lossy(&whole);
    let data = text
        .split_once(campus_sql::DATA_BEGIN)
        .and_then(|(_, rest)| rest.split_once(campus_sql::DATA_END))
        .map(|(data, _)| data)
        .unwrap_or_else(|| panic!("no data section"));
    assert!(joined == data.as_bytes());
}

#[test]
fn service_zip_and_csv_files_hold_every_table() {
    let ums = ums(200);
    let mut service = GenerateService::with_chunk_bytes(1 << 12);
    let config = Config::scaled(200);
    let (files, last) = run(
        &mut service,
        Request::CsvZip {
            config: config.clone(),
            script: ScriptChoices::default(),
        },
    );
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, ZIP_FILE);
    assert!(matches!(last, Event::Done(Summary { stats: None, .. })));
    let mut zipped = unzip(files[0].1.clone());
    // After the tables: the load and verify scripts.
    let scripts = zipped.split_off(zipped.len().saturating_sub(2));
    let names: Vec<&str> = scripts.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, [LOAD_FILE, VERIFY_FILE]);
    let (csv_files, last) = run(
        &mut service,
        Request::CsvFiles {
            config: config.clone(),
            part: None,
        },
    );
    assert_eq!(zipped, csv_files);
    let Event::Done(summary) = last else {
        panic!("{last:?}")
    };
    let csv_bytes: usize = csv_files.iter().map(|(_, b)| b.len()).sum();
    assert_eq!(summary.bytes, csv_bytes as u64);
    for (idx, table) in ums.tables().iter().enumerate() {
        assert_eq!(csv_files[idx].0, format!("{}.csv", table.name));
        assert!(csv_files[idx].1 == table_csv(&ums, idx), "{}", table.name);
    }
}

#[test]
fn the_zip_carries_the_load_and_verify_scripts_of_the_chosen_dialect() {
    let ums = ums(200);
    let mut service = GenerateService::with_chunk_bytes(1 << 12);
    for dialect in campus_sql::Dialect::ALL {
        let script = ScriptChoices {
            dialect,
            database: "campus_zip".into(),
            ..ScriptChoices::default()
        };
        let (files, _) = run(
            &mut service,
            Request::CsvZip {
                config: Config::scaled(200),
                script: script.clone(),
            },
        );
        let zipped = unzip(files[0].1.clone());
        let expected = load_scripts(&ums, &script).unwrap_or_else(|e| panic!("{e}"));
        let tail: Vec<(String, Vec<u8>)> = zipped.iter().rev().take(2).rev().cloned().collect();
        let expected: Vec<(String, Vec<u8>)> = expected
            .into_iter()
            .map(|(name, bytes)| (name.to_owned(), bytes))
            .collect();
        assert!(tail == expected, "{dialect}");
        let load = String::from_utf8_lossy(&expected[0].1);
        let loader = match dialect {
            campus_sql::Dialect::MySql => "LOAD DATA LOCAL INFILE 'students.csv'",
            campus_sql::Dialect::Postgres => "\\copy \"students\"",
            campus_sql::Dialect::Sqlite => ".import --csv students.csv",
        };
        assert!(load.contains(loader), "{dialect}: {load}");
        assert!(load.contains("campus_zip") || dialect == campus_sql::Dialect::Sqlite);
    }
}

#[test]
fn csv_parts_are_named_by_part_and_concatenate_to_each_table() {
    let mut service = GenerateService::with_chunk_bytes(1 << 12);
    let config = Config::scaled(200);
    let (whole, _) = run(
        &mut service,
        Request::CsvFiles {
            config: config.clone(),
            part: None,
        },
    );
    for count in [3, 10] {
        let parts: Vec<Vec<(String, Vec<u8>)>> = (1..=count)
            .map(|index| {
                let part = Some(Part { index, count });
                run(
                    &mut service,
                    Request::CsvFiles {
                        config: config.clone(),
                        part,
                    },
                )
                .0
            })
            .collect();
        for (idx, (name, bytes)) in whole.iter().enumerate() {
            let stem = name.trim_end_matches(".csv");
            let mut joined = Vec::new();
            for (k, files) in parts.iter().enumerate() {
                assert_eq!(files[idx].0, format!("{stem}.part{}of{count}.csv", k + 1));
                joined.extend_from_slice(&files[idx].1);
            }
            assert!(joined == *bytes, "{name} in {count} parts");
        }
    }
}

/// Regression: a table of fewer rows than parts (qualifications has 6) got its header in every
/// part that started at row 0, an empty first part among them, so the parts concatenated to a
/// file with the header twice.
#[test]
fn a_table_of_fewer_rows_than_parts_has_its_header_once_in_part_one() {
    let mut service = GenerateService::with_chunk_bytes(1 << 12);
    let qualifications = TableId::Qualifications.index();
    let header = "qualification_id,qualification_name\r\n";
    let mut joined = Vec::new();
    for index in 1..=10 {
        let part = Some(Part { index, count: 10 });
        let config = Config::scaled(200);
        let (files, _) = run(&mut service, Request::CsvFiles { config, part });
        let Some((name, bytes)) = files.get(qualifications) else {
            panic!("no qualifications file in part {index}")
        };
        assert_eq!(*name, format!("qualifications.part{index}of10.csv"));
        let text = String::from_utf8_lossy(bytes);
        assert_eq!(
            text.matches(header).count(),
            usize::from(index == 1),
            "{text}"
        );
        joined.extend_from_slice(bytes);
    }
    let text = String::from_utf8_lossy(&joined);
    assert!(text.starts_with(header), "{text}");
    assert_eq!(text.lines().count(), 7, "{text}");
}

#[test]
fn check_finds_nothing_wrong_with_a_generated_dataset() {
    let mut service = GenerateService::default();
    let (files, last) = run(
        &mut service,
        Request::Check {
            config: Config::scaled(300),
        },
    );
    assert!(files.is_empty());
    assert_eq!(last, Event::Checked { problems: vec![] });
}

#[test]
fn bad_requests_fail_at_start_with_the_reason() {
    let mut service = GenerateService::default();
    let bad_sizes = Request::CsvZip {
        config: Config {
            students: 0,
            ..Config::default()
        },
        script: ScriptChoices::default(),
    };
    let err = service
        .start(bad_sizes)
        .err()
        .unwrap_or_else(|| panic!("started"));
    assert!(
        err.message.contains("students must be between 1 and"),
        "{err}"
    );
    let bad_name = sql_request(
        200,
        ScriptChoices {
            database: "my-db".into(),
            ..ScriptChoices::default()
        },
    );
    let err = service
        .start(bad_name)
        .err()
        .unwrap_or_else(|| panic!("started"));
    assert!(err.message.contains("database name \"my-db\""), "{err}");
    // Nothing is running after a failed start.
    assert!(service.step().is_err());
}

#[test]
fn a_cancelled_request_stops_and_the_service_goes_on() {
    let mut service = GenerateService::with_chunk_bytes(1 << 10);
    let mut chunks = 0;
    let outcome = drive(
        &mut service,
        sql_request(500, ScriptChoices::default()),
        |event| {
            chunks += usize::from(matches!(event, Event::Chunk { .. }));
            chunks < 3
        },
    );
    assert_eq!(outcome, Ok(Outcome::Cancelled));
    assert_eq!(chunks, 3);
    assert!(service.step().is_err(), "the cancelled request went on");
    // A cancel between two steps, as the worker does it, then a new request.
    service
        .start(sql_request(200, ScriptChoices::default()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        service.step(),
        Ok(Step::Event(Event::File { .. }))
    ));
    service.cancel();
    let (files, _) = run(&mut service, sql_request(200, ScriptChoices::default()));
    assert!(files[0].1 == whole_script(&ums(200)));
}

#[test]
fn warm_up_leaves_the_service_idle() {
    let mut service = GenerateService::default();
    service.warm_up();
    assert!(service.step().is_err());
}

#[test]
fn every_form_error_knows_its_field() {
    for field in Field::ALL {
        for text in ["", "-1", "x", "99999999999999999999999"] {
            let error = parse_count(field, text).err();
            assert_eq!(error.as_ref().and_then(FormError::field), Some(field));
            let message = error.map(|e| e.to_string()).unwrap_or_default();
            assert!(message.starts_with(field.label()), "{message}");
        }
    }
    let mut form = FormInput::default();
    form.set_value(Field::EnrollmentsPerStudent, "9".into());
    let errors = form.parse().err().unwrap_or_default();
    assert_eq!(
        errors,
        vec![FormError::OutOfRange {
            field: Field::EnrollmentsPerStudent,
            min: 0,
            max: 4
        }]
    );
    assert_eq!(
        errors[0].to_string(),
        "Enrollments per student must be between 0 and 4"
    );
    let form = FormInput {
        drop_existing: true,
        schema: false,
        ..FormInput::default()
    };
    let errors = form.parse().err().unwrap_or_default();
    assert_eq!(
        errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        vec!["Drop-and-recreate needs the schema section".to_owned()]
    );
}

fn output(job: &str) -> Output {
    Output {
        url: format!("blob:{job}"),
        file_name: job.into(),
        summary: Summary::default(),
        worker_ms: 1.0,
        page_ms: 2.0,
        on_disk: false,
    }
}

#[test]
fn reducer_keeps_the_result_of_the_current_job_only() {
    let mut state = State::default();
    state.apply(Action::WorkerReady);
    state.apply(Action::Started {
        job_id: 1,
        kind: JobKind::Sql,
    });
    let done = |job_id| Action::SqlDone {
        job_id,
        config: Config::default(),
        sql_choices: ScriptChoices::default(),
        output: output("sql"),
    };
    state.apply(done(7));
    assert!(state.generated.is_none() && state.running.is_some());
    state.apply(done(1));
    assert_eq!(state.generated.as_ref().map(|g| g.job_id), Some(1));
    state.apply(Action::PickTable(3));
    state.apply(Action::Page(2));
    assert_eq!(
        state.generated.as_ref().map(|g| (g.table_idx, g.page)),
        Some((3, 2))
    );
    // A zip adds to the result; a new script replaces it when it lands, not when it starts.
    state.apply(Action::Started {
        job_id: 2,
        kind: JobKind::CsvZip,
    });
    assert!(state.generated.is_some());
    state.apply(Action::ZipDone {
        job_id: 2,
        output: output("zip"),
    });
    assert_eq!(
        state
            .generated
            .as_ref()
            .and_then(|g| g.zip.as_ref())
            .map(|z| z.url.as_str()),
        Some("blob:zip")
    );
    state.apply(Action::Started {
        job_id: 3,
        kind: JobKind::Sql,
    });
    assert_eq!(state.generated.as_ref().map(|g| g.job_id), Some(1));
    // A cancel keeps the last result on screen.
    state.apply(Action::CancelRequested);
    assert!(state.running.is_none());
    assert_eq!(state.generated.as_ref().map(|g| g.job_id), Some(1));
    state.apply(Action::Started {
        job_id: 4,
        kind: JobKind::Sql,
    });
    state.apply(done(4));
    assert_eq!(state.generated.as_ref().map(|g| g.job_id), Some(4));
    // A dead worker ends whatever runs, with its message.
    state.apply(Action::Failed {
        job_id: None,
        message: "gone".into(),
    });
    assert!(state.running.is_none());
    assert_eq!(state.notice.as_ref().map(|n| n.is_error), Some(true));
    state.apply(Action::DismissNotice);
    assert!(state.notice.is_none() && state.worker_ready);
}

#[test]
fn a_dead_worker_is_reported_as_could_not_start_or_stopped() {
    let mut state = State::default();
    state.apply(Action::WorkerDied("no wasm".into()));
    let text = state
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(text.contains("could not start"), "{text}");
    state.apply(Action::WorkerReady);
    state.apply(Action::Started {
        job_id: 1,
        kind: JobKind::Sql,
    });
    state.apply(Action::WorkerDied("out of memory".into()));
    assert!(state.running.is_none() && !state.worker_ready);
    let text = state
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(text.contains("stopped (out of memory)"), "{text}");
}
