//! The workbench section: inputs, progress, per-file previews, correlation, attack demo, report
//! and downloads. Components only render state and turn events into actions or worker commands.

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use campus_etl::FileKind;
use campus_etl::analysis::GroupCorrelation;

use super::charts::{bar_svg, scatter_svg};
use super::hook::{EtlHandle, use_etl};
use super::state::{Choices, EtlAction, EtlState, FileView, InputFile, kind_from_name};
use super::worker::RunOptions;
use campus_jobs::format::group;

/// A full-precision number as the CLI prints it (`{:?}`: the shortest text that reads back exactly).
pub fn full(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:?}"))
}

fn megabytes(bytes: f64) -> String {
    format!("{:.2} MB", bytes / 1e6)
}

/// The files of a `FileList` (from an input or a drop) as inputs of `kind`, or of the kind each
/// name suggests when `kind` is `None`; names that suggest nothing are returned separately.
fn files_from(
    list: Option<web_sys::FileList>,
    kind: Option<FileKind>,
) -> (Vec<InputFile>, Vec<String>) {
    let (mut inputs, mut unknown) = (Vec::new(), Vec::new());
    let Some(list) = list else {
        return (inputs, unknown);
    };
    for idx in 0..list.length() {
        let Some(file) = list.get(idx) else { continue };
        let name = file.name();
        match kind.or_else(|| kind_from_name(&name)) {
            Some(kind) => inputs.push(InputFile {
                kind,
                name,
                size: file.size(),
                blob: file.into(),
            }),
            None => unknown.push(name),
        }
    }
    (inputs, unknown)
}

fn run_options(choices: &Choices) -> RunOptions {
    RunOptions {
        keyed_secret: choices.keyed.then(|| choices.secret.clone()),
        deidentify: choices.deidentify,
    }
}

fn test_key(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Students => "students",
        FileKind::Attendance => "attendance",
        FileKind::Exams => "exams",
        FileKind::Placements => "placements",
    }
}

