//! A dismissable message: a worker error or a note such as "Cancelled.".

use yew::prelude::*;

use campus_jobs::Notice;

#[derive(PartialEq, Properties)]
pub struct NoticeProps {
    pub notice: Notice,
    pub on_dismiss: Callback<()>,
}

#[component]
pub fn NoticeView(props: &NoticeProps) -> Html {
    let class = if props.notice.is_error {
        "notice error"
    } else {
        "notice"
    };
    let role = if props.notice.is_error {
        "alert"
    } else {
        "status"
    };
    let on_dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class={class} role={role} data-testid="notice">
            <span data-testid="notice-text">{ &props.notice.text }</span>
            <button type="button" class="secondary" onclick={on_dismiss}>{ "Dismiss" }</button>
        </div>
    }
}
