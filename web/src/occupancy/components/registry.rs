//! The model registry: every stored version, which one serves predictions, restore, export,
//! delete, compare, and import of a saved model file.

use yew::prelude::*;

use campus_occupancy::svm::{ClassWeight, Gamma, KernelConfig};
use web_sys::File;

use super::data::on_file_chosen;
use campus_jobs::occupancy::VersionMeta;

#[derive(PartialEq, Properties)]
pub struct RegistryProps {
    pub versions: Vec<VersionMeta>,
    pub active: Option<u32>,
    pub compare: Vec<u32>,
    pub loaded: bool,
    pub on_restore: Callback<u32>,
    pub on_export: Callback<u32>,
    pub on_delete: Callback<u32>,
    pub on_toggle_compare: Callback<u32>,
    pub on_import: Callback<File>,
}

fn kernel(v: &VersionMeta) -> String {
    match v.config.svm.kernel {
        KernelConfig::Linear => "linear".to_owned(),
        KernelConfig::Rbf {
            gamma: Gamma::Scale,
        } => "rbf, γ scale".to_owned(),
        KernelConfig::Rbf {
            gamma: Gamma::Value(g),
        } => format!("rbf, γ {g}"),
    }
}

fn class_weight(v: &VersionMeta) -> String {
    match v.config.svm.class_weight {
        ClassWeight::Uniform => "uniform".to_owned(),
        ClassWeight::Balanced => "balanced".to_owned(),
        ClassWeight::Custom {
            overcrowded,
            not_overcrowded,
        } => format!("{overcrowded} : {not_overcrowded}"),
    }
}

/// Rows of the comparison table: a name and how to show it for one version.
type Row = (&'static str, fn(&VersionMeta) -> String);

const COMPARE_ROWS: [Row; 17] = [
    ("Created", |v| v.created_at.clone()),
    ("Origin", |v| v.origin.clone()),
    ("Rows (train / test)", |v| {
        format!("{} ({} / {})", v.n_rows, v.n_train, v.n_test)
    }),
    ("Data fingerprint", |v| {
        v.data_fingerprint.chars().take(16).collect()
    }),
    ("Linear MAE", |v| format!("{:.2}", v.linear.mae)),
    ("Linear RMSE", |v| format!("{:.2}", v.linear.rmse)),
    ("Linear R²", |v| format!("{:.3}", v.linear.r2)),
    ("Forest MAE", |v| format!("{:.2}", v.forest.mae)),
    ("Forest RMSE", |v| format!("{:.2}", v.forest.rmse)),
    ("Forest R²", |v| format!("{:.3}", v.forest.r2)),
    ("SVM accuracy", |v| format!("{:.3}", v.svm.accuracy)),
    ("SVM F1 (overcrowded)", |v| {
        format!("{:.3}", v.svm.per_class[1].f1)
    }),
    ("Forest trees / depth", |v| {
        format!(
            "{} / {}",
            v.config.forest.n_trees,
            v.config
                .forest
                .max_depth
                .map_or("none".to_owned(), |d| d.to_string())
        )
    }),
    ("SVM kernel", kernel),
    ("SVM C", |v| v.config.svm.c.to_string()),
    ("SVM class weight", class_weight),
    ("Split (test share, seed)", |v| {
        format!("{}, {}", v.config.test_fraction, v.config.split_seed)
    }),
];

/// One version's row of the list, with its actions.
fn version_row(props: &RegistryProps, v: &VersionMeta) -> Html {
    let id = v.id;
    let serving = props.active == Some(id);
    html! {
        <tr data-testid={format!("version-{id}")} class={classes!(serving.then_some("serving"))}
            data-fingerprint={v.data_fingerprint.clone()}>
            <th scope="row">{ format!("v{id}") }
                if serving { <span class="badge" data-testid="serving">{ " serving" }</span> }
            </th>
            <td>{ v.created_at.replace('T', " ").chars().take(19).collect::<String>() }</td>
            <td>{ &v.origin }</td>
            <td class="num">{ v.n_rows }</td>
            <td><code title={v.data_fingerprint.clone()}>{ v.data_fingerprint.chars().take(10).collect::<String>() }</code></td>
            <td class="num">{ format!("{:.3}", v.linear.r2) }</td>
            <td class="num">{ format!("{:.3}", v.forest.r2) }</td>
            <td class="num">{ format!("{:.3}", v.svm.accuracy) }</td>
            <td class="num">{ format!("{:.1} MB", v.n_bytes as f64 / 1e6) }</td>
            <td><input type="checkbox" aria-label={format!("Compare version {id}")}
                checked={props.compare.contains(&id)} data-testid={format!("compare-{id}")}
                onchange={props.on_toggle_compare.reform(move |_: Event| id)} /></td>
            <td class="row-actions">
                <button type="button" disabled={serving} data-testid={format!("restore-{id}")}
                    onclick={props.on_restore.reform(move |_: MouseEvent| id)}>{ "Serve" }</button>
                <button type="button" data-testid={format!("export-{id}")}
                    onclick={props.on_export.reform(move |_: MouseEvent| id)}>{ "Export" }</button>
                <button type="button" class="danger" data-testid={format!("delete-{id}")}
                    onclick={props.on_delete.reform(move |_: MouseEvent| id)}>{ "Delete" }</button>
            </td>
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
                            { for COMPARE_ROWS.iter().map(|(name, show)| html! {
                                <tr><th scope="row">{ *name }</th>{ for compared.iter().map(|v| html! { <td>{ show(v) }</td> }) }</tr>
                            }) }
                        </tbody>
                    </table>
                </div>
    }
}

#[component]
pub fn RegistryView(props: &RegistryProps) -> Html {
    let on_import = on_file_chosen(&props.on_import);
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
                   version answers predictions; export writes the same file format the command line reads \
                   (campus occupancy predict --model)." }
            </p>
            <div class="field">
                <label for="occ-import-model">{ "Import a saved model file" }</label>
                <input id="occ-import-model" type="file" accept=".bin,application/octet-stream" onchange={on_import}
                    data-testid="occ-import-model" />
            </div>
            if !props.loaded {
                <p>{ "Opening the registry…" }</p>
            } else if props.versions.is_empty() {
                <p data-testid="versions-empty">{ "No versions yet: train the models or import a saved model." }</p>
            } else {
                <div class="table-scroll">
                    <table class="occ-table" data-testid="versions">
                        <thead>
                            <tr>
                                <th>{ "Version" }</th><th>{ "Created" }</th><th>{ "Origin" }</th><th class="num">{ "Rows" }</th>
                                <th>{ "Data" }</th><th class="num">{ "Linear R²" }</th><th class="num">{ "Forest R²" }</th>
                                <th class="num">{ "SVM acc." }</th><th class="num">{ "Size" }</th><th>{ "Compare" }</th><th>{ "Actions" }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for props.versions.iter().map(|v| version_row(props, v)) }
                        </tbody>
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
