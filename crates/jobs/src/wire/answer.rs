//! [`Answering`]: a request asked for its one answer (one file chunk in, one acknowledgement
//! out), the way the page's `WorkerClient::ask` takes its replies.

use super::Reply;

/// Why an asked request has no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unanswered {
    /// It finished without an event.
    Empty,
    Failed(String),
    Cancelled,
    /// The worker died while the request was open (it is restarted).
    Died(String),
    /// The client went away before the request ended.
    Gone,
}

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unanswered::Empty => f.write_str("the worker gave no answer"),
            Unanswered::Failed(message) => f.write_str(message),
            Unanswered::Cancelled => f.write_str("cancelled"),
            Unanswered::Died(reason) => write!(f, "the worker stopped ({reason})"),
            Unanswered::Gone => f.write_str("the worker has stopped"),
        }
    }
}

impl From<Unanswered> for String {
    fn from(unanswered: Unanswered) -> String {
        unanswered.to_string()
    }
}

/// Turns the replies to one request into its answer: its last event, once it has finished.
#[derive(Debug)]
pub struct Answering<E> {
    last: Option<E>,
}

impl<E> Default for Answering<E> {
    fn default() -> Self {
        Answering { last: None }
    }
}

impl<E> Answering<E> {
    /// The answer, once `reply` ends the request.
    pub fn reply(&mut self, reply: Reply<E>) -> Option<Result<E, Unanswered>> {
        Some(match reply {
            Reply::Event(event) => {
                self.last = Some(event);
                return None;
            }
            Reply::Finished => self.last.take().ok_or(Unanswered::Empty),
            Reply::Failed(message) => Err(Unanswered::Failed(message)),
            Reply::Cancelled => Err(Unanswered::Cancelled),
            Reply::Died(reason) => Err(Unanswered::Died(reason)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_the_last_event_once_the_request_finishes() {
        let mut answering = Answering::default();
        assert_eq!(answering.reply(Reply::Event(1)), None);
        assert_eq!(answering.reply(Reply::Event(2)), None);
        assert_eq!(answering.reply(Reply::Finished), Some(Ok(2)));
        assert_eq!(
            answering.reply(Reply::Finished),
            Some(Err(Unanswered::Empty))
        );
        let endings = [
            (
                Reply::Failed("bad".into()),
                Unanswered::Failed("bad".into()),
                "bad",
            ),
            (Reply::Cancelled, Unanswered::Cancelled, "cancelled"),
            (
                Reply::Died("boom".into()),
                Unanswered::Died("boom".into()),
                "the worker stopped (boom)",
            ),
        ];
        for (reply, unanswered, text) in endings {
            let mut answering = Answering::<u8>::default();
            assert_eq!(answering.reply(reply), Some(Err(unanswered.clone())));
            assert_eq!(unanswered.to_string(), text);
        }
        assert_eq!(Unanswered::Empty.to_string(), "the worker gave no answer");
        assert_eq!(Unanswered::Gone.to_string(), "the worker has stopped");
    }
}
