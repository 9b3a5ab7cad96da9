//! Browser tests of the page's logic, run in headless Chromium by wasm-bindgen-test:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p campus_web`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use campus_gen::{Config, TableId, Ums};
use campus_jobs::format::group;
use campus_schema::Dataset;
use campus_sql::{ScriptOptions, ScriptWriter, enroll_student};
use campus_web::generator::form::{Field, FormInput, parse_count};
use campus_web::generator::jobs::{SqlSource, ZipSource};
use campus_web::generator::state::{Action, JobKind, State};
use campus_web::generator::stats::Tapped;
use campus_web::generator::worker::{Bytes, ChunkSource, Response, SqlChoices, Summary};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use yew::Reducible;
use yew_agent::Codec;

wasm_bindgen_test_configure!(run_in_browser);

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

// Form parsing: what a user types, what they are told.

fn check(field: Field, text: &str, expected: Result<u64, &str>) {
    let got = parse_count(field, text);
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

#[wasm_bindgen_test]
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
}

#[wasm_bindgen_test]
fn default_form_is_the_default_config_and_the_cli_options() {
    let (config, sql) = FormInput::default()
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(config, Config::default());
    assert_eq!(sql, SqlChoices::default());
    // `campus generate` writes exactly these options.
    let cli = ScriptOptions {
        routines: vec![enroll_student()],
        ..ScriptOptions::default()
    };
    assert_eq!(sql.script_options(), cli);
}

#[wasm_bindgen_test]
fn cross_field_errors_name_the_field() {
    let mut form = FormInput::default();
    form.set_value(Field::Staff, "3".into());
    let errors = form.parse().err().unwrap_or_default();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, Some(Field::Staff));
    assert!(
        errors[0]
            .message
            .starts_with("Staff must be between 10 and"),
        "{}",
        errors[0].message
    );

    let form = FormInput {
        database: "drop table;".into(),
        data: false,
        schema: false,
        ..FormInput::default()
    };
    let errors = form.parse().err().unwrap_or_default();
    assert!(errors.iter().all(|e| e.field.is_none()));
    assert!(
        errors[0].message.starts_with("Database name"),
        "{}",
        errors[0].message
    );
}

#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
fn sql_chunks_concatenate_to_the_whole_script() {
    let ums = Ums::new(Config::scaled(200)).unwrap_or_else(|e| panic!("{e}"));
    let mut whole = Vec::new();
    let options = SqlChoices::default().script_options();
    let mut writer = ScriptWriter::new(&ums, options).unwrap_or_else(|e| panic!("{e}"));
    writer
        .write_all(&mut whole)
        .unwrap_or_else(|e| panic!("{e}"));
    let tapped = Tapped::new(&ums);
    for chunk in [1, 1000, 1 << 20] {
        let mut source =
            SqlSource::new(&tapped, &SqlChoices::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(drain(&mut source, chunk), whole, "chunk size {chunk}");
    }
}

#[wasm_bindgen_test]
fn stats_count_every_student_and_mark() {
    let ums = Ums::new(Config::scaled(300)).unwrap_or_else(|e| panic!("{e}"));
    let tapped = Tapped::new(&ums);
    let mut source =
        SqlSource::new(&tapped, &SqlChoices::default()).unwrap_or_else(|e| panic!("{e}"));
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

#[wasm_bindgen_test]
fn zip_holds_one_csv_per_table() {
    let ums = Ums::new(Config::scaled(200)).unwrap_or_else(|e| panic!("{e}"));
    let mut source = ZipSource::new(&ums);
    let bytes = drain(&mut source, 1 << 14);
    assert_eq!(source.progress(), (ums.total_rows(), ums.total_rows()));
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(archive.len(), TableId::ALL.len());
    for (idx, table) in ums.tables().iter().enumerate() {
        let mut file = archive
            .by_name(&format!("{}.csv", table.name))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut text).unwrap_or_else(|e| panic!("{e}"));
        let mut expected = Vec::new();
        campus_csv::TableCsv::new(&ums, idx).fill(&mut expected, usize::MAX);
        assert_eq!(text, expected, "{}", table.name);
    }
}

#[wasm_bindgen_test]
fn chunk_messages_survive_the_worker_codec() {
    let response = Response::Chunk {
        job_id: 3,
        bytes: Bytes((0..=255).collect()),
        rows_done: 5,
        rows_total: 9,
    };
    let decoded: Response = yew_agent::Bincode::decode(yew_agent::Bincode::encode(&response));
    assert_eq!(decoded, response);
    let done = Response::Done {
        job_id: 3,
        summary: Summary::default(),
        disk_file: Some("Create_FullDB.sql".into()),
    };
    assert_eq!(
        yew_agent::Bincode::decode::<Response>(yew_agent::Bincode::encode(&done)),
        done
    );
}

// The page.

#[wasm_bindgen_test]
fn reducer_ignores_news_of_jobs_no_longer_running() {
    let state = Rc::new(State::default());
    let state = state.reduce(Action::Started {
        job_id: 1,
        kind: JobKind::Sql,
    });
    let state = state.reduce(Action::Progress {
        job_id: 1,
        rows_done: 10,
        rows_total: 100,
        bytes: 999,
    });
    assert_eq!(state.running.as_ref().map(|r| r.rows_done), Some(10));
    let state = state.reduce(Action::CancelRequested);
    assert!(state.running.is_none());
    assert_eq!(
        state.notice.as_ref().map(|n| n.text.as_str()),
        Some("Cancelled.")
    );
    let state = state.reduce(Action::Progress {
        job_id: 1,
        rows_done: 20,
        rows_total: 100,
        bytes: 999,
    });
    let state = state.reduce(Action::Failed {
        job_id: Some(1),
        message: "late".into(),
    });
    assert!(state.running.is_none());
    assert_eq!(state.notice.as_ref().map(|n| n.is_error), Some(false));
    let state = state.reduce(Action::SetSchema(false));
    assert!(!state.form.drop_existing && !state.form.schema);
}

#[wasm_bindgen_test]
fn charts_render_as_svg() {
    let labels: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
    let chart = campus_web::shared::chart::BarChart {
        caption: "Test",
        x_desc: "x",
        y_desc: "Rows",
        labels: &labels,
        values: &[3, 0, 7],
        size: (400, 300),
    };
    let svg = campus_web::shared::chart::bar_chart_svg(&chart).unwrap_or_else(|e| panic!("{e}"));
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
    assert!(svg.contains("Test"), "caption");
    // The background, the plot area and one bar per non-zero value at least.
    assert!(svg.matches("<rect").count() >= 4, "{svg}");
}

#[wasm_bindgen_test]
fn panic_banner_shows_the_message() {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .unwrap_or_else(|| panic!("no document"));
    let body = document.body().unwrap_or_else(|| panic!("no body"));
    assert!(!campus_web::shared::panic::show_banner(
        "nothing to show it in"
    ));
    let banner = document
        .create_element("div")
        .unwrap_or_else(|e| panic!("{e:?}"));
    banner.set_id(campus_web::shared::panic::BANNER_ID);
    banner
        .set_attribute("hidden", "")
        .unwrap_or_else(|e| panic!("{e:?}"));
    body.append_child(&banner)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(campus_web::shared::panic::show_banner(
        "Something went wrong"
    ));
    assert_eq!(
        banner.text_content().as_deref(),
        Some("Something went wrong")
    );
    assert!(!banner.has_attribute("hidden"));
    banner.remove();
}
