//! The administrative audit log and the verification of the whole trail.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::Bearer;
use super::params::Query;
use super::problems::{Forbidden, Unauthenticated, Unprocessable};
use super::run_as;
use crate::service::Desk;
use crate::service::audit::AuditEntryView;
use crate::service::trail::TrailVerification;

/// Which record's trail to read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// `region`, `unit`, `user`, `token`, `calendar`, `sla_policy`, `service` or
    /// `notification`.
    #[param(max_length = 32)]
    pub entity: String,
    /// The record's id (`1` for the region).
    #[param(max_length = 64)]
    pub entity_id: String,
}

/// Who changed a setting, unit, account or token, and when (admins and auditors).
///
/// Refused with:
/// - 403: Neither admin nor auditor
/// - 422: An entity the trail does not cover
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", operation_id = "list_audit_entries",
    security(("bearer" = [])), params(AuditQuery),
    responses(
        (status = 200, description = "Oldest first", body = Vec<AuditEntryView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn audit_trail(
    desk: web::Data<Desk>,
    bearer: Bearer,
    query: Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let AuditQuery { entity, entity_id } = query.into_inner();
    let entries = run_as(&desk, bearer, move |desk, caller| {
        desk.audit_trail(&caller, &entity, &entity_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(entries))
}

/// Walks the hash chain of the whole trail, ticket events and audit entries together, and
/// answers how many entries it holds, its head, and the first entry that does not verify
/// (admins and auditors). A head written down earlier proves what the trail held then.
///
/// Refused with:
/// - 403: Neither admin nor auditor
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", operation_id = "verify_audit_trail",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The walk's outcome; `verified` false names the first entry that does not verify", body = TrailVerification),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
    ))]
pub async fn verify_trail(desk: web::Data<Desk>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let verification = run_as(&desk, bearer, |desk, caller| desk.verify_trail(&caller)).await?;
    Ok(HttpResponse::Ok().json(verification))
}
