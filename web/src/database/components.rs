//! The database section: the load and file controls, the SQL console, the ER diagram and the
//! exercises. Mounted on its first visit, so the database worker (SQLite) starts only when the
//! section is used.

mod console;
mod diagram;
mod exercises;
mod grid;
mod load;

use yew::prelude::*;

use campus_jobs::route::Section;

use super::hook::use_database;
use super::state::{Action, DbState};
use crate::shared::notice::NoticeView;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Whether the section is on screen.
    pub active: bool,
}

/// The section, started on its first visit.
#[component]
pub fn DatabaseSection(props: &Props) -> Html {
    let visited = use_state(|| false);
    if props.active && !*visited {
        visited.set(true);
    }
    if !*visited && !props.active {
        return html! {};
    }
    html! { <Database active={props.active} /> }
}

#[derive(Properties, PartialEq)]
struct DatabaseProps {
    active: bool,
}

#[component]
fn Database(props: &DatabaseProps) -> Html {
    let state = use_reducer(DbState::default);
    let handle = use_database(state.dispatcher());
    // Shown again: the form follows the generator's settings if they changed meanwhile.
    use_effect_with((props.active, state.dispatcher()), |(active, dispatch)| {
        if let (true, Some(config)) = (*active, crate::shared::handoff::generator()) {
            dispatch.dispatch(Action::FromGenerator(config));
        }
    });
    let on_dismiss = {
        let dispatch = state.dispatcher();
        Callback::from(move |()| dispatch.dispatch(Action::DismissNotice))
    };
    html! {
        <section id="sql" class="database" aria-labelledby="sql-title" data-testid="database"
            data-ready={state.worker_ready.to_string()} data-busy={state.busy.is_some().to_string()}
            data-loaded={state.ready_id.to_string()} data-run={state.run_id.to_string()}
            data-rows={state.rows.to_string()}>
            <h1 id="sql-title">{ Section::Database.heading() }</h1>
            <p class="lede">{ "The generated university in a real SQLite database, running in this page: \
                query it with SQL, see its ER diagram, practise with exercises whose answers are checked \
                against the data, and save it as a .sqlite file. It is kept in this browser across reloads." }</p>
            <load::LoadPanel state={state.clone()} handle={handle.clone()}
                handoff={crate::shared::handoff::version()} />
            if let Some(notice) = &state.notice {
                <NoticeView notice={notice.clone()} on_dismiss={on_dismiss} />
            }
            <console::Console state={state.clone()} handle={handle.clone()} />
            <diagram::Diagram />
            <exercises::Exercises state={state.clone()} handle={handle} />
        </section>
    }
}
