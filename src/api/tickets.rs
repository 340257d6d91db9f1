//! Tickets: recording, reading, listing, editing, comments and the trail.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::params::{Path, Query};
use super::problems::{
    Conflict, Forbidden, NotFound, PreconditionFailed, Unauthenticated, Unprocessable,
};
use super::{PageParams, change_as, page_of, read_as, run_as, run_as_with};
use crate::auth::Caller;
use crate::domain::access::Operation;
use crate::service::events::view::EventView;
use crate::service::page::Page;
use crate::service::tickets::actions::NewComment;
use crate::service::tickets::view::{CommentView, TicketView};
use crate::service::tickets::{NewTicket, TicketChanges, TicketQuery};
use crate::service::{Desk, ServiceError};

/// A ticket with its version as the `ETag`.
pub(super) fn with_etag(status: StatusCode, ticket: &TicketView) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, format!("\"{}\"", ticket.version)))
        .json(ticket)
}

/// The version an `If-Match` header names (`"3"` or `W/"3"`, as the contract's pattern says);
/// `*` or none asks nothing.
/// Judged after the token, the role and the body, like the rest of the request's content: a
/// malformed one is a field at fault (422), a stale one a failed precondition (412).
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ServiceError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let digits = text.strip_prefix("W/").unwrap_or(text);
    digits
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        // A version past any a ticket can reach is well formed, and stale.
        .map(|digits| Some(digits.parse().unwrap_or(i64::MAX)))
        .ok_or_else(|| {
            ServiceError::field("If-Match", "must carry the ETag of the ticket, e.g. \"3\"")
        })
}

/// Records a ticket. A retry with the same `Idempotency-Key` and body returns the first ticket,
/// if the caller may still see it.
///
/// Refused with:
/// - 403: The role may not record tickets
/// - 404: A retry whose ticket the caller may no longer see (their PD or role changed)
/// - 422: A field is not valid, or the Idempotency-Key was used for another request
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", operation_id = "create_ticket",
    security(("bearer" = [])), request_body = NewTicket,
    params(("Idempotency-Key" = Option<String>, Header, description = "Any string up to 255 characters; makes retries safe")),
    responses(
        (status = 201, description = "Recorded (or the ticket of an earlier identical request)", body = TicketView,
            headers(("ETag" = String, description = "The ticket's version"))),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_ticket(
    desk: web::Data<Desk>,
    bearer: Bearer,
    req: HttpRequest,
    input: Body<NewTicket>,
) -> Result<HttpResponse, ApiError> {
    let key = req
        .headers()
        .get("idempotency-key")
        .map(|value| value.to_str().map(str::to_owned))
        .transpose()
        // Told after the role gate, with the body's problems.
        .map_err(|_| ServiceError::field("Idempotency-Key", "must be visible ASCII text"));
    let ticket = run_as_with(
        &desk,
        bearer,
        Operation::RecordTickets,
        input,
        move |desk, caller, input| desk.create_ticket(&caller, input, key?),
    )
    .await?;
    Ok(with_etag(StatusCode::CREATED, &ticket))
}

/// Tickets the caller may see: Tier 1 its own PD's, integrations public ones.
///
/// Refused with:
/// - 422: A filter is not valid
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", operation_id = "list_tickets",
    security(("bearer" = [])), params(TicketQuery, PageParams),
    responses(
        (status = 200, description = "A page of tickets", body = Page<TicketView>),
        (status = 401, response = Unauthenticated),
        (status = 422, response = Unprocessable),
    ))]
pub async fn list_tickets(
    desk: web::Data<Desk>,
    bearer: Bearer,
    query: Query<TicketQuery>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    page_of(&desk, bearer, params, move |desk, caller, page| {
        desk.list_tickets(caller, query, page)
    })
    .await
}

/// One ticket, by UUID or number.
///
/// Refused with:
/// - 404: No such ticket, or not visible to the caller
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", operation_id = "get_ticket",
    security(("bearer" = [])), params(("id" = String, Path, description = "UUID or number (SD-2026-000123)")),
    responses(
        (status = 200, description = "The ticket", body = TicketView, headers(("ETag" = String, description = "The ticket's version"))),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
    ))]
