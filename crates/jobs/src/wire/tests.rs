//! The worker protocol's bookkeeping, driven as the page and the worker drive it.

use super::*;

type TestClient = Client<&'static str, u8>;

/// A client whose worker (generation 1) has said it is ready.
fn ready_client() -> TestClient {
    let mut client = TestClient::default();
    client.starting();
    assert_eq!(client.receive::<()>(1, FromWorker::Ready), Received::Ready);
    client
}

#[test]
fn messages_round_trip_through_postcard_and_garbage_is_refused() {
    let message = ToWorker::Request {
        id: 7,
        request: "hello".to_owned(),
    };
    let Ok(bytes) = encode(&message) else {
        panic!("encodes")
    };
    assert_eq!(decode::<ToWorker<String>>(&bytes), Ok(message));
    let event = FromWorker::Event { id: 3, event: 9u8 };
    let Ok(bytes) = encode(&event) else {
        panic!("encodes")
    };
    assert_eq!(decode::<FromWorker<u8>>(&bytes), Ok(event));
    assert!(decode::<FromWorker<u8>>(&[0xff, 0xff]).is_err());
}

#[test]
fn the_server_runs_requests_first_in_first_out_with_two_credits() {
    let mut server = Server::default();
    assert_eq!(server.next_request(), None);
    for (id, request) in [(1, "a"), (2, "b")] {
        assert_eq!(
            server.take(ToWorker::Request { id, request }),
            Taken::Nothing
        );
    }
    assert_eq!(server.next_request(), Some((1, "a")));
    assert!(server.may_step());
    assert_eq!(
        server.stepped::<u8>(1, Ok(Step::Working)),
        Stepped {
            event: None,
            ending: None
        }
    );
    for event in [10, 11] {
        let stepped = server.stepped(1, Ok(Step::Event(event)));
        assert_eq!(stepped.event, Some(FromWorker::Event { id: 1, event }));
        assert_eq!(stepped.ending, None);
    }
    assert!(!server.may_step(), "out of credit after {CREDITS} events");
    // An ack of another request gives no credit; one of the running request does.
    assert_eq!(server.take(ToWorker::Ack { id: 2 }), Taken::Nothing);
    assert!(!server.may_step());
    assert_eq!(server.take(ToWorker::Ack { id: 1 }), Taken::Nothing);
    assert!(server.may_step());
    server.ended();
    // A late ack of the ended request is stale.
    assert_eq!(server.take(ToWorker::Ack { id: 1 }), Taken::Nothing);
    assert_eq!(server.next_request(), Some((2, "b")));
    assert!(server.may_step(), "a new request starts with full credit");
    assert_eq!(
        server.stepped(2, Ok(Step::Finished(12))),
        Stepped {
            event: Some(FromWorker::Event { id: 2, event: 12 }),
            ending: Some(FromWorker::Finished { id: 2 })
        }
    );
    assert_eq!(
        server.stepped::<u8>(2, Err(JobError::new("broken"))),
        Stepped {
            event: None,
            ending: Some(FromWorker::Failed {
                id: 2,
                message: "broken".into()
            })
        }
    );
}

#[test]
fn the_server_cancels_the_running_request_or_drops_a_queued_one() {
    let mut server = Server::default();
    for (id, request) in [(1, "a"), (2, "b"), (3, "c")] {
        server.take(ToWorker::Request { id, request });
    }
    assert_eq!(server.next_request(), Some((1, "a")));
    assert_eq!(
        server.take(ToWorker::Cancel { id: 1 }),
        Taken::CancelRunning
    );
    assert_eq!(
        server.take(ToWorker::Cancel { id: 2 }),
        Taken::CancelledQueued(2)
    );
    // Cancelling what is neither running nor queued is stale.
    assert_eq!(server.take(ToWorker::Cancel { id: 2 }), Taken::Nothing);
    assert_eq!(server.take(ToWorker::Cancel { id: 9 }), Taken::Nothing);
    server.ended();
    assert_eq!(server.next_request(), Some((3, "c")));
    assert_eq!(server.next_request(), None);
}

