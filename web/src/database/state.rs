//! The section's state: `campus_jobs::db::page::State` (where every change is decided and
//! tested) behind yew's `Reducible`; the hook ([`super::hook`]) dispatches.

use std::ops::Deref;
use std::rc::Rc;

use yew::Reducible;

pub use campus_jobs::db::page::{Action, Busy, State};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DbState(State);

impl Deref for DbState {
    type Target = State;

    fn deref(&self) -> &State {
        &self.0
    }
}

impl Reducible for DbState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.0.apply(action);
        Rc::new(next)
    }
}