pub async fn get_ticket(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ticket = run_as(&desk, bearer, move |desk, caller| desk.ticket(&caller, &id)).await?;
    Ok(with_etag(StatusCode::OK, &ticket))
}

/// Edits a ticket; priority follows impact and urgency.
///
/// A body that changes nothing (the values as stored, or `{}`) answers 200 with
/// the ticket as it is: no new version, no `updated` event, `updated_at` unchanged (If-Match is still checked).
///
/// Refused with:
/// - 403: The caller does not work this ticket's tier
/// - 404: No such ticket, or not visible
/// - 409: The ticket is no longer open
/// - 422: A field is not valid
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", operation_id = "update_ticket",
    security(("bearer" = [])), request_body = TicketChanges,
    params(("id" = String, Path, description = "UUID or number"),
           ("If-Match" = Option<String>, Header, description = "The ETag read; a stale one answers 412")),
    responses(
        (status = 200, description = "The ticket as saved", body = TicketView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
    ))]
pub async fn update_ticket(
    desk: web::Data<Desk>,
    bearer: Bearer,
    req: HttpRequest,
    id: Path<String>,
    changes: Body<TicketChanges>,
) -> Result<HttpResponse, ApiError> {
    change_ticket(
        &desk,
        bearer,
        &req,
        changes,
        move |desk, caller, changes, expected| desk.update_ticket(&caller, &id, changes, expected),
    )
    .await
}

/// Runs a change of a ticket for those who work tickets, with the version `If-Match` names,
/// and answers the ticket as changed with its new `ETag`.
pub(super) async fn change_ticket<B, F>(
    desk: &web::Data<Desk>,
    bearer: Bearer,
    req: &HttpRequest,
    body: Body<B>,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    B: DeserializeOwned + 'static,
    F: FnOnce(&Desk, Caller, B, Option<i64>) -> Result<TicketView, ServiceError> + Send + 'static,
{
    let expected = if_match(req.headers());
    let ticket = run_as_with(
        desk,
        bearer,
        Operation::WorkTickets,
        body,
        move |desk, caller, input| work(desk, caller, input, expected?),
    )
    .await?;
    Ok(with_etag(StatusCode::OK, &ticket))
}

/// Adds a comment (public or internal).
///
/// Refused with:
/// - 403: The caller may not comment
/// - 404: No such ticket, or not visible
/// - 422: Empty or too long
#[utoipa::path(post, path = "/api/v1/tickets/{id}/comments", tag = "tickets", operation_id = "create_comment",
    security(("bearer" = [])), request_body = NewComment, params(("id" = String, Path, description = "UUID or number")),
    responses(
        (status = 201, description = "Added", body = CommentView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_comment(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<String>,
    input: Body<NewComment>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::WorkTickets,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.comment_on_ticket(&caller, &id, input),
    )
    .await
}

/// A ticket's comments, oldest first (integrations see public ones only).
///
/// Refused with:
/// - 404: No such ticket, or not visible
#[utoipa::path(get, path = "/api/v1/tickets/{id}/comments", tag = "tickets", operation_id = "list_comments",
    security(("bearer" = [])), params(("id" = String, Path, description = "UUID or number")),
    responses(
        (status = 200, description = "The comments", body = Vec<CommentView>),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
    ))]
pub async fn list_comments(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<String>,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| {
        desk.ticket_comments(&caller, &id)
    })
    .await
}

/// A ticket's append-only audit trail, oldest first.
///
/// Refused with:
/// - 404: No such ticket, or not visible
#[utoipa::path(get, path = "/api/v1/tickets/{id}/events", tag = "tickets", operation_id = "list_ticket_events",
    security(("bearer" = [])), params(("id" = String, Path, description = "UUID or number")),
    responses(
        (status = 200, description = "The events", body = Vec<EventView>),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
    ))]
pub async fn list_events(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<String>,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| {
        desk.ticket_events(&caller, &id)
    })
    .await
}
