//! The sticky header: the product name and one link per section, the current one marked.

use campus_jobs::route::Section;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub current: Section,
}

#[component]
pub fn Header(props: &Props) -> Html {
    let link = |section: Section| {
        let current = (section == props.current).then_some("page");
        html! {
            <li><a href={section.href()} aria-current={current}
                data-testid={format!("nav-{}", section.key())}>{ section.label() }</a></li>
        }
    };
    html! {
        <header class="site-header">
            <a class="skip-link" href="#main" onclick={Callback::from(skip_to_main)}>
                { "Skip to content" }</a>
            <span class="brand">{ "Campus ETL Studio" }</span>
            <nav aria-label="Sections">
                <ul>{ for Section::ALL.into_iter().map(link) }</ul>
            </nav>
        </header>
    }
}

/// Moves focus to the content without touching the hash, which is the route.
fn skip_to_main(event: MouseEvent) {
    event.prevent_default();
    if let Some(main) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
    {
        let _ = main.set_attribute("tabindex", "-1");
        if let Ok(main) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(main) {
            let _ = main.focus();
        }
    }
}
