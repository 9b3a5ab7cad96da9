//! The files table and one card per file: its errors, columns and first rows.

use yew::prelude::*;

use campus_jobs::format::group;

use super::{megabytes, test_key};
use crate::etl::state::FileView;

#[derive(PartialEq, Properties)]
pub struct FilesProps {
    pub files: Vec<FileView>,
}

#[component]
pub fn FilesView(props: &FilesProps) -> Html {
    html! {
        <section class="etl-files">
            <h2>{ "Files" }</h2>
            <p class="hint">{ "Extract: each file is read slice by slice in a background worker. Read errors are                 rows that could not be read (a wrong number of fields, broken quoting) and were left out; findings                 are rows the quality checks flagged (duplicates, students missing from the master file, blank or                 non-numeric marks), listed in the quality report." }</p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Files read">
            <table class="counts" data-testid="etl-counts">
                <thead><tr>
                    <th scope="col">{ "File" }</th><th scope="col">{ "Kind" }</th>
                    <th scope="col" class="num">{ "Rows" }</th><th scope="col" class="num">{ "Read errors" }</th>
                    <th scope="col" class="num">{ "Findings" }</th>
                </tr></thead>
                <tbody>
                    { for props.files.iter().map(|f| html! {
                        <tr data-testid={format!("etl-count-{}", test_key(f.kind))}>
                            <th scope="row">{ &f.name }</th>
                            <td>{ f.kind.label() }</td>
                            <td class="num" data-testid="rows">{ group(f.report.n_rows) }</td>
                            <td class="num" data-testid="errors">{ group(f.report.n_errors) }</td>
                            <td class="num" data-testid="findings" title={findings_title(f)}>
                                { group(findings(f)) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            </div>
            { for props.files.iter().map(file_card) }
        </section>
    }
}

fn file_card(file: &FileView) -> Html {
    let report = &file.report;
    let errors = &report.errors;
    let more = report.n_errors.saturating_sub(errors.len() as u64);
    html! {
        <details class="etl-file" open={!errors.is_empty()} data-testid={format!("etl-file-{}", test_key(file.kind))}>
            <summary>{ format!("{} — {}", file.name, file.kind.label()) }
                if report.unusable { <strong class="field-error">{ " (not used)" }</strong> }
            </summary>
            <p data-testid="etl-file-account">{ format!("{}: {}", file.name, report.account()) }</p>
            if !errors.is_empty() {
                <ul class="field-error" data-testid="etl-file-errors">
                    { for errors.iter().map(|e| html! { <li>{ e }</li> }) }
                    if more > 0 { <li>{ format!("… and {} more", group(more)) }</li> }
                </ul>
            }
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

/// Rows the checks flagged in the file (duplicates, bad numbers, blank totals…).
fn findings(file: &FileView) -> u64 {
    file.report.findings.items.iter().map(|f| f.count).sum()
}

fn findings_title(file: &FileView) -> String {
    let items = &file.report.findings.items;
    if items.is_empty() {
        return "No findings".into();
    }
    items
        .iter()
        .map(|f| format!("{}: {}", group(f.count), f.kind.describe()))
        .collect::<Vec<_>>()
        .join("\n")
}