#[component]
pub fn Workbench() -> Html {
    let state = use_reducer(EtlState::default);
    let etl = use_etl(state.dispatcher());
    let dispatch = state.dispatcher();
    let busy = state.running.is_some() || state.attack.as_ref().is_some_and(|a| a.running);
    let keyed_without_secret = state.choices.keyed && state.choices.secret.is_empty();
    let has_students = state.inputs.iter().any(|f| f.kind == FileKind::Students);

    let on_run = {
        let (etl, inputs, choices) = (etl.clone(), state.inputs.clone(), state.choices.clone());
        Callback::from(move |_: MouseEvent| etl.run(inputs.clone(), run_options(&choices)))
    };
    let on_sample = {
        let (etl, choices) = (etl.clone(), state.choices.clone());
        Callback::from(move |_: MouseEvent| etl.sample(choices.dirty, run_options(&choices)))
    };
    let on_cancel = {
        let etl = etl.clone();
        Callback::from(move |_: MouseEvent| etl.cancel())
    };
    let on_drop = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            let (inputs, unknown) = files_from(event.data_transfer().and_then(|d| d.files()), None);
            if !unknown.is_empty() {
                dispatch.dispatch(EtlAction::Failed(format!(
                    "Could not tell which file this is: {}. Use the pickers below to say.",
                    unknown.join(", ")
                )));
            }
            dispatch.dispatch(EtlAction::AddInputs(inputs));
        })
    };
    let on_drag_over = Callback::from(|event: DragEvent| event.prevent_default());
    let picker = |kind: FileKind, label: &'static str, multiple: bool| {
        let dispatch = dispatch.clone();
        let onchange = Callback::from(move |event: Event| {
            let Some(input) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            let (files, _) = files_from(input.files(), Some(kind));
            dispatch.dispatch(EtlAction::SetInputs(kind, files));
        });
        let key = test_key(kind);
        html! {
            <label class="etl-picker">
                <span>{ label }</span>
                <input type="file" accept=".csv,.tsv,.txt,text/csv" {multiple} {onchange} disabled={busy}
                    data-testid={format!("etl-pick-{key}")} />
            </label>
        }
    };
    let on_keyed = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            let keyed = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .is_some_and(|i| i.value() == "keyed");
            dispatch.dispatch(EtlAction::SetKeyed(keyed));
        })
    };
    let checkbox = |action: fn(bool) -> EtlAction| {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            let checked = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .is_some_and(|i| i.checked());
            dispatch.dispatch(action(checked));
        })
    };
    let on_secret = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                dispatch.dispatch(EtlAction::SetSecret(input.value()));
            }
        })
    };
    let on_dismiss = {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(EtlAction::DismissError))
    };

    html! {
        <section id="etl" aria-labelledby="etl-title" data-testid="etl" data-ready={state.worker_ready.to_string()}
            data-running={state.running.is_some().to_string()} data-run={state.run_id.to_string()}>
            <h1 id="etl-title">{ "CSV ETL workbench" }</h1>
            <p class="lede">
                { "Load the four student-record exports (students, attendance, exam results, placements). The page \
                   replaces identity with a hash, joins it into the other tables, checks quality, measures how \
                   attendance relates to marks and stages it all for MySQL — in a worker, file slice by file slice, \
                   without uploading anything." }
            </p>
            <div class="etl-drop" ondrop={on_drop} ondragover={on_drag_over} data-testid="etl-drop">
                <p>{ "Drop the CSV files here (names tell which is which), or pick them:" }</p>
                <div class="etl-pickers">
                    { picker(FileKind::Students, "Students master", false) }
                    { picker(FileKind::Attendance, "Attendance (one or more)", true) }
                    { picker(FileKind::Exams, "Exam results", false) }
                    { picker(FileKind::Placements, "Placements", false) }
                </div>
                if !state.inputs.is_empty() {
                    <ul class="etl-inputs" data-testid="etl-inputs">
                        { for super::state::load_order(&state.inputs).iter().map(|f| html! {
                            <li>{ format!("{}: {} ({})", f.kind.label(), f.name, megabytes(f.size)) }</li>
                        }) }
                    </ul>
                }
            </div>
            <fieldset class="etl-options">
                <legend>{ "Student hash" }</legend>
                <label><input type="radio" name="etl-hash" value="sha256" checked={!state.choices.keyed}
                    onchange={on_keyed.clone()} data-testid="etl-hash-sha256" />{ " SHA-256 (the notebook's formula, bit-exact with Python)" }</label>
                <label><input type="radio" name="etl-hash" value="keyed" checked={state.choices.keyed}
                    onchange={on_keyed} data-testid="etl-hash-keyed" />{ " Keyed HMAC-SHA-256" }</label>
                if state.choices.keyed {
                    <label class="etl-secret">{ "Secret " }
                        <input type="password" autocomplete="off" value={state.choices.secret.clone()} oninput={on_secret}
                            data-testid="etl-secret" />
                    </label>
                }
                <p class="hint">
                    { "Why keyed? Roll numbers are sequential (AKTU003-CSE-2023-1001, …1002, …) and birthdates fall in a \
                       few years, so anyone can hash every candidate and look the plain SHA-256 up: it is a pseudonym, \
                       not anonymity. The attack demo below does exactly that. With a secret key the dictionary is \
                       useless. The secret stays in this tab's memory and the worker's; it is never stored and never \
                       written to any output." }
                </p>
                <label><input type="checkbox" checked={state.choices.deidentify}
                    onchange={checkbox(EtlAction::SetDeidentify)} data-testid="etl-deidentify" />
                    { " Drop roll_no and dob from the outputs after hashing" }</label>
                <label><input type="checkbox" checked={state.choices.dirty}
                    onchange={checkbox(EtlAction::SetDirty)} data-testid="etl-dirty" />
                    { " Sample data with typical dirt (duplicates, orphans, blank totals, BOM, CRLF)" }</label>
            </fieldset>
            <div class="actions">
                <button type="button" class="primary" onclick={on_run} data-testid="etl-run"
                    disabled={busy || !state.worker_ready || !has_students || keyed_without_secret}>{ "Run the ETL" }</button>
                { " " }
                <button type="button" class="secondary" onclick={on_sample} data-testid="etl-sample"
                    disabled={busy || !state.worker_ready || keyed_without_secret}>{ "Use sample data" }</button>
                if !has_students && !state.inputs.is_empty() {
                    <p class="hint">{ "Add the students master file: every other file is joined to it." }</p>
                }
                if keyed_without_secret {
                    <p class="hint">{ "Type a secret for the keyed hash." }</p>
                }
            </div>
            if let Some(running) = &state.running {
                <section class="progress" aria-live="polite" data-testid="etl-progress">
                    <label for="etl-job-progress">{ &running.phase }</label>
                    <progress id="etl-job-progress" max="100"
                        value={format!("{:.1}", if running.bytes_total > 0.0 { running.bytes_done * 100.0 / running.bytes_total } else { 0.0 })}></progress>
                    <p>{ format!("{} of {}", megabytes(running.bytes_done), megabytes(running.bytes_total)) }</p>
                    <button type="button" class="danger" onclick={on_cancel.clone()} data-testid="etl-cancel">{ "Cancel" }</button>
                </section>
            }
            if let Some(error) = &state.error {
                <div class="notice error" role="alert" data-testid="etl-error">
                    <span>{ error }</span>
                    <button type="button" class="secondary" onclick={on_dismiss}>{ "Dismiss" }</button>
                </div>
            }
            if let Some((rows, bytes, ms, compute)) = state.throughput.filter(|_| state.running.is_none()) {
                <p class="timing" data-testid="etl-throughput">
                    { format!("Read, hashed and joined {} rows ({}) in {:.0} ms", group(rows), megabytes(bytes), ms) }
                    if ms > 0.0 && compute > 0.0 {
                        { format!(": {} rows/s, {:.1} MB/s (the worker computed for {:.0} ms: {:.1} MB/s).",
                            group((rows as f64 * 1000.0 / ms) as u64), bytes / 1e3 / ms, compute, bytes / 1e3 / compute) }
                    }
                </p>
            }
            if !state.files.is_empty() {
                <FilesView files={state.files.clone()} />
            }
            if let Some(analysis) = &state.analysis {
                <Correlation analysis={analysis.clone()} />
                <AttackPanel attack={state.attack.clone()} keyed={state.choices.keyed} busy={busy}
                    etl={etl.clone()} />
            }
            if !state.downloads.is_empty() {
                <section class="etl-downloads" data-testid="etl-downloads">
                    <h2>{ "Downloads" }</h2>
                    <div class="downloads">
                        { for state.downloads.iter().map(|d| html! {
                            <a class="button primary" href={d.url.clone()} download={d.file_name.clone()} data-testid={d.test_id}>
                                { format!("{} ({})", d.file_name, megabytes(d.bytes as f64)) }
                            </a>
                        }) }
                    </div>
                </section>
            }
            if let Some(markdown) = &state.markdown {
                <section class="etl-report">
                    <h2>{ "Quality report" }</h2>
                    <pre data-testid="etl-report">{ markdown.to_string() }</pre>
                </section>
            }
        </section>
    }
}

