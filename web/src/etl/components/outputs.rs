//! The finished outputs: download links and the quality report.

use std::rc::Rc;

use yew::prelude::*;

use super::megabytes;
use crate::etl::state::Download;
use crate::shared::markdown::Markdown;

#[derive(PartialEq, Properties)]
pub struct OutputsProps {
    pub downloads: Vec<Download>,
    pub markdown: Option<Rc<str>>,
}

#[component]
pub fn Outputs(props: &OutputsProps) -> Html {
    html! {
        <>
            if !props.downloads.is_empty() {
                <section class="etl-downloads" data-testid="etl-downloads">
                    <h2>{ "Downloads" }</h2>
                    <div class="downloads">
                        { for props.downloads.iter().map(|d| html! {
                            <a class="button primary" href={d.url.clone()} download={d.file_name.clone()} data-testid={d.test_id}>
                                { format!("{} ({})", d.file_name, megabytes(d.bytes as f64)) }
                            </a>
                        }) }
                    </div>
                </section>
            }
            if let Some(markdown) = &props.markdown {
                <section class="etl-report">
                    <h2>{ "Quality report" }</h2>
                    <p class="hint">{ "What the checks found, file by file and across files, and the \
                        analysis: the same report as report.md among the downloads." }</p>
                    <div class="report" data-testid="etl-report">
                        <Markdown text={AttrValue::from(markdown.to_string())} top_level={3} />
                    </div>
                </section>
            }
        </>
    }
}
