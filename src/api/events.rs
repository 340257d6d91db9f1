//! `GET /events/stream`: Server-Sent Events of the ticket events the caller may see, with
//! heartbeats, and `Last-Event-ID` resumption from the event table.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::{StreamExt, stream};
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use super::error::ApiError;
use super::extract::Bearer;
use super::problems::{Unauthenticated, Unprocessable};
use super::{run, run_as};
use crate::auth::Caller;
use crate::domain::ids::EventId;
use crate::service::events::stream::StreamEvent;
use crate::service::{Desk, ServiceError};

/// How often the token is checked again, whatever the traffic, so that a revoked token or a
/// changed account stops receiving; each check that passes sends a comment line, which also
/// keeps proxies from closing a quiet stream.
const RECHECK: Duration = Duration::from_secs(10);
/// What a client waits before reconnecting once the stream drops (the SSE `retry` field), and
/// the comment sent with it at once, so that a client knows it is connected before any event.
const GREETING: &[u8] = b"retry: 3000\n: connected\n\n";
/// Most events read back from the table at once on resumption.
const BACKLOG_PAGE: i64 = 1000;

struct Listener {
    desk: web::Data<Desk>,
    token: String,
    caller: Caller,
    live: Receiver<Arc<StreamEvent>>,
    backlog: VecDeque<Arc<StreamEvent>>,
    /// How far the event table has been read back: live events up to here were sent already.
    read_up_to: Option<EventId>,
    /// The last live event sent.
    last_live: Option<EventId>,
    /// When the token is checked next: a fixed schedule that events do not push back.
    recheck_at: Instant,
    done: bool,
}

/// The event's frame as `caller` may see it, if at all.
fn frame(event: &StreamEvent, caller: &Caller) -> Option<Bytes> {
    event.data_for(caller).map(|data| {
        Bytes::from(format!(
            "id: {}\nevent: {}\ndata: {data}\n\n",
            event.id, event.event_type
        ))
    })
}

impl Listener {
    /// Reads events after `read_up_to` back from the table (resumption, or a listener that
    /// fell behind the live buffer).
    async fn read_back(&mut self) -> Result<(), ApiError> {
        let Some(after) = self.read_up_to.clone() else {
            return Ok(());
        };
        let events = run(&self.desk, move |desk| {
            desk.events_after(&after, BACKLOG_PAGE)
        })
        .await?;
        if let Some(last) = events.last() {
            self.read_up_to = Some(last.id.clone());
        }
        self.backlog.extend(events);
        Ok(())
    }

    /// Checks the token again; `None` ends the stream.
    async fn recheck(&mut self) -> Option<Bytes> {
        self.recheck_at = Instant::now() + RECHECK;
        let token = self.token.clone();
        match run(&self.desk, move |desk| desk.authenticate(&token)).await {
            Ok(caller) => {
                self.caller = caller;
                Some(Bytes::from_static(b": heartbeat\n\n"))
            }
            Err(_) => {
                self.done = true;
                None
            }
        }
    }

    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if self.done {
                return None;
            }
            if Instant::now() >= self.recheck_at {
                return self.recheck().await;
            }
            if let Some(event) = self.backlog.pop_front() {
                if self.backlog.is_empty() && self.read_back().await.is_err() {
                    self.done = true;
                }
                if let Some(frame) = frame(&event, &self.caller) {
                    return Some(frame);
                }
                continue;
            }
            tokio::select! {
                received = self.live.recv() => match received {
                    Ok(event) => {
                        if self.read_up_to.as_ref().is_some_and(|read| event.id <= *read) {
                            continue;
                        }
                        self.last_live = Some(event.id.clone());
                        if let Some(frame) = frame(&event, &self.caller) {
                            return Some(frame);
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        self.read_up_to = self.read_up_to.take().max(self.last_live.clone());
                        if self.read_back().await.is_err() {
                            self.done = true;
                        }
                    }
                    Err(RecvError::Closed) => return None,
                },
                () = tokio::time::sleep_until(self.recheck_at) => return self.recheck().await,
            }
        }
    }
}

/// The event a client resumes after: an event's id, or `0` for the start of the trail. An
/// empty `Last-Event-ID` is none (what EventSource sends before it has seen an id); anything
/// else would silently resume nowhere, so it is refused.
fn last_event_id(request: &HttpRequest) -> Result<Option<EventId>, ApiError> {
    let Some(value) = request.headers().get("Last-Event-ID") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("?").trim();
    if text.is_empty() {
        return Ok(None);
    }
    // Every event id sorts after `0`. An id is a position in the trail, compared as the text
    // it is given out as: only that spelling (in any case) says where to resume.
    let id = EventId::from(text);
    let issued = uuid::Uuid::try_parse(&id).is_ok_and(|uuid| uuid.hyphenated().to_string() == *id);
    if text == "0" || issued {
        return Ok(Some(id));
    }
    Err(ServiceError::field("Last-Event-ID", "must be the id of an event, or 0").into())
}

/// Every new ticket event the caller may see, as `text/event-stream`: `event: <type>`,
/// `id: <event id>`, `data: <event JSON with ticket_number>`. It opens at once with
/// `retry: 3000` and a `: connected` comment, before any event. Send `Last-Event-ID` to resume.
#[utoipa::path(get, path = "/api/v1/events/stream", tag = "dashboard",
    operation_id = "event_stream", security(("bearer" = [])),
    params(("Last-Event-ID" = Option<String>, Header,
        description = "Resume after this event; `0` replays the whole trail the caller may see")),
    responses(
        (status = 200, description = "The stream", body = String, content_type = "text/event-stream"),
        (status = 401, response = Unauthenticated),
        (status = 422, response = Unprocessable),
    ))]
pub async fn stream(
    desk: web::Data<Desk>,
    bearer: Bearer,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let token = bearer.token().to_owned();
    let caller = run_as(&desk, bearer, |_, caller| Ok(caller)).await?;
    let last = last_event_id(&request)?;
    let mut listener = Listener {
        live: desk.subscribe_events(),
        desk,
        token,
        caller,
        backlog: VecDeque::new(),
        read_up_to: last,
        last_live: None,
        recheck_at: Instant::now() + RECHECK,
        done: false,
    };
    listener.read_back().await?;
    let greeting = stream::once(std::future::ready(Ok::<_, actix_web::Error>(
        Bytes::from_static(GREETING),
    )));
    let events = greeting.chain(stream::unfold(listener, |mut listener| async move {
        listener
            .next()
            .await
            .map(|bytes| (Ok::<_, actix_web::Error>(bytes), listener))
    }));
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(events))
}