#[derive(PartialEq, Properties)]
struct FilesProps {
    files: Vec<FileView>,
}

#[component]
fn FilesView(props: &FilesProps) -> Html {
    html! {
        <section class="etl-files">
            <h2>{ "Files" }</h2>
            <table class="counts" data-testid="etl-counts">
                <thead><tr>
                    <th scope="col">{ "File" }</th><th scope="col">{ "Kind" }</th>
                    <th scope="col" class="num">{ "Rows" }</th><th scope="col" class="num">{ "Errors" }</th>
                </tr></thead>
                <tbody>
                    { for props.files.iter().map(|f| html! {
                        <tr data-testid={format!("etl-count-{}", test_key(f.kind))}>
                            <th scope="row">{ &f.name }</th>
                            <td>{ f.kind.label() }</td>
                            <td class="num" data-testid="rows">{ f.report.as_ref().map_or_else(|| "—".to_owned(), |r| group(r.n_rows)) }</td>
                            <td class="num" data-testid="errors">{ f.report.as_ref().map_or(1, |r| r.n_errors) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            { for props.files.iter().map(file_card) }
        </section>
    }
}

fn file_card(file: &FileView) -> Html {
    let errors: Vec<String> = match (&file.error, &file.report) {
        (Some(message), _) => vec![message.clone()],
        (None, Some(report)) => report.errors.clone(),
        (None, None) => Vec::new(),
    };
    let more = file
        .report
        .as_ref()
        .map_or(0, |r| r.n_errors.saturating_sub(r.errors.len() as u64));
    html! {
        <details class="etl-file" open={!errors.is_empty()} data-testid={format!("etl-file-{}", test_key(file.kind))}>
            <summary>{ format!("{} — {}", file.name, file.kind.label()) }
                if file.report.as_ref().is_some_and(|r| r.unusable) || file.error.is_some() { <strong class="field-error">{ " (not used)" }</strong> }
            </summary>
            if !errors.is_empty() {
                <ul class="field-error" data-testid="etl-file-errors">
                    { for errors.iter().map(|e| html! { <li>{ e }</li> }) }
                    if more > 0 { <li>{ format!("… and {} more", group(more)) }</li> }
                </ul>
            }
            if let Some(report) = &file.report {
                <p>{ format!("{} rows, {} columns, {}, delimiter {:?}, read in {:.0} ms ({:.0} ms computing)",
                    group(report.n_rows), report.columns.len(), megabytes(report.n_bytes as f64),
                    char::from(report.delimiter), file.elapsed_ms, file.compute_ms) }</p>
                <div class="table-scroll">
                    <table>
                        <thead><tr><th scope="col">{ "Column" }</th><th scope="col">{ "Type" }</th><th scope="col" class="num">{ "Nulls" }</th></tr></thead>
                        <tbody>
                            { for report.columns.iter().map(|c| html! {
                                <tr><th scope="row">{ &c.name }</th><td>{ c.ty.name() }</td><td class="num">{ group(c.n_nulls) }</td></tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
            if !file.preview.headers.is_empty() {
                <div class="table-scroll" data-testid="etl-preview">
                    <table>
                        <thead><tr>
                            <th scope="col">{ "line" }</th>
                            { for file.preview.headers.iter().map(|h| html! { <th scope="col">{ h }</th> }) }
                        </tr></thead>
                        <tbody>
                            { for file.preview.rows.iter().map(|(line, fields)| html! {
                                <tr><td class="num">{ line }</td>{ for fields.iter().map(|f| html! { <td>{ f }</td> }) }</tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </details>
    }
}

#[derive(PartialEq, Properties)]
struct CorrelationProps {
    analysis: std::rc::Rc<super::worker::AnalysisView>,
}

fn group_table(title: &str, test_id: &'static str, groups: &[GroupCorrelation]) -> Html {
    html! {
        <div class="table-scroll">
            <table data-testid={test_id}>
                <caption>{ title }</caption>
                <thead><tr><th scope="col">{ "Group" }</th><th scope="col" class="num">{ "Pairs" }</th><th scope="col" class="num">{ "Pearson r" }</th></tr></thead>
                <tbody>
                    { for groups.iter().map(|g| html! {
                        <tr><th scope="row">{ &g.name }</th><td class="num">{ g.n_pairs }</td><td class="num">{ full(g.pearson) }</td></tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn svg(result: &Result<String, String>, caption: &str, test_id: &'static str) -> Html {
    match result {
        Ok(svg) => html! {
            <figure class="chart" data-testid={test_id}>
                <div class="chart-svg" role="img" aria-label={caption.to_owned()}>
                    { Html::from_html_unchecked(AttrValue::from(svg.clone())) }
                </div>
            </figure>
        },
        Err(message) => html! { <p class="field-error">{ message }</p> },
    }
}

#[component]
fn Correlation(props: &CorrelationProps) -> Html {
    let a = &props.analysis;
    let charts = use_memo(props.analysis.clone(), |a| {
        let hist =
            |h: &campus_etl::stats::Histogram, scale: f64, unit: &str| -> (Vec<String>, Vec<u64>) {
                let labels = (0..h.counts.len())
                    .map(|i| format!("{:.0}{unit}", h.edge(i) * scale))
                    .collect();
                (labels, h.counts.clone())
            };
        let (att_labels, att_values) = hist(&a.attendance_histogram, 100.0, "%");
        let (marks_labels, marks_values) = hist(&a.marks_histogram, 1.0, "");
        let rate = |rates: &[campus_etl::analysis::Rate]| -> (Vec<String>, Vec<u64>) {
            let labels = rates.iter().map(|r| r.name.clone()).collect();
            let values = rates
                .iter()
                .map(|r| r.rate().map_or(0, |v| (v * 100.0).round() as u64))
                .collect();
            (labels, values)
        };
        let (prog_labels, prog_values) = rate(&a.placement_by_program);
        let (band_labels, band_values) = rate(&a.placement_by_band);
        [
            scatter_svg(&a.scatter, a.fit, a.marks_max),
            bar_svg(
                "Attendance per (student, course)",
                "attendance from",
                "pairs",
                &att_labels,
                &att_values,
            ),
            bar_svg(
                "Mean total marks per (student, course)",
                "marks from",
                "pairs",
                &marks_labels,
                &marks_values,
            ),
            bar_svg(
                "Placement rate by programme",
                "programme",
                "placed (%)",
                &prog_labels,
                &prog_values,
            ),
            bar_svg(
                "Placement rate by attendance band",
                "attendance band",
                "placed (%)",
                &band_labels,
                &band_values,
            ),
        ]
    });
    html! {
        <section class="etl-correlation" data-testid="etl-correlation">
            <h2>{ "Attendance and marks" }</h2>
            <p>{ format!("{} students; {} (student, course) pairs with exam results, {} with both attendance and marks.",
                group(a.n_students as u64), group(a.n_pairs as u64), group(a.n_complete_pairs as u64)) }</p>
            <dl class="etl-figures">
                <dt>{ "Pearson r (attendance_pct, total_marks)" }</dt><dd data-testid="etl-pearson">{ full(a.pearson) }</dd>
                <dt>{ "Spearman ρ" }</dt><dd data-testid="etl-spearman">{ full(a.spearman) }</dd>
                if let Some(fit) = a.fit {
                    <dt>{ "Least squares" }</dt><dd>{ format!("total_marks ≈ {:.3} + {:.3} × attendance_pct", fit.intercept, fit.slope) }</dd>
                }
            </dl>
            <div class="etl-groups">
                { group_table("Per course", "etl-per-course", &a.per_course) }
                { group_table("Per programme", "etl-per-program", &a.per_program) }
            </div>
            { svg(&charts[0], "Attendance against total marks, with the least-squares line", "etl-chart-scatter") }
            { svg(&charts[1], "Distribution of attendance", "etl-chart-attendance") }
            { svg(&charts[2], "Distribution of marks", "etl-chart-marks") }
            { svg(&charts[3], "Placement rate by programme", "etl-chart-program") }
            { svg(&charts[4], "Placement rate by attendance band", "etl-chart-band") }
        </section>
    }
}

#[derive(PartialEq, Properties)]
struct AttackProps {
    attack: Option<super::state::AttackView>,
    keyed: bool,
    busy: bool,
    etl: EtlHandle,
}

#[component]
fn AttackPanel(props: &AttackProps) -> Html {
    let on_start = {
        let etl = props.etl.clone();
        Callback::from(move |_: MouseEvent| etl.attack())
    };
    let on_stop = {
        let etl = props.etl.clone();
        Callback::from(move |_: MouseEvent| etl.cancel())
    };
    let running = props.attack.as_ref().is_some_and(|a| a.running);
    html! {
        <section class="etl-attack" data-testid="etl-attack">
            <h2>{ "Is the hash anonymous? A dictionary attack, live" }</h2>
            <p>{ "For every roll-number prefix in the data, try every sequence number between the smallest and largest \
                  seen and every birthdate 17–20 years before admission, hash each guess with SHA-256, and look it up \
                  among the loaded hashes." }
                if props.keyed { { " These hashes are keyed, so no guess should match." } }
            </p>
            if running {
                <button type="button" class="danger" onclick={on_stop} data-testid="etl-attack-stop">{ "Stop" }</button>
            } else {
                <button type="button" class="secondary" onclick={on_start} disabled={props.busy} data-testid="etl-attack-start">{ "Run the attack" }</button>
            }
            if let Some(a) = &props.attack {
                <p data-testid="etl-attack-progress">
                    { format!("Recovered ") }
                    <strong data-testid="etl-attack-recovered">{ group(a.progress.n_recovered) }</strong>
                    { format!(" of {} students after {} of {} guesses in {:.1} s",
                        group(a.progress.n_targets), group(a.progress.n_tried), group(a.progress.n_candidates), a.elapsed_ms / 1000.0) }
                    if let Some(rate) = a.progress.rate(a.elapsed_ms / 1000.0) {
                        { format!(" — {} hashes/s.", group(rate as u64)) }
                    }
                </p>
                if !a.examples.is_empty() {
                    <details>
                        <summary>{ "Recovered identities (first few)" }</summary>
                        <ul>{ for a.examples.iter().map(|e| html! { <li><code>{ e }</code></li> }) }</ul>
                    </details>
                }
            }
        </section>
    }
}
