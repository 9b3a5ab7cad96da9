//! The occupancy section's root: owns its state, worker and registry, lays out the panels.

use std::collections::BTreeMap;

use yew::prelude::*;

use super::analytics::AnalyticsView;
use super::data::DataPanel;
use super::performance::Performance;
use super::predict::PredictPanel;
use super::registry::RegistryView;
use super::training::TrainingPanel;
use crate::occupancy::hook::use_occupancy;
use crate::occupancy::state::{Action, State};

#[component]
pub fn OccupancySection() -> Html {
    let state = use_reducer(State::default);
    let handle = use_occupancy(state.dispatcher());
    let dispatch = state.dispatcher();
    let capacities = use_memo(state.dataset.revision, {
        let sessions = state.dataset.sessions.clone();
        move |_| {
            let mut map = BTreeMap::new();
            for s in sessions.iter() {
                map.entry(s.input.venue.clone())
                    .or_insert(s.input.venue_capacity);
            }
            map.into_iter().collect::<Vec<_>>()
        }
    });
    let on_generate = {
        let handle = handle.clone();
        Callback::from(move |config| handle.generate(config))
    };
    let on_import_csv = {
        let handle = handle.clone();
        Callback::from(move |file| handle.import_csv(file))
    };
    let on_clear = {
        let dispatch = dispatch.clone();
        Callback::from(move |()| dispatch.dispatch(Action::ClearData))
    };
    let on_train = {
        let handle = handle.clone();
        let sessions = state.dataset.sessions.clone();
        Callback::from(move |config| handle.train(&sessions, config))
    };
    let on_cancel = {
        let handle = handle.clone();
        Callback::from(move |()| handle.cancel())
    };
    let on_restore = {
        let handle = handle.clone();
        Callback::from(move |id| handle.restore(id))
    };
    let on_export = {
        let handle = handle.clone();
        Callback::from(move |id| handle.export(id))
    };
    let on_delete = {
        let handle = handle.clone();
        Callback::from(move |id| handle.delete(id))
    };
    let on_import_model = {
        let handle = handle.clone();
        Callback::from(move |file| handle.import_model(file))
    };
    let on_toggle_compare = {
        let dispatch = dispatch.clone();
        Callback::from(move |id| dispatch.dispatch(Action::ToggleCompare(id)))
    };
    let on_dismiss = {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::DismissNotice))
    };
    let active_id = state.active.as_ref().map(|a| a.id);
    // Timings of the serving version when it was trained here, else of the last run.
    let timings = active_id
        .and_then(|id| state.versions.iter().find(|v| v.id == id))
        .and_then(|v| v.timings)
        .or(state.last_timings);
    html! {
        <section id="occupancy" class="occupancy" aria-labelledby="occupancy-title" data-testid="occupancy"
            data-ready={state.worker_ready.to_string()} data-running={state.running.is_some().to_string()}
            data-registry={state.registry_loaded.to_string()} data-rows={state.dataset.sessions.len().to_string()}
            data-versions={state.versions.len().to_string()}
            data-active={active_id.map_or(String::new(), |id| id.to_string())}>
            <h1 id="occupancy-title">{ "Classroom occupancy" }</h1>
            <p class="lede">
                { "Forecast how many students come to a class session and whether the room overflows. Generate \
                   or import sessions, train linear regression, a random forest and a support vector classifier \
                   in a background worker, compare versions and predict live — no Python, no server." }
            </p>
            if let Some(notice) = &state.notice {
                <div class={classes!("notice", notice.is_error.then_some("error"))}
                    role={if notice.is_error { "alert" } else { "status" }} data-testid="occ-notice"
                    data-error={notice.is_error.to_string()}>
                    <div>
                        <span data-testid="occ-notice-text">{ &notice.text }</span>
                        if !notice.details.is_empty() {
                            <ul class="occ-errors" data-testid="occ-notice-details">
                                { for notice.details.iter().map(|d| html! { <li>{ d }</li> }) }
                            </ul>
                        }
                    </div>
                    <button type="button" class="secondary" onclick={on_dismiss}>{ "Dismiss" }</button>
                </div>
            }
            <DataPanel n_rows={state.dataset.sessions.len()}
                overcrowded_share={state.dataset.analytics.as_ref().map(|a| a.overcrowded_share)}
                ready={state.worker_ready} busy={state.running.is_some()}
                {on_generate} on_import={on_import_csv} {on_clear} />
            <TrainingPanel n_rows={state.dataset.sessions.len()} ready={state.worker_ready}
                running={state.running.clone()} {timings} {on_train} {on_cancel} />
            if let Some(active) = &state.active {
                <Performance active={active.clone()} />
                <PredictPanel key={active.id} active={active.clone()} capacities={capacities.clone()} />
            }
            if let Some(analytics) = &state.dataset.analytics {
                <AnalyticsView analytics={analytics.clone()} revision={state.dataset.revision} />
            }
            <RegistryView versions={state.versions.clone()} active={active_id} compare={state.compare.clone()}
                loaded={state.registry_loaded} {on_restore} {on_export} {on_delete} {on_toggle_compare}
                on_import={on_import_model} />
        </section>
    }
}
