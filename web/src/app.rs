//! The root component: the header and the three sections, each owning its own state and worker.

use yew::prelude::*;

use crate::shared::header::Header;

#[component]
pub fn App() -> Html {
    html! {
        <>
            <Header />
            <main id="main">
                <crate::generator::GeneratorSection />
                <crate::etl::Workbench />
                <crate::occupancy::OccupancySection />
            </main>
            <footer class="site-footer">
                <p>{ "Campus ETL Studio runs entirely in your browser: after loading, this page makes no network requests." }</p>
            </footer>
        </>
    }
}
