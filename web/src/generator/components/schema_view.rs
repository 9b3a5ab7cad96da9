//! The schema: tables, columns, types, keys and references, straight from the schema model.

use yew::prelude::*;

use campus_schema::Column;

/// Key and reference notes for one column, e.g. "PK", "UNIQUE", "→ students.student_id".
pub fn keys(column: &Column) -> String {
    let mut notes = Vec::new();
    if column.primary_key {
        notes.push("PK".to_owned());
    }
    if column.unique {
        notes.push("UNIQUE".to_owned());
    }
    if let Some(fk) = &column.references {
        notes.push(format!("→ {}.{}", fk.table, fk.column));
    }
    if column.nullable {
        notes.push("NULL".to_owned());
    }
    notes.join(" · ")
}

#[component]
pub fn SchemaView() -> Html {
    let tables = use_memo((), |_| campus_gen::schema::tables());
    html! {
        <section class="schema" aria-labelledby="schema-title" data-testid="schema">
            <h3 id="schema-title">{ "Schema" }</h3>
            <p>{ "Tables in dependency order: each references only tables above it." }</p>
            <div class="schema-grid">
                { for tables.iter().map(|table| html! {
                    <details class="schema-table" data-testid={format!("schema-{}", table.name)}>
                        <summary>{ format!("{} ({} columns)", table.name, table.columns.len()) }</summary>
                        <table>
                            <thead><tr>
                                <th scope="col">{ "Column" }</th><th scope="col">{ "Type" }</th>
                                <th scope="col">{ "Keys" }</th>
                            </tr></thead>
                            <tbody>
                                { for table.columns.iter().map(|c| html! {
                                    <tr><td>{ c.name.as_ref() }</td><td>{ campus_sql::type_name(c.ty) }</td><td>{ keys(c) }</td></tr>
                                }) }
                            </tbody>
                        </table>
                    </details>
                }) }
            </div>
        </section>
    }
}
