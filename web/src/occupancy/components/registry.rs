//! The model registry: every stored version, which one serves predictions, promote, export,
//! delete (after a second click), compare, and import of a saved model file.

use yew::prelude::*;

use web_sys::File;

use super::data::on_file_chosen;
use campus_jobs::occupancy::VersionMeta;
use campus_jobs::occupancy::view::{compare_rows, version_cells};
use campus_sql::Dialect;

#[derive(PartialEq, Properties)]
pub struct RegistryProps {
    pub versions: Vec<VersionMeta>,
    pub active: Option<u32>,
    pub compare: Vec<u32>,
    pub loaded: bool,
    /// The version whose Delete was pressed once.
    pub confirm_delete: Option<u32>,
    pub on_restore: Callback<u32>,
    pub on_export: Callback<u32>,
    /// `(id, false)` asks, `(id, true)` deletes.
    pub on_delete: Callback<(u32, bool)>,
    pub on_keep: Callback<()>,
    pub on_toggle_compare: Callback<u32>,
    pub on_import: Callback<File>,
    /// Sessions in the dataset: the SQL download needs some.
    pub n_rows: usize,
    pub on_sql: Callback<Dialect>,
}

const HEADINGS: [(&str, bool); 11] = [
    ("Version", false),
    ("Created", false),
    ("Origin", false),
    ("Rows", true),
    ("Data", false),
    ("Linear R²", true),
    ("Forest R²", true),
    ("SVM acc.", true),
    ("Size", true),
    ("Compare", false),
    ("Actions", false),
];

/// A version's buttons, or the question whether to delete it.
fn actions(props: &RegistryProps, id: u32, serving: bool) -> Html {
    if props.confirm_delete == Some(id) {
        return html! {
            <td class="row-actions confirm" role="group" aria-label={format!("Confirm deleting version {id}")}>
                { format!("Really delete v{id}? ") }
                <button type="button" class="danger" data-testid={format!("confirm-delete-{id}")}
                    onclick={props.on_delete.reform(move |_: MouseEvent| (id, true))}>{ format!("Delete v{id}") }</button>
                <button type="button" data-testid={format!("keep-{id}")} onclick={props.on_keep.reform(|_: MouseEvent| ())}>{ "Keep" }</button>
            </td>
        };
    }
    html! {
        <td class="row-actions">
            <button type="button" disabled={serving} data-testid={format!("restore-{id}")}
                onclick={props.on_restore.reform(move |_: MouseEvent| id)}>{ if serving { "Serving" } else { "Promote" } }</button>
            <button type="button" data-testid={format!("export-{id}")}
                onclick={props.on_export.reform(move |_: MouseEvent| id)}>{ "Export" }</button>
            <button type="button" class="danger" data-testid={format!("delete-{id}")}
                onclick={props.on_delete.reform(move |_: MouseEvent| (id, false))}>{ "Delete" }</button>
        </td>
    }
}

/// One version's row of the list, with its actions.
fn version_row(props: &RegistryProps, v: &VersionMeta) -> Html {
    let id = v.id;
    let serving = props.active == Some(id);
    let [created, rest @ ..] = version_cells(v);
    html! {
        <tr data-testid={format!("version-{id}")} class={classes!(serving.then_some("serving"))}
            data-fingerprint={v.data_fingerprint.clone()}>
            <th scope="row">{ format!("v{id}") }
                if serving { <span class="badge" data-testid="serving">{ " serving" }</span> }
            </th>
            <td class="occ-date"><time datetime={v.created_at.clone()} title={v.created_at.clone()}>{ created.0 }</time></td>
            { for rest.into_iter().map(|(text, num)| html! { <td class={classes!(num.then_some("num"))}>{ text }</td> }) }
            <td><input type="checkbox" aria-label={format!("Compare version {id}")}
                checked={props.compare.contains(&id)} data-testid={format!("compare-{id}")}
                onchange={props.on_toggle_compare.reform(move |_: Event| id)} /></td>
            { actions(props, id, serving) }
        </tr>
    }
}

