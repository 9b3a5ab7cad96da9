//! The column mapping: which header of the chosen files plays which role, typed as the CLI's
//! `--columns` file and remembered in this browser (`campus_jobs::etl::columns` decides).

use gloo_storage::{LocalStorage, Storage};
use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use campus_etl::FileKind;
use campus_jobs::etl::columns::{
    ColumnsChoice, STORAGE_KEY, guessed_text, header_names, role_rows,
};

use crate::etl::state::{EtlAction, EtlState, InputFile};

/// Bytes read from the start of a file for its header line.
const HEAD_BYTES: u64 = 64 << 10;

#[derive(PartialEq, Properties)]
pub struct ColumnsProps {
    pub columns: ColumnsChoice,
    pub inputs: Vec<InputFile>,
    /// Header lines of the inputs read so far.
    pub headers: Vec<(String, FileKind, Vec<String>)>,
    pub dispatch: UseReducerDispatcher<EtlState>,
}

/// Reads the header line of every input whose header is not known yet.
fn read_headers(
    inputs: &[InputFile],
    known: &[(String, FileKind, Vec<String>)],
    dispatch: &UseReducerDispatcher<EtlState>,
) {
    for input in inputs {
        if known
            .iter()
            .any(|(n, k, _)| *n == input.name && *k == input.kind)
        {
            continue;
        }
        let (dispatch, name, kind) = (dispatch.clone(), input.name.clone(), input.kind);
        let blob = gloo_file::Blob::from(input.file.clone()).slice(0, HEAD_BYTES);
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(bytes) = gloo_file::futures::read_as_bytes(&blob).await {
                let names = header_names(&name, &bytes);
                dispatch.dispatch(EtlAction::InputHeaders { name, kind, names });
            }
        });
    }
}

/// Remembers the mapping text, and brings back the one remembered at start.
#[hook]
fn use_remembered(text: String, dispatch: UseReducerDispatcher<EtlState>) {
    let loaded = use_mut_ref(|| false);
    use_effect_with(text, move |text| {
        if !*loaded.borrow() {
            *loaded.borrow_mut() = true;
            if let Ok(saved) = LocalStorage::get::<String>(STORAGE_KEY)
                && saved != *text
            {
                dispatch.dispatch(EtlAction::SetColumns(saved));
            }
        } else if text.is_empty() {
            LocalStorage::delete(STORAGE_KEY);
        } else {
            let _ = LocalStorage::set(STORAGE_KEY, text);
        }
    });
}

#[component]
pub fn ColumnsPanel(props: &ColumnsProps) -> Html {
    let dispatch = &props.dispatch;
    use_remembered(props.columns.text().to_owned(), dispatch.clone());
    {
        let (dispatch, known) = (dispatch.clone(), props.headers.clone());
        use_effect_with(props.inputs.clone(), move |inputs| {
            read_headers(inputs, &known, &dispatch)
        });
    }
    let on_input = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(area) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
            {
                dispatch.dispatch(EtlAction::SetColumns(area.value()));
            }
        })
    };
    let on_guess = {
        let (dispatch, map, headers) = (
            dispatch.clone(),
            props.columns.map().clone(),
            props.headers.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            dispatch.dispatch(EtlAction::SetColumns(guessed_text(&map, &headers)))
        })
    };
    let rows = role_rows(props.columns.map(), &props.headers);
    html! {
        <fieldset class="etl-options" data-testid="etl-columns-panel">
            <legend>{ "Columns" }</legend>
            <p class="hint">{ "Files with other headers than AKTU's: write role = header, one a line \
                (roles: college_code, roll_no, dob, program_code, course_code, date, status, internal, \
                external, total, placed, company; present = and absent = give the status values). Roles \
                left out are guessed from the headers. The same text works as `campus etl --columns FILE`; \
                this browser remembers it." }</p>
            <textarea class="etl-columns" rows="4" spellcheck="false" aria-label="Column mapping"
                value={props.columns.text().to_owned()} oninput={on_input} data-testid="etl-columns"
                placeholder="roll_no = Roll Number" />
            if let Some(error) = props.columns.error() {
                <p class="field-error" data-testid="etl-columns-error">{ error }</p>
            }
            if !rows.is_empty() {
                <button type="button" class="secondary" onclick={on_guess} data-testid="etl-columns-guess">{ "Write out the guess" }</button>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Roles and the headers that play them"><table class="counts">
                    <thead><tr><th scope="col">{ "File" }</th><th scope="col">{ "Role" }</th>
                        <th scope="col">{ "Header" }</th><th scope="col">{ "Found by" }</th></tr></thead>
                    <tbody>{ for rows.into_iter().map(|r| html! {
                        <tr data-testid="etl-column-row" data-role={r.role.name()} data-how={r.how}>
                            <td>{ r.file }</td><td>{ r.role.name() }</td>
                            <td>{ r.header.unwrap_or_default() }</td><td>{ r.how }</td></tr>
                    }) }</tbody>
                </table></div>
            }
        </fieldset>
    }
}
