//! The section's state: `campus_jobs::etl::page::State` (where every change is decided and
//! tested) over the page's `Blob`s, behind yew's `Reducible`; the run ([`super::hook`])
//! dispatches.

use std::ops::Deref;
use std::rc::Rc;

use web_sys::Blob;
use yew::Reducible;

use campus_jobs::etl::page;

pub use campus_jobs::etl::page::{AttackView, Choices, Download, FileView, load_order};

/// A file chosen by the user (or made by the sample generator), read later in slices.
pub type InputFile = page::InputFile<Blob>;
pub type EtlAction = page::Action<Blob>;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct EtlState(page::State<Blob>);

impl Deref for EtlState {
    type Target = page::State<Blob>;

    fn deref(&self) -> &page::State<Blob> {
        &self.0
    }
}

impl Reducible for EtlState {
    type Action = EtlAction;

    fn reduce(self: Rc<Self>, action: EtlAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.0.apply(action);
        Rc::new(next)
    }
}