/// The chosen versions side by side.
fn compare_table(compared: &[&VersionMeta]) -> Html {
    html! {
        <div class="table-scroll">
            <table class="occ-table" data-testid="compare-table">
                <caption>{ "Versions compared" }</caption>
                <thead><tr><th></th>{ for compared.iter().map(|v| html! { <th scope="col">{ format!("v{}", v.id) }</th> }) }</tr></thead>
                <tbody>
                    { for compare_rows(compared).into_iter().map(|(name, cells)| html! {
                        <tr><th scope="row">{ name }</th>{ for cells.into_iter().map(|c| html! { <td>{ c }</td> }) }</tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[derive(PartialEq, Properties)]
struct SqlProps {
    n_rows: usize,
    on_sql: Callback<Dialect>,
}

/// The sessions and the serving version as an SQL script, in the dialect picked.
#[component]
fn SqlDownload(props: &SqlProps) -> Html {
    let dialect = use_state(Dialect::default);
    let on_change = {
        let dialect = dialect.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                dialect.set(Dialect::parse(&select.value()).unwrap_or_default());
            }
        })
    };
    let on_click = props.on_sql.reform({
        let dialect = *dialect;
        move |_: MouseEvent| dialect
    });
    html! {
        <div class="field occ-sql">
            <label for="occ-sql-dialect">{ "The sessions and the serving version as SQL for" }</label>
            <div class="actions">
                <select id="occ-sql-dialect" onchange={on_change} data-testid="occ-sql-dialect">
                    { for Dialect::ALL.iter().map(|d| html! {
                        <option value={d.name()} selected={*d == *dialect}>{ d.label() }</option>
                    }) }
                </select>
                <button type="button" onclick={on_click} disabled={props.n_rows == 0}
                    data-testid="occ-download-sql">{ "Download occupancy.sql" }</button>
            </div>
        </div>
    }
}

#[component]
pub fn RegistryView(props: &RegistryProps) -> Html {
    let compared: Vec<&VersionMeta> = props
        .compare
        .iter()
        .filter_map(|id| props.versions.iter().find(|v| v.id == *id))
        .collect();
    html! {
        <section class="occ-registry" aria-labelledby="occ-registry-title" data-testid="occ-registry">
            <h2 id="occ-registry-title">{ "Model versions" }</h2>
            <p class="hint">
                { "Every training run is kept in this browser (IndexedDB) and survives a reload. The serving \
                   version answers predictions; Promote makes another one serve. Export writes the same file \
                   format the command line reads (campus occupancy predict --model)." }
            </p>
            <div class="field">
                <label for="occ-import-model">{ "Import a saved model file" }</label>
                <input id="occ-import-model" type="file" accept=".bin,application/octet-stream"
                    onchange={on_file_chosen(&props.on_import)} data-testid="occ-import-model" />
            </div>
            <SqlDownload n_rows={props.n_rows} on_sql={props.on_sql.clone()} />
            if !props.loaded {
                <p>{ "Opening the registry…" }</p>
            } else if props.versions.is_empty() {
                <p data-testid="versions-empty">{ "No versions yet: train the models or import a saved model." }</p>
            } else {
                <div class="table-scroll">
                    <table class="occ-table occ-versions" data-testid="versions">
                        <thead><tr>{ for HEADINGS.iter().map(|(h, num)| html! { <th class={classes!(num.then_some("num"))}>{ *h }</th> }) }</tr></thead>
                        <tbody>{ for props.versions.iter().map(|v| version_row(props, v)) }</tbody>
                    </table>
                </div>
            }
            if compared.len() >= 2 {
                { compare_table(&compared) }
            } else if !props.versions.is_empty() {
                <p class="hint">{ "Tick two or more versions to compare them." }</p>
            }
        </section>
    }
}
