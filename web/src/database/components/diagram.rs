//! The ER diagram of the 18 tables, drawn from the one schema definition, with Mermaid and DOT
//! downloads.

use yew::prelude::*;

use campus_jobs::db::page::{diagram_dot, diagram_mermaid, diagram_svg};

use super::super::hook::offer;

#[component]
pub fn Diagram() -> Html {
    let svg = use_memo((), |()| {
        Html::from_html_unchecked(AttrValue::from(diagram_svg()))
    });
    let download = |name: &'static str, text: fn() -> String| {
        Callback::from(move |_: MouseEvent| {
            let _ = offer(name, "text/plain", text().as_bytes());
        })
    };
    html! {
        <details class="db-diagram" data-testid="db-diagram">
            <summary>{ "ER diagram of the 18 tables" }</summary>
            <p class="hint">{ "Keys are marked PK and FK; each line goes from a foreign key to the key it references. \
                The same diagram as text for Mermaid or Graphviz:" }</p>
            <div class="actions">
                <button type="button" onclick={download("university.mmd", diagram_mermaid)}
                    data-testid="db-mermaid">{ "Download Mermaid" }</button>
                <button type="button" onclick={download("university.dot", diagram_dot)}
                    data-testid="db-dot">{ "Download DOT" }</button>
            </div>
            <div class="table-scroll db-diagram-svg" tabindex="0" role="img"
                aria-label="Entity-relationship diagram of the university's tables">{ (*svg).clone() }</div>
        </details>
    }
}
