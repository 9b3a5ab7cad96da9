//! What a finished generation offers: counts, timings, downloads, preview, schema and charts.

use yew::prelude::*;

use crate::generator::components::charts::Charts;
use crate::generator::components::preview::Preview;
use crate::generator::components::schema_view::SchemaView;
use crate::generator::state::{Action, Generated};
use campus_jobs::format::group;

#[derive(PartialEq, Properties)]
pub struct ResultsProps {
    pub generated: Generated,
    /// A job (the zip) is running.
    pub busy: bool,
    pub on_action: Callback<Action>,
    pub on_build_zip: Callback<()>,
}

fn megabytes(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

#[component]
pub fn Results(props: &ResultsProps) -> Html {
    let g = &props.generated;
    let summary = &g.sql.summary;
    let total: u64 = summary.tables.iter().map(|(_, n)| n).sum();
    let on_build_zip = props.on_build_zip.reform(|_: MouseEvent| ());
    html! {
        <section class="results" aria-labelledby="results-title" data-testid="results">
            <h2 id="results-title">{ "Results" }</h2>
            <p class="timing" data-testid="timing">
                { format!("{} rows in {} tables, generated in ", group(total), summary.tables.len()) }
                <strong data-testid="elapsed-ms">{ format!("{:.0}", g.sql.worker_ms) }</strong>
                { format!(" ms ({:.0} ms until the file was ready) · ", g.sql.page_ms) }
                <span data-testid="sql-bytes">{ megabytes(summary.bytes) }</span>{ " of SQL" }
            </p>
            <div class="downloads">
                <a class="button primary" href={g.sql.url.clone()} download={g.sql.file_name.clone()}
                    data-testid="download-sql" data-storage={if g.sql.on_disk { "disk" } else { "memory" }}>{ format!("Download {}", g.sql.file_name) }</a>
                if let Some(zip) = &g.zip {
                    <a class="button primary" href={zip.url.clone()} download={zip.file_name.clone()}
                        data-testid="download-zip">
                        { format!("Download all tables as CSV (.zip, {})", megabytes(zip.summary.bytes)) }
                    </a>
                } else {
                    <button type="button" class="secondary" onclick={on_build_zip} disabled={props.busy}
                        data-testid="build-zip">{ "Prepare all tables as CSV (.zip)" }</button>
                }
            </div>
            <h3>{ "Rows per table" }</h3>
            <table class="counts" data-testid="counts">
                <thead><tr><th scope="col">{ "Table" }</th><th scope="col" class="num">{ "Rows" }</th></tr></thead>
                <tbody>
                    { for summary.tables.iter().map(|(name, n)| html! {
                        <tr>
                            <th scope="row">{ name }</th>
                            <td class="num" data-testid={format!("count-{name}")}>{ group(*n) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <Preview config={g.config.clone()} table_idx={g.table_idx} page={g.page}
                on_action={props.on_action.clone()} />
            if let Some(stats) = &summary.stats {
                <Charts stats={stats.clone()} />
            }
            <SchemaView />
        </section>
    }
}
