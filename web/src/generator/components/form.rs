//! The generator form: sizes, seed and SQL options, checked as the user types.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use campus_gen::Config;
use campus_jobs::generate::ScriptChoices;
use campus_jobs::generate::form::{Field, FormError, FormInput};
use campus_sql::Dialect;

use crate::generator::state::Action;

#[derive(PartialEq, Properties)]
pub struct FormProps {
    pub form: FormInput,
    /// The worker has loaded.
    pub ready: bool,
    pub running: bool,
    pub on_action: Callback<Action>,
    pub on_generate: Callback<(Config, ScriptChoices)>,
}

fn input_text(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

fn checked(e: &Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}

fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

#[component]
pub fn GeneratorForm(props: &FormProps) -> Html {
    let parsed = props.form.parse();
    let errors: Vec<FormError> = parsed.clone().err().unwrap_or_default();
    let onsubmit = {
        let on_generate = props.on_generate.clone();
        let parsed = parsed.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Ok(choice) = &parsed {
                on_generate.emit(choice.clone());
            }
        })
    };
    let on_scale = props
        .on_action
        .reform(|_: MouseEvent| Action::ScaleToStudents);
    let on_reset = props.on_action.reform(|_: MouseEvent| Action::ResetForm);
    let can_generate = parsed.is_ok() && props.ready && !props.running;
    html! {
        <form class="generator-form" {onsubmit} novalidate=true data-testid="generator-form">
            <fieldset>
                <legend>{ "Dataset" }</legend>
                <div class="fields">
                    { for Field::ALL.into_iter().map(|field| html! {
                        <NumberField {field} text={props.form.value(field).to_owned()}
                            error={errors.iter().find(|e| e.field() == Some(field)).cloned()}
                            on_action={props.on_action.clone()} />
                    }) }
                </div>
                <button type="button" class="secondary" onclick={on_scale} data-testid="scale">
                    { "Scale the other sizes to the number of students" }
                </button>
            </fieldset>
            <SqlOptions form={props.form.clone()} on_action={props.on_action.clone()}
                errors={errors.iter().filter(|e| e.field().is_none()).cloned().collect::<Vec<_>>()} />
            <div class="actions">
                <button type="submit" class="primary" disabled={!can_generate} data-testid="generate">
                    { if props.ready { "Generate" } else { "Loading the generator…" } }
                </button>
                <button type="button" class="secondary" onclick={on_reset} data-testid="reset">
                    { "Reset to defaults" }
                </button>
            </div>
        </form>
    }
}

#[derive(PartialEq, Properties)]
struct NumberFieldProps {
    field: Field,
    text: String,
    error: Option<FormError>,
    on_action: Callback<Action>,
}

/// One numeric field with its error, if any.
#[component]
fn NumberField(props: &NumberFieldProps) -> Html {
    let field = props.field;
    let id = format!("field-{}", field.key());
    let error_id = format!("error-{}", field.key());
    let error = props.error.as_ref();
    let oninput = props
        .on_action
        .reform(move |e: InputEvent| Action::Edit(field, input_text(&e)));
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id.clone()}>{ field.label() }</label>
            <input
                id={id}
                type="text"
                inputmode="numeric"
                autocomplete="off"
                spellcheck="false"
                value={props.text.clone()}
                aria-invalid={error.is_some().to_string()}
                aria-describedby={error.map(|_| error_id.clone())}
                data-testid={format!("input-{}", field.key())}
                {oninput}
            />
            if let Some(error) = error {
                <p class="field-error" id={error_id} data-testid={format!("error-{}", field.key())}>
                    { error.to_string() }
                </p>
            }
        </div>
    }
}

#[derive(PartialEq, Properties)]
struct SqlOptionsProps {
    form: FormInput,
    /// Errors about the options as a whole.
    errors: Vec<FormError>,
    on_action: Callback<Action>,
}

/// The script's database name and sections.
#[component]
fn SqlOptions(props: &SqlOptionsProps) -> Html {
    let on_action = &props.on_action;
    let on_database = on_action.reform(|e: InputEvent| Action::EditDatabase(input_text(&e)));
    let on_schema = on_action.reform(|e: Event| Action::SetSchema(checked(&e)));
    let on_data = on_action.reform(|e: Event| Action::SetData(checked(&e)));
    let on_drop = on_action.reform(|e: Event| Action::SetDropExisting(checked(&e)));
    let on_dialect = on_action.reform(|e: Event| {
        Action::SetDialect(Dialect::parse(&select_value(&e)).unwrap_or_default())
    });
    let form = &props.form;
    html! {
        <fieldset>
            <legend>{ "SQL script" }</legend>
            <div class="fields">
                <div class="field">
                    <label for="field-dialect">{ "Database" }</label>
                    <select id="field-dialect" onchange={on_dialect} data-testid="select-dialect">
                        { for Dialect::ALL.iter().map(|d| html! {
                            <option value={d.name()} selected={*d == form.dialect}>{ d.label() }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="field-database">{ "Database name" }</label>
                    <input id="field-database" type="text" autocomplete="off" spellcheck="false"
                        value={form.database.clone()} oninput={on_database}
                        data-testid="input-database" />
                </div>
            </div>
            <div class="checks">
                <label><input type="checkbox" checked={form.schema} onchange={on_schema}
                    data-testid="check-schema" />{ " Create the tables (schema)" }</label>
                <label><input type="checkbox" checked={form.data} onchange={on_data}
                    data-testid="check-data" />{ " Insert the rows (data)" }</label>
                <label><input type="checkbox" checked={form.drop_existing} onchange={on_drop}
                    disabled={!form.schema} data-testid="check-drop" />
                    { " Drop and recreate existing tables" }</label>
            </div>
            if !form.drop_existing {
                <p class="hint" data-testid="hint-reload">{ "Loading into a database that already \
                    holds these tables? Tick \"Drop and recreate\" (or drop the database first): \
                    otherwise the inserts stop at the first duplicate key." }</p>
            }
            { for props.errors.iter().map(|e| html! {
                <p class="field-error" role="alert" data-testid="error-form">{ e.to_string() }</p>
            }) }
        </fieldset>
    }
}