#[test]
fn the_client_holds_messages_until_the_worker_listens() {
    let mut client = TestClient::default();
    let watchdog = client.starting();
    assert_eq!(watchdog.kind, WatchdogKind::Start);
    assert_eq!(watchdog.millis(), START_TIMEOUT_MS);
    let id = client.request("a", 1);
    assert!(
        client.take_outbox().is_empty(),
        "held: the worker would drop it"
    );
    assert!(!client.is_ready());
    assert_eq!(client.receive::<()>(1, FromWorker::Ready), Received::Ready);
    assert!(client.is_ready());
    assert_eq!(
        client.take_outbox(),
        vec![ToWorker::Request { id, request: "a" }]
    );
    assert!(!client.expired(watchdog), "it started in time");
    let next = client.request("b", 2);
    assert_eq!(next, id + 1);
    assert_eq!(
        client.take_outbox(),
        vec![ToWorker::Request {
            id: next,
            request: "b"
        }]
    );
}

#[test]
fn the_client_routes_replies_acks_events_and_ends_a_request_once() {
    let mut client = ready_client();
    let id = client.request("a", 5);
    client.take_outbox();
    assert_eq!(
        client.receive(1, FromWorker::Event { id, event: 'x' }),
        Received::Reply(5, Reply::Event('x'))
    );
    assert_eq!(client.take_outbox(), vec![ToWorker::Ack { id }]);
    assert_eq!(
        client.receive::<char>(1, FromWorker::Finished { id }),
        Received::Reply(5, Reply::Finished)
    );
    // Anything later about it, or from an earlier worker, is nothing.
    assert_eq!(
        client.receive::<char>(
            1,
            FromWorker::Failed {
                id,
                message: "late".into()
            }
        ),
        Received::Nothing
    );
    let other = client.request("b", 6);
    assert_eq!(
        client.receive::<char>(0, FromWorker::Cancelled { id: other }),
        Received::Nothing
    );
    assert_eq!(
        client.receive::<char>(
            1,
            FromWorker::Failed {
                id: other,
                message: "no".into()
            }
        ),
        Received::Reply(6, Reply::Failed("no".into()))
    );
}

#[test]
fn a_cancelled_requests_events_are_dropped_but_acknowledged() {
    let mut client = ready_client();
    let id = client.request("a", 5);
    client.take_outbox();
    let Some(watchdog) = client.cancel(id) else {
        panic!("an open request can be cancelled")
    };
    assert_eq!(watchdog.kind, WatchdogKind::Cancel(id));
    assert_eq!(watchdog.millis(), CANCEL_GRACE_MS);
    assert_eq!(client.cancel(id), None, "one cancel, one watchdog");
    assert_eq!(client.cancel(99), None);
    assert_eq!(client.take_outbox(), vec![ToWorker::Cancel { id }]);
    assert_eq!(
        client.receive(1, FromWorker::Event { id, event: 'x' }),
        Received::Nothing
    );
    assert_eq!(client.take_outbox(), vec![ToWorker::Ack { id }]);
    assert!(
        client.expired(watchdog),
        "still open when the grace runs out"
    );
    assert_eq!(
        client.receive::<char>(1, FromWorker::Cancelled { id }),
        Received::Reply(5, Reply::Cancelled)
    );
    assert!(!client.expired(watchdog), "it stopped in time");
}

#[test]
fn a_death_ends_every_open_request_and_restarts_a_worker_that_once_ran() {
    let mut client = ready_client();
    let first = client.request("a", 1);
    let second = client.request("b", 2);
    let Some(watchdog) = client.cancel(first) else {
        panic!("open")
    };
    assert_eq!(
        client.died(0),
        None,
        "an earlier worker's death is old news"
    );
    assert_eq!(
        client.died(1),
        Some(Death {
            open: vec![1, 2],
            restart: true
        })
    );
    assert!(client.take_outbox().is_empty());
    // The restarted worker ignores the dead one's news and timers.
    let restart = client.starting();
    assert_eq!(restart.generation, 2);
    assert!(!client.expired(watchdog));
    assert_eq!(
        client.receive::<char>(1, FromWorker::Finished { id: second }),
        Received::Nothing
    );
    assert!(client.expired(restart), "not ready yet");
}

#[test]
fn a_worker_that_never_started_is_not_restarted_and_its_watchdog_goes_quiet() {
    let mut client = TestClient::default();
    let watchdog = client.starting();
    client.request("a", 1);
    assert_eq!(
        client.died(watchdog.generation),
        Some(Death {
            open: vec![1],
            restart: false
        })
    );
    assert!(!client.expired(watchdog));
    assert_eq!(client.died(watchdog.generation), None);
}
