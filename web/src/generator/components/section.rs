//! The generator section: owns its state and its worker, lays out the form, progress and results.

use yew::prelude::*;

use campus_gen::Config;
use campus_jobs::generate::ScriptChoices;
use campus_jobs::generate::form::FormInput;
use campus_jobs::generate::lesson_form::LessonInput;
use campus_jobs::route::{Route, Section};

use crate::generator::components::form::GeneratorForm;
use crate::generator::components::lesson::LessonPanel;
use crate::generator::components::progress::ProgressView;
use crate::generator::components::results::Results;
use crate::generator::hook::use_generator;
use crate::generator::state::{Action, JobKind, State};
use crate::shared::notice::NoticeView;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Whether the section is on screen: only then does the address follow the form.
    pub active: bool,
    /// The settings a shared link carries.
    pub link: Option<FormInput>,
    /// The lesson settings a shared link carries.
    pub lesson_link: Option<LessonInput>,
    /// Hands the lesson's files to another section.
    pub on_handover: Callback<crate::etl::handover::Handover>,
}

#[component]
pub fn GeneratorSection(props: &Props) -> Html {
    let state = use_reducer(State::default);
    let generator = use_generator(state.dispatcher());
    {
        let dispatch = state.dispatcher();
        use_effect_with(
            (props.link.clone(), props.lesson_link.clone()),
            move |(link, lesson)| {
                if let Some(form) = link {
                    dispatch.dispatch(Action::LoadForm(form.clone()));
                }
                if let Some(lesson) = lesson {
                    dispatch.dispatch(Action::LoadLesson(lesson.clone()));
                }
            },
        );
    }
    // A new result is shown where the user will see it.
    use_effect_with(state.generated.as_ref().map(|g| g.job_id), |job| {
        if job.is_some() {
            crate::shared::reveal("results");
        }
    });
    // The database section loads the university these settings describe.
    use_effect_with(state.form.clone(), |form| {
        crate::shared::handoff::set_generator(form.parse().ok().map(|(config, _)| config));
    });
    use_effect_with(
        (props.active, state.form.clone(), state.lesson.clone()),
        |(active, form, lesson)| {
            if *active {
                share_settings(form, lesson);
            }
        },
    );

    let on_action = {
        let dispatch = state.dispatcher();
        Callback::from(move |action: Action| dispatch.dispatch(action))
    };
    let on_generate = {
        let generator = generator.clone();
        Callback::from(move |(config, sql): (Config, ScriptChoices)| {
            generator.generate(config, sql)
        })
    };
    let on_cancel = {
        let generator = generator.clone();
        Callback::from(move |()| generator.cancel())
    };
    let on_build_zip = {
        let generator = generator.clone();
        let made = (state.generated.as_ref()).map(|g| (g.config.clone(), g.sql_choices.clone()));
        Callback::from(move |()| {
            if let Some((config, sql)) = &made {
                generator.build_zip(config.clone(), sql.clone());
            }
        })
    };
    let on_dismiss = on_action.reform(|()| Action::DismissNotice);
    let (on_make, on_open) = lesson_callbacks(&state, &generator, &props.on_handover);

    html! {
        <div data-testid="app" data-ready={state.worker_ready.to_string()}
            data-running={state.running.is_some().to_string()}
            data-result={state.generated.as_ref().map_or(0, |g| g.job_id).to_string()}>
            <section id="generator" aria-labelledby="generator-title">
                    <h1 id="generator-title">{ Section::Generator.heading() }</h1>
                    <p class="lede">
                        { "Make a complete, consistent University Management System database — students, \
                           staff, courses, enrollments, marks, residences, buses and applicants — as one \
                           MySQL script or as CSV files. Everything runs in this page; no data leaves \
                           your computer, and the same seed always gives the same data." }
                    </p>
                    <GeneratorForm form={state.form.clone()} ready={state.worker_ready}
                        running={state.running.is_some()} on_action={on_action.clone()} {on_generate} />
                    if let Some(notice) = &state.notice {
                        <NoticeView notice={notice.clone()} {on_dismiss} />
                    }
                    if let Some(running) = &state.running {
                        <ProgressView running={running.clone()} {on_cancel} />
                    }
                    if let Some(generated) = &state.generated {
                        <Results generated={generated.clone()} busy={state.running.is_some()}
                            on_action={on_action.clone()} {on_build_zip} />
                        <LessonPanel generated={generated.clone()} lesson={state.lesson.clone()}
                            busy={state.running.is_some()} {on_action} {on_make} {on_open} />
                    }
                </section>
        </div>
    }
}

/// The lesson panel's callbacks: make the exports or sessions of the generated university with
/// the settings shown, and hand them over.
fn lesson_callbacks(
    state: &UseReducerHandle<State>,
    generator: &crate::generator::hook::GeneratorHandle,
    on_handover: &Callback<crate::etl::handover::Handover>,
) -> (Callback<JobKind>, Callback<JobKind>) {
    let on_make = {
        let generator = generator.clone();
        let config = state.generated.as_ref().map(|g| g.config.clone());
        let options = state.lesson.parse().ok();
        Callback::from(move |kind: JobKind| {
            if let (Some(config), Some(options)) = (&config, &options) {
                generator.lesson(kind, config.clone(), options.clone());
            }
        })
    };
    let on_open = {
        let (generator, on_handover) = (generator.clone(), on_handover.clone());
        let dispatch = state.dispatcher();
        Callback::from(move |kind: JobKind| match generator.handover(kind) {
            Ok(Some(handover)) => on_handover.emit(handover),
            Ok(None) => {}
            Err(message) => dispatch.dispatch(Action::Failed {
                job_id: None,
                message,
            }),
        })
    };
    (on_make, on_open)
}

/// Puts the form's settings in the address, so the link reproduces this dataset (replacing the
/// history entry: typing is not navigation).
fn share_settings(form: &FormInput, lesson: &LessonInput) {
    let route = Route {
        section: Section::Generator,
        generator: Some(form.clone()),
        lesson: Some(lesson.clone()),
    };
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&route.to_hash()),
        );
    }
}
