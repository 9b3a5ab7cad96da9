//! The drop zone, the four file pickers and the list of chosen files in load order.

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use campus_etl::FileKind;
use campus_jobs::etl::kind_from_name;

use super::{megabytes, test_key};
use crate::etl::state::{EtlAction, EtlState, InputFile, load_order};

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
                file: file.into(),
            }),
            None => unknown.push(name),
        }
    }
    (inputs, unknown)
}

#[derive(PartialEq, Properties)]
pub struct InputsProps {
    pub inputs: Vec<InputFile>,
    pub busy: bool,
    pub dispatch: UseReducerDispatcher<EtlState>,
}

#[derive(PartialEq, Properties)]
struct PickerProps {
    kind: FileKind,
    label: &'static str,
    multiple: bool,
    busy: bool,
    dispatch: UseReducerDispatcher<EtlState>,
}

#[component]
fn Picker(props: &PickerProps) -> Html {
    let onchange = {
        let (dispatch, kind) = (props.dispatch.clone(), props.kind);
        Callback::from(move |event: Event| {
            let Some(input) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            let (files, _) = files_from(input.files(), Some(kind));
            dispatch.dispatch(EtlAction::SetInputs(kind, files));
        })
    };
    let key = test_key(props.kind);
    html! {
        <label class="etl-picker">
            <span>{ props.label }</span>
            <input type="file" accept=".csv,.tsv,.txt,text/csv" multiple={props.multiple} {onchange}
                disabled={props.busy} data-testid={format!("etl-pick-{key}")} />
        </label>
    }
}

#[component]
pub fn Inputs(props: &InputsProps) -> Html {
    let on_drop = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            let (inputs, unknown) = files_from(event.data_transfer().and_then(|d| d.files()), None);
            if !unknown.is_empty() {
                dispatch.dispatch(EtlAction::Failed(format!(
                    "Could not tell which file this is: {}. Choose it with the picker of its kind to say.",
                    unknown.join(", ")
                )));
            }
            dispatch.dispatch(EtlAction::AddInputs(inputs));
        })
    };
    let on_drag_over = Callback::from(|event: DragEvent| event.prevent_default());
    let picker = |kind: FileKind, label: &'static str, multiple: bool| {
        let (busy, dispatch) = (props.busy, props.dispatch.clone());
        html! { <Picker {kind} {label} {multiple} {busy} {dispatch} /> }
    };
    html! {
        <div class="etl-drop" ondrop={on_drop} ondragover={on_drag_over} data-testid="etl-drop">
            <p>{ "Drop the CSV files here (names tell which is which), or pick them:" }</p>
            <div class="etl-pickers">
                { picker(FileKind::Students, "Students master", false) }
                { picker(FileKind::Attendance, "Attendance (one or more)", true) }
                { picker(FileKind::Exams, "Exam results", false) }
                { picker(FileKind::Placements, "Placements", false) }
            </div>
            if !props.inputs.is_empty() {
                <ul class="etl-inputs" data-testid="etl-inputs">
                    { for load_order(&props.inputs).iter().map(|f| html! {
                        <li>{ format!("{}: {} ({}) ", f.kind.label(), f.name, megabytes(f.size)) }
                            <Save file={f.file.clone()} name={f.name.clone()} /></li>
                    }) }
                </ul>
            }
        </div>
    }
}

#[derive(PartialEq, Properties)]
struct SaveProps {
    file: web_sys::Blob,
    name: String,
}

/// A link that saves an input as it was read: the sample files, to hand to a class.
#[component]
fn Save(props: &SaveProps) -> Html {
    let url = use_memo(props.file.clone(), |file| {
        web_sys::Url::create_object_url_with_blob(file).ok()
    });
    use_effect_with(url.clone(), |url| {
        let url = (**url).clone();
        move || url.iter().for_each(|u| crate::shared::download::revoke(u))
    });
    let Some(href) = (*url).clone() else {
        return Html::default();
    };
    html! { <a {href} download={props.name.clone()} data-testid="etl-save-input">{ "save a copy" }</a> }
}
