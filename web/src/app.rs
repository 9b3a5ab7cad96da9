//! The root component: the sticky header and the three sections, one shown at a time by the
//! hash route (`campus_jobs::route`). Every section stays mounted, so its state and its worker
//! survive a visit to another section.

use campus_jobs::route::{Route, Section};
use gloo_events::EventListener;
use yew::prelude::*;

use crate::etl::handover::Handover;
use crate::shared::header::Header;

fn current_route() -> Route {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Route::parse(&hash)
}

#[component]
pub fn App() -> Html {
    let route = use_state(current_route);
    {
        let route = route.clone();
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "hashchange", move |_| route.set(current_route()))
            });
            move || drop(listener)
        });
    }
    let section = route.section;
    use_effect_with(section, |section| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&section.title());
        }
        if let Some(window) = web_sys::window() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    });
    // Files one section hands to another: kept here, passed down, and the section shown.
    let handover = use_state(|| None::<Handover>);
    let on_handover = {
        let handover = handover.setter();
        Callback::from(move |given: Handover| {
            let hash = given.section().href();
            handover.set(Some(given));
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_hash(&hash);
            }
        })
    };
    let handed = |want: Section| (*handover).clone().filter(|h| h.section() == want);
    let shown = |s: Section| s == section;
    html! {
        <>
            <Header current={section} />
            <main id="main">
                <div hidden={!shown(Section::Generator)}>
                    <crate::generator::GeneratorSection active={shown(Section::Generator)}
                        link={route.generator.clone()} lesson_link={route.lesson.clone()} {on_handover} />
                </div>
                <div hidden={!shown(Section::Etl)}><crate::etl::Workbench handed={handed(Section::Etl)} /></div>
                <div hidden={!shown(Section::Database)}>
                    <crate::database::DatabaseSection active={shown(Section::Database)} />
                </div>
                <div hidden={!shown(Section::Occupancy)}><crate::occupancy::OccupancySection handed={handed(Section::Occupancy)} /></div>
            </main>
            <footer class="site-footer">
                <p>{ "Campus ETL Studio runs entirely in your browser: after loading, this page makes no network requests." }</p>
            </footer>
        </>
    }
}
