//! The dictionary attack demo: start, stop, live progress and a few recovered identities.

use yew::prelude::*;

use campus_jobs::format::group;

use crate::etl::hook::EtlHandle;
use crate::etl::state::AttackView;

#[derive(PartialEq, Properties)]
pub struct AttackProps {
    pub attack: Option<AttackView>,
    pub keyed: bool,
    pub busy: bool,
    pub etl: EtlHandle,
}

#[component]
pub fn AttackPanel(props: &AttackProps) -> Html {
    let on_start = {
        let etl = props.etl.clone();
        Callback::from(move |_: MouseEvent| etl.attack())
    };
    let on_stop = {
        let etl = props.etl.clone();
        Callback::from(move |_: MouseEvent| etl.cancel())
    };
    let running = props.attack.as_ref().is_some_and(|a| a.running);
    html! {
        <section class="etl-attack" data-testid="etl-attack">
            <h2>{ "Is the hash anonymous? A dictionary attack, live" }</h2>
            <p>{ "For every roll-number prefix in the data, try every sequence number between the smallest and largest \
                  seen and every birthdate 17–20 years before admission, hash each guess with SHA-256, and look it up \
                  among the loaded hashes." }
                if props.keyed { { " These hashes are keyed, so no guess should match." } }
            </p>
            if running {
                <button type="button" class="danger" onclick={on_stop} data-testid="etl-attack-stop">{ "Stop" }</button>
            } else {
                <button type="button" class="secondary" onclick={on_start} disabled={props.busy} data-testid="etl-attack-start">{ "Run the attack" }</button>
            }
            if let Some(a) = &props.attack {
                <p data-testid="etl-attack-progress">
                    { format!("Recovered ") }
                    <strong data-testid="etl-attack-recovered">{ group(a.progress.n_recovered) }</strong>
                    { format!(" of {} students after {} of {} guesses in {:.1} s",
                        group(a.progress.n_targets), group(a.progress.n_tried), group(a.progress.n_candidates), a.elapsed_ms / 1000.0) }
                    if let Some(rate) = a.progress.rate(a.elapsed_ms / 1000.0) {
                        { format!(" — {} hashes/s.", group(rate as u64)) }
                    }
                </p>
                if !a.examples.is_empty() {
                    <details>
                        <summary>{ "Recovered identities (first few)" }</summary>
                        <ul>{ for a.examples.iter().map(|e| html! { <li><code>{ e }</code></li> }) }</ul>
                    </details>
                }
            }
        </section>
    }
}
