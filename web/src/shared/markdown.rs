//! Draws `campus_jobs::markdown` blocks as HTML: a report reads as a document, not as source.

use campus_jobs::markdown::{Block, Span, blocks};
use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct Props {
    pub text: AttrValue,
    /// Headings in the text start at this level (a report's `#` under the page's `h2`).
    pub top_level: u8,
}

#[component]
pub fn Markdown(props: &Props) -> Html {
    let blocks = use_memo(props.text.clone(), |text| blocks(text));
    let shift = props.top_level.saturating_sub(1);
    html! { <>{ for blocks.iter().map(|b| block(b, shift)) }</> }
}

fn spans(spans: &[Span]) -> Html {
    html! { <>{ for spans.iter().map(|s| match s {
        Span::Text(t) => html! { t },
        Span::Strong(t) => html! { <strong>{ t }</strong> },
        Span::Code(t) => html! { <code>{ t }</code> },
    }) }</> }
}

fn block(block: &Block, shift: u8) -> Html {
    match block {
        Block::Heading(level, text) => {
            let tag = format!("h{}", (level + shift).min(6));
            html! { <@{tag}>{ spans(text) }</@> }
        }
        Block::Paragraph(text) => html! { <p>{ spans(text) }</p> },
        Block::List(items) => html! {
            <ul>{ for items.iter().map(|item| html! {
                <li>{ spans(&item.text) }
                    if !item.children.is_empty() {
                        <ul>{ for item.children.iter().map(|c| html! { <li>{ spans(c) }</li> }) }</ul>
                    }
                </li>
            }) }</ul>
        },
        Block::Table(table) => {
            let class = |col: usize| {
                table
                    .numeric
                    .get(col)
                    .copied()
                    .unwrap_or(false)
                    .then_some("num")
            };
            html! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Table">
                    <table>
                        <thead><tr>{ for table.header.iter().enumerate().map(|(i, h)| html! {
                            <th scope="col" class={class(i)}>{ spans(h) }</th>
                        }) }</tr></thead>
                        <tbody>{ for table.rows.iter().map(|row| html! {
                            <tr>{ for row.iter().enumerate().map(|(i, c)| html! {
                                <td class={class(i)}>{ spans(c) }</td>
                            }) }</tr>
                        }) }</tbody>
                    </table>
                </div>
            }
        }
    }
}
