//! Files one section hands to another: the generator's exports (and answer key) to the ETL
//! workbench, its lectures to the occupancy section. The receiving section takes them as if the
//! user had chosen them; the app only passes them on and switches sections.

use js_sys::Array;
use web_sys::{Blob, File};

use campus_etl::FileKind;

use crate::etl::state::{EtlAction, InputFile};

/// What the generator hands over; `id` tells one hand-over from the next.
#[derive(Clone, Debug, PartialEq)]
pub enum Handover {
    /// The four exports in load order, and the answer key when dirt was planted.
    Exports {
        id: u32,
        files: Vec<File>,
        answer_key: Option<Blob>,
    },
    /// The sessions file for the occupancy section.
    Sessions { id: u32, file: File },
}

impl Handover {
    /// The section to show once handed over.
    pub fn section(&self) -> campus_jobs::route::Section {
        match self {
            Handover::Exports { .. } => campus_jobs::route::Section::Etl,
            Handover::Sessions { .. } => campus_jobs::route::Section::Occupancy,
        }
    }
}

/// A named file of the bytes `start..end` of `blob`.
pub fn slice_file(blob: &Blob, start: u64, end: u64, name: &str) -> Result<File, String> {
    let slice = blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|err| format!("the browser could not cut {name} from the zip: {err:?}"))?;
    File::new_with_blob_sequence(&Array::of1(&slice), name)
        .map_err(|err| format!("the browser could not make {name}: {err:?}"))
}

/// The workbench's actions for handed exports: the inputs replaced by them.
pub fn etl_actions(files: &[File]) -> Vec<EtlAction> {
    let inputs = files
        .iter()
        .zip(FileKind::ALL)
        .map(|(file, kind)| InputFile {
            kind,
            name: file.name(),
            size: file.size(),
            file: file.clone().into(),
        })
        .collect();
    vec![EtlAction::ClearInputs, EtlAction::AddInputs(inputs)]
}
