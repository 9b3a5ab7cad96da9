//! The occupancy section's state: the browser-free reducer of
//! [`campus_jobs::occupancy::state`], made yew's [`Reducible`].

use std::ops::Deref;
use std::rc::Rc;

use yew::Reducible;

pub use campus_jobs::occupancy::state::{
    Action, ActiveModel, Confirm, Dataset, JobKind, Notice, Running,
};

/// The section's state; reads as the jobs layer's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State(campus_jobs::occupancy::state::State);

impl Deref for State {
    type Target = campus_jobs::occupancy::state::State;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(State(self.0.clone().reduce_action(action)))
    }
}
