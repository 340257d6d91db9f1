//! The mail outbox, for admins: what went out, what waits, what failed, and a retry.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::Bearer;
use super::params::{Path, Query};
use super::problems::{Conflict, Forbidden, NotFound, Unauthenticated, Unprocessable};
use super::{read_as, run_as};
use crate::domain::ids::NotificationId;
use crate::domain::notification::MailStatus;
use crate::service::Desk;
use crate::service::notify::NotificationView;
use crate::service::page::{Page, PageRequest};

/// Which mails to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct NotificationQuery {
    /// `pending`, `sent` or `failed`; all without it.
    #[param(schema_with = mail_status)]
    pub status: Option<String>,
    /// Page length, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 256)]
    pub cursor: Option<String>,
}

fn mail_status() -> utoipa::openapi::schema::ObjectBuilder {
    crate::service::fields::one_of(MailStatus::ALL.iter().map(|s| s.as_str()))
        .description(Some("All without it"))
}

/// The outbox, newest first (admins and auditors).
///
/// Refused with:
/// - 403: Neither admin nor auditor
/// - 422: Unknown status
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    operation_id = "list_notifications", security(("bearer" = [])), params(NotificationQuery),
    responses(
        (status = 200, description = "A page of mails", body = Page<NotificationView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn list_notifications(
    desk: web::Data<Desk>,
    bearer: Bearer,
    query: Query<NotificationQuery>,
) -> Result<HttpResponse, ApiError> {
    let NotificationQuery {
        status,
        limit,
        cursor,
    } = query.into_inner();
    let page = run_as(&desk, bearer, move |desk, caller| {
        desk.list_notifications(&caller, status, PageRequest::new(limit, cursor)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Puts a failed mail back in the queue (admins).
///
/// Refused with:
/// - 403: Not an admin
/// - 409: The mail has not failed
#[utoipa::path(post, path = "/api/v1/notifications/{id}/retry", tag = "notifications",
    operation_id = "retry_notification", security(("bearer" = [])),
    params(("id" = String, Path, description = "Outbox id")),
    responses(
        (status = 200, description = "Queued again", body = NotificationView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ))]
pub async fn retry_notification(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<NotificationId>,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| {
        desk.retry_notification(&caller, &id)
    })
    .await
}
