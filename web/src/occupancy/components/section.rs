//! The occupancy section's root: owns its state, worker and registry, lays out the panels.

use yew::prelude::*;

use super::analytics::AnalyticsView;
use super::data::DataPanel;
use super::performance::Performance;
use super::predict::{PredictFromFile, PredictPanel};
use super::registry::RegistryView;
use super::training::TrainingPanel;
use campus_jobs::Notice;
use campus_jobs::occupancy::state::{Place, venue_capacities};

use crate::occupancy::hook::{OccupancyHandle, use_occupancy};
use crate::occupancy::state::{Action, Confirm, State};

/// A callback that calls one of the handle's methods.
fn call<T: 'static>(handle: &OccupancyHandle, method: fn(&OccupancyHandle, T)) -> Callback<T> {
    let handle = handle.clone();
    Callback::from(move |value| method(&handle, value))
}

/// What just happened, with its located details and a dismiss button.
fn notice_view(notice: &Notice, on_dismiss: Callback<MouseEvent>) -> Html {
    html! {
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
}

#[derive(PartialEq, Properties)]
pub struct SectionProps {
    /// The generated university's lectures, handed over to start from.
    #[prop_or_default]
    pub handed: Option<crate::etl::handover::Handover>,
}

/// The notice, if it belongs beside the panel at `place`: the one whose action caused it.
fn notice_for(state: &State, place: Place, on_dismiss: &Callback<MouseEvent>) -> Html {
    match &state.notice {
        Some(notice) if state.notice_at == place => notice_view(notice, on_dismiss.clone()),
        _ => Html::default(),
    }
}

/// Deletes a version once the user has confirmed it; asks first.
fn on_delete(
    handle: &OccupancyHandle,
    dispatch: &UseReducerDispatcher<State>,
) -> Callback<(u32, bool)> {
    let (handle, dispatch) = (handle.clone(), dispatch.clone());
    Callback::from(move |(id, really)| {
        if really {
            handle.delete(id)
        } else {
            dispatch.dispatch(Action::Ask(Confirm::Delete(id)))
        }
    })
}

/// Imports the generated university's lectures when another section hands them over.
#[hook]
fn use_handed_sessions(handle: &OccupancyHandle, handed: Option<crate::etl::handover::Handover>) {
    let handle = handle.clone();
    use_effect_with(handed, move |handed| {
        if let Some(crate::etl::handover::Handover::Sessions { file, .. }) = handed {
            handle.import_csv(file.clone());
        }
    });
}

#[component]
pub fn OccupancySection(props: &SectionProps) -> Html {
    let state = use_reducer(State::default);
    let handle = use_occupancy(state.dispatcher());
    use_handed_sessions(&handle, props.handed.clone());
    let dispatch = state.dispatcher();
    use_effect_with(state.dataset.revision, {
        let sessions = state.dataset.sessions.clone();
        move |_| crate::shared::handoff::set_sessions(sessions)
    });
    let capacities = use_memo(state.dataset.revision, {
        let sessions = state.dataset.sessions.clone();
        move |_| venue_capacities(&sessions)
    });
    let on_train = {
        let (handle, sessions, active) = (
            handle.clone(),
            state.dataset.sessions.clone(),
            state.active.clone(),
        );
        Callback::from(move |config| handle.train(sessions.clone(), active.clone(), config))
    };
    let on_clear = dispatch.to_callback().reform(|really| {
        if really {
            Action::ClearData
        } else {
            Action::Ask(Confirm::Clear)
        }
    });
    let on_delete = on_delete(&handle, &dispatch);
    let on_sql = {
        let (handle, sessions, serving) = (
            handle.clone(),
            state.dataset.sessions.clone(),
            state.active.clone(),
        );
        Callback::from(move |dialect| {
            handle.download_sql((sessions.clone(), serving.clone(), dialect));
        })
    };
    let on_keep = dispatch.to_callback().reform(|()| Action::KeepIt);
    let on_toggle_compare = dispatch.to_callback().reform(Action::ToggleCompare);
    let on_dismiss = dispatch
        .to_callback()
        .reform(|_: MouseEvent| Action::DismissNotice);
    let active_id = state.active_id();
    let timings = state.shown_timings();
    let notice_at = |place: Place| notice_for(&state, place, &on_dismiss);
    html! {
        <section id="occupancy" class="occupancy" aria-labelledby="occupancy-title" data-testid="occupancy"
            data-ready={state.worker_ready.to_string()} data-running={state.running.is_some().to_string()}
            data-registry={state.registry_loaded.to_string()} data-rows={state.dataset.sessions.len().to_string()}
            data-versions={state.versions.len().to_string()}
            data-active={active_id.map_or(String::new(), |id| id.to_string())}>
            <h1 id="occupancy-title">{ campus_jobs::route::Section::Occupancy.heading() }</h1>
            <p class="lede">
                { "Forecast how many students come to a class session and whether the room overflows. Generate \
                   or import sessions, train linear regression, a random forest and a support vector classifier \
                   in a background worker, compare versions and predict live — no Python, no server." }
            </p>
            { notice_at(Place::Data) }
            <DataPanel n_rows={state.dataset.sessions.len()}
                overcrowded_share={state.dataset.analytics.as_ref().map(|a| a.overcrowded_share)}
                ready={state.worker_ready} busy={state.running.is_some()}
                on_generate={call(&handle, OccupancyHandle::generate)}
                on_import={call(&handle, OccupancyHandle::import_csv)} {on_clear} on_keep={on_keep.clone()}
                confirm_clear={state.confirm == Some(Confirm::Clear)} />
            <TrainingPanel n_rows={state.dataset.sessions.len()} ready={state.worker_ready}
                running={state.running.clone()} {timings} {on_train}
                on_cancel={call(&handle, |h, ()| h.cancel())} />
            { notice_at(Place::Training) }
            if let Some(active) = &state.active {
                <Performance active={active.clone()} />
                <PredictPanel key={active.id} active={active.clone()} capacities={capacities.clone()}
                    ranges={state.active_ranges().cloned()} />
                <PredictFromFile handle={handle.clone()} busy={state.running.is_some()} />
            }
            if let Some(analytics) = &state.dataset.analytics {
                <AnalyticsView analytics={analytics.clone()} revision={state.dataset.revision} />
            }
            { notice_at(Place::Registry) }
            <RegistryView versions={state.versions.clone()} active={active_id} compare={state.compare.clone()}
                loaded={state.registry_loaded} on_restore={call(&handle, OccupancyHandle::restore)}
                on_export={call(&handle, OccupancyHandle::export)} {on_delete} {on_keep}
                confirm_delete={state.confirming_delete()} {on_toggle_compare} on_import={call(&handle, OccupancyHandle::import_model)}
                n_rows={state.dataset.sessions.len()} {on_sql} />
        </section>
    }
}
