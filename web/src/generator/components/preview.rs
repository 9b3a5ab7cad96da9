//! A paginated look at any table. Rows are pure functions of (seed, table, row number), so a page
//! is generated on the spot instead of being kept from the run.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use campus_gen::{Config, TableId, Ums};
use campus_schema::ValueRow;

use crate::generator::state::{Action, PAGE_ROWS};
use campus_jobs::format::group;

#[derive(PartialEq, Properties)]
pub struct PreviewProps {
    pub config: Config,
    pub table_idx: usize,
    pub page: u64,
    pub on_action: Callback<Action>,
}

#[component]
pub fn Preview(props: &PreviewProps) -> Html {
    let ums = use_memo(props.config.clone(), |config| Ums::new(config.clone()).ok());
    let Some(ums) = ums.as_ref() else {
        return html! { <p>{ "This configuration cannot be previewed." }</p> };
    };
    let table_id = TableId::from_index(props.table_idx).unwrap_or(TableId::Students);
    let table = ums.table(table_id);
    let n_rows = ums.count(table_id);
    let pages = n_rows.div_ceil(PAGE_ROWS).max(1);
    let page = props.page.min(pages - 1);
    let first = page * PAGE_ROWS;
    let last = (first + PAGE_ROWS).min(n_rows);

    let on_pick = props.on_action.reform(|e: Event| {
        let idx = e
            .target_unchecked_into::<HtmlSelectElement>()
            .value()
            .parse()
            .unwrap_or(0);
        Action::PickTable(idx)
    });
    let go = |to: u64| {
        props
            .on_action
            .reform(move |_: MouseEvent| Action::Page(to))
    };

    html! {
        <section class="preview" aria-labelledby="preview-title">
            <h3 id="preview-title">{ "Preview" }</h3>
            <div class="preview-controls">
                <label for="table-picker">{ "Table" }</label>
                <select id="table-picker" onchange={on_pick} data-testid="table-picker">
                    { for TableId::ALL.iter().map(|&t| html! {
                        <option value={t.index().to_string()} selected={t == table_id}>
                            { format!("{} ({} rows)", ums.table(t).name, group(ums.count(t))) }
                        </option>
                    }) }
                </select>
                <button type="button" class="secondary" onclick={go(page.saturating_sub(1))}
                    disabled={page == 0} data-testid="prev-page">{ "Previous" }</button>
                <span data-testid="page-info" aria-live="polite">
                    { if n_rows == 0 { "No rows".to_owned() } else {
                        format!("Rows {}–{} of {}", group(first + 1), group(last), group(n_rows))
                    } }
                </span>
                <button type="button" class="secondary" onclick={go(page + 1)}
                    disabled={page + 1 >= pages} data-testid="next-page">{ "Next" }</button>
            </div>
            <div class="table-scroll" tabindex="0" role="region" aria-label={format!("Rows of {}", table.name)}>
                <table data-testid="preview-table">
                    <thead><tr>
                        { for table.column_names().map(|c| html! { <th scope="col">{ c }</th> }) }
                    </tr></thead>
                    <tbody>
                        { for (first..last).map(|row_idx| {
                            let values = ValueRow::collect(|row| ums.write(table_id, row_idx, row));
                            html! { <tr>{ for values.iter().map(|v| html! { <td>{ v.to_string() }</td> }) }</tr> }
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
