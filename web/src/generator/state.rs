//! The section's state: `campus_jobs::generate::page::State` (where every decision is made and
//! tested) behind yew's `Reducible`.
//!
//! Side effects (the worker, Blobs, object URLs) live in [`super::hook`]; the reducer only
//! records what they report.

use std::ops::Deref;
use std::rc::Rc;

use campus_jobs::generate::page;
use yew::Reducible;

pub use campus_jobs::generate::page::{
    Action, Generated, JobKind, LessonOutput, Output, PAGE_ROWS, Running,
};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct State(page::State);

impl Deref for State {
    type Target = page::State;

    fn deref(&self) -> &page::State {
        &self.0
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<State>, action: Action) -> Rc<State> {
        let mut next = (*self).clone();
        next.0.apply(action);
        Rc::new(next)
    }
}
