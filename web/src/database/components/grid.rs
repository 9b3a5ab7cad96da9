//! The console's answer: the error with its place in the editor, or the result grid with its row
//! count, time, pages and CSV download.

use yew::prelude::*;

use super::super::hook::DbHandle;
use super::super::state::{Action, DbState};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<DbState>,
    pub handle: DbHandle,
}

#[component]
pub fn Answer(props: &Props) -> Html {
    let state = &props.state;
    if let Some(failure) = state.failure() {
        let class = if failure.stopped {
            "notice warning"
        } else {
            "notice error"
        };
        return html! {
            <div class={class} role="alert" data-testid="db-error">{ failure.text() }</div>
        };
    }
    let Some(grid) = state.grid() else {
        return html! {};
    };
    let page = |to: usize| {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::GridPage(to)))
    };
    let on_csv = {
        let (handle, state) = (props.handle.clone(), state.clone());
        Callback::from(move |_: MouseEvent| handle.export(&state))
    };
    let num = |i: usize| {
        grid.numeric
            .get(i)
            .copied()
            .unwrap_or(false)
            .then_some("num")
    };
    html! {
        <div class="db-answer" data-testid="db-result">
            <p class="timing" role="status" data-testid="db-result-summary">{ &grid.summary }</p>
            if !grid.columns.is_empty() {
                <div class="table-scroll db-grid" tabindex="0" role="region" aria-label="Query result">
                    <table data-testid="db-grid">
                        <thead><tr>{ for grid.columns.iter().enumerate().map(|(i, c)| html! {
                            <th scope="col" class={num(i)}>{ c }</th>
                        }) }</tr></thead>
                        <tbody>{ for grid.rows.iter().map(|row| html! {
                            <tr>{ for row.iter().enumerate().map(|(i, cell)| html! {
                                <td class={num(i)}>{ cell }</td>
                            }) }</tr>
                        }) }</tbody>
                    </table>
                </div>
            }
            <div class="actions db-pager">
                if let Some(range) = &grid.range { <span class="hint" data-testid="db-range">{ range }</span> }
                if grid.pages > 1 {
                    <button type="button" onclick={page(grid.page.saturating_sub(1))}
                        disabled={grid.page == 0} data-testid="db-prev">{ "Previous" }</button>
                    <button type="button" onclick={page(grid.page + 1)}
                        disabled={grid.page + 1 >= grid.pages} data-testid="db-next">{ "Next" }</button>
                }
                if state.export_request().is_some() {
                    <button type="button" onclick={on_csv} disabled={!state.idle()}
                        data-testid="db-csv">{ "Download CSV" }</button>
                }
            </div>
        </div>
    }
}
