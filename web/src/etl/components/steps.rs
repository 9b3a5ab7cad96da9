//! What the run did, step by step: the first rows before and after hashing and each join, and
//! the first statements of the staging SQL with a copy button. The steps are
//! `campus_jobs::etl::steps`; this only draws them.

use std::rc::Rc;

use yew::prelude::*;

use campus_jobs::etl::steps::{SqlExcerpt, Step, Steps, Table};

use crate::shared::copy_text;

#[derive(PartialEq, Properties)]
pub struct StepsProps {
    pub steps: Rc<Steps>,
}

#[component]
pub fn StepsView(props: &StepsProps) -> Html {
    html! {
        <section class="etl-steps" aria-labelledby="etl-steps-title" data-testid="etl-steps">
            <h2 id="etl-steps-title">{ "What the run did, step by step" }</h2>
            <p class="hint">{ "The first rows of each file before and after the step; \
                columns a step added are marked new." }</p>
            <ol class="steps">
                { for props.steps.steps.iter().map(step) }
                if let Some(sql) = &props.steps.sql {
                    <li><SqlView sql={sql.clone()} /></li>
                }
            </ol>
        </section>
    }
}

fn step(step: &Step) -> Html {
    html! {
        <li data-testid={format!("etl-step-{}", step.key)}>
            <h3>{ &step.title }</h3>
            <p>{ &step.explain }</p>
            <div class="before-after">
                if let Some(before) = &step.before { { table("Before", before) } }
                if let Some(after) = &step.after { { table("After", after) } }
            </div>
        </li>
    }
}

fn table(when: &'static str, table: &Table) -> Html {
    html! {
        <div class="table-scroll" tabindex="0" role="region" aria-label={format!("{when}: {}", table.caption)}
            data-testid={format!("etl-step-{}", when.to_lowercase())}>
            <table>
                <caption>{ format!("{when}: {}", table.caption) }</caption>
                <thead><tr>
                    { for table.columns.iter().map(|c| html! {
                        <th scope="col" class={classes!(c.new.then_some("new"))}>
                            { &c.name } if c.new { <span class="tag">{ "new" }</span> }
                        </th>
                    }) }
                </tr></thead>
                <tbody>
                    { for table.rows.iter().map(|row| html! {
                        <tr>{ for row.iter().zip(&table.columns).map(|(cell, column)| html! {
                            <td class={classes!(column.new.then_some("new"))} title={cell.full.clone()}
                                data-value={cell.full.clone()}>{ &cell.text }</td>
                        }) }</tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[derive(PartialEq, Properties)]
struct SqlProps {
    sql: SqlExcerpt,
}

#[component]
fn SqlView(props: &SqlProps) -> Html {
    let copied = use_state(|| None::<&'static str>);
    let pre = use_node_ref();
    let on_copy = {
        let (copied, pre, text) = (copied.clone(), pre.clone(), props.sql.text.clone());
        Callback::from(move |_: MouseEvent| {
            let (copied, pre, text) = (copied.clone(), pre.clone(), text.clone());
            wasm_bindgen_futures::spawn_local(async move {
                copied.set(Some(copy_text(&text, &pre).await));
            });
        })
    };
    html! {
        <div data-testid="etl-step-sql">
            <h3>{ "Stage for MySQL: staging.sql" }</h3>
            <p>{ &props.sql.explain }</p>
            <div class="actions">
                <button type="button" onclick={on_copy} data-testid="etl-sql-copy">{ "Copy these statements" }</button>
                if let Some(done) = *copied { <span class="hint" role="status">{ done }</span> }
            </div>
            <pre class="sql-excerpt" ref={pre} tabindex="0" data-testid="etl-sql-excerpt">{ &props.sql.text }</pre>
        </div>
    }
}
