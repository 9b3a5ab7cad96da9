//! A chart drawn as SVG text, with its figures as a table for screen readers.

use std::rc::Rc;

use yew::prelude::*;

#[derive(PartialEq, Properties)]
pub struct FigureProps {
    pub test_id: AttrValue,
    pub caption: AttrValue,
    pub svg: Rc<Result<String, String>>,
    /// (name, value) rows of the data table.
    #[prop_or_default]
    pub rows: Rc<Vec<(String, String)>>,
}

#[component]
pub fn Figure(props: &FigureProps) -> Html {
    html! {
        <figure class="chart occ-chart" data-testid={props.test_id.clone()}>
            { match props.svg.as_ref() {
                Ok(svg) => html! {
                    <div class="chart-svg" role="img" tabindex="0" aria-label={props.caption.clone()}>
                        { Html::from_html_unchecked(AttrValue::from(svg.clone())) }
                    </div>
                },
                Err(message) => html! { <p class="field-error">{ message }</p> },
            } }
            if !props.rows.is_empty() {
                <figcaption>
                    <details>
                        <summary>{ format!("{} as a table", props.caption) }</summary>
                        <table>
                            <tbody>
                                { for props.rows.iter().map(|(name, value)| html! {
                                    <tr><th scope="row">{ name }</th><td class="num">{ value }</td></tr>
                                }) }
                            </tbody>
                        </table>
                    </details>
                </figcaption>
            }
        </figure>
    }
}
