//! The header: the product name and the sections that work today.

use yew::prelude::*;

#[component]
pub fn Header() -> Html {
    html! {
        <header class="site-header">
            <a class="skip-link" href="#main">{ "Skip to content" }</a>
            <span class="brand">{ "Campus ETL Studio" }</span>
            <nav aria-label="Sections">
                <ul>
                    <li><a href="#generator" aria-current="page" data-testid="nav-generator">{ "Data generator" }</a></li>
                    <li><a href="#etl" data-testid="nav-etl">{ "ETL workbench" }</a></li>
                    <li><a href="#occupancy" data-testid="nav-occupancy">{ "Classroom occupancy" }</a></li>
                </ul>
            </nav>
        </header>
    }
}
