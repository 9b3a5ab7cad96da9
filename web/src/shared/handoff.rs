//! What one section leaves for the database section to load: the generator's current settings,
//! the staging CSVs of the ETL's last run, the occupancy sessions. Each section puts its latest
//! here as it changes; the database section reads them when the user asks (and when it is
//! shown, to enable its buttons). Nothing here is copied until then: the CSVs stay Blobs.

use std::cell::RefCell;
use std::rc::Rc;

use campus_gen::Config;
use campus_occupancy::Session;
use web_sys::Blob;

#[derive(Default)]
struct Handoff {
    /// Bumped by every change, so a component drawing what is here knows to draw again.
    version: u32,
    generator: Option<Config>,
    staging: Vec<(String, Blob)>,
    sessions: Option<Rc<Vec<Session>>>,
}

thread_local! {
    static HANDOFF: RefCell<Handoff> = RefCell::new(Handoff::default());
}

/// The generator form's settings when they are valid, else `None`.
pub fn set_generator(config: Option<Config>) {
    change(|h| h.generator = config);
}

fn change(f: impl FnOnce(&mut Handoff)) {
    HANDOFF.with(|h| {
        let mut h = h.borrow_mut();
        f(&mut h);
        h.version = h.version.wrapping_add(1);
    });
}

/// Changes with every change to what is here.
pub fn version() -> u32 {
    HANDOFF.with(|h| h.borrow().version)
}

pub fn generator() -> Option<Config> {
    HANDOFF.with(|h| h.borrow().generator.clone())
}

/// The ETL's staging CSVs (file name, Blob) of its last run; empty when a run starts.
pub fn set_staging(files: Vec<(String, Blob)>) {
    change(|h| h.staging = files);
}

pub fn staging() -> Vec<(String, Blob)> {
    HANDOFF.with(|h| h.borrow().staging.clone())
}

/// The occupancy section's sessions.
pub fn set_sessions(sessions: Rc<Vec<Session>>) {
    change(|h| h.sessions = Some(sessions));
}

pub fn sessions() -> Rc<Vec<Session>> {
    HANDOFF.with(|h| h.borrow().sessions.clone().unwrap_or_default())
}
