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
    /// `region`, `unit`, `user`, `token`, `calendar`, `sla_policy`, `service`,
    /// `notification`, `backup` (its one record is `backups`) or `ticket` (its problem link;
    /// the ticket's own history is `GET /tickets/{id}/events`).
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

/// Which link to read besides the walk.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VerifyQuery {
    /// A link's place, to read its hash (an evidence file's `head_at_month_end.seq`, say).
    #[param(minimum = 1)]
    pub seq: Option<i64>,
}

/// Walks the hash chain of the whole trail, ticket events and audit entries together, and
/// answers how many entries it holds, its head, and the first entry that does not verify
/// (admins and auditors). A head written down earlier proves what the trail held then.
///
/// Refused with:
/// - 403: Neither admin nor auditor
/// - 422: A `seq` below 1
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", operation_id = "verify_audit_trail",
    security(("bearer" = [])), params(VerifyQuery),
    responses(
        (status = 200, description = "The walk's outcome; `verified` false names the first entry that does not verify", body = TrailVerification),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn verify_trail(
    desk: web::Data<Desk>,
    bearer: Bearer,
    query: Query<VerifyQuery>,
) -> Result<HttpResponse, ApiError> {
    let seq = query.into_inner().seq;
    let verification = run_as(&desk, bearer, move |desk, caller| {
        desk.verify_trail(&caller, seq)
    })
    .await?;
    Ok(HttpResponse::Ok().json(verification))
}

/// Which month's evidence.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EvidenceQuery {
    /// A month of the region (`YYYY-MM`), from its local midnight on the first to the next
    /// month's.
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$", max_length = 7)]
    pub month: String,
}

/// A zip archive.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ZipFile(Vec<u8>);

impl From<ZipFile> for web::Bytes {
    fn from(zip: ZipFile) -> Self {
        zip.0.into()
    }
}

/// The month's evidence for the Inspektorat, as one zip (auditors and admins): the SLA and
/// availability reports (CSV and workbook), the breach and escalation registers (CSV), the
/// trail's head at the month's end with a verification of the whole trail (`rantai-audit.json`),
/// and `manifest.json` and `SHA256SUMS` with the SHA-256 of every file.
///
/// Refused with:
/// - 403: Neither auditor nor admin
/// - 422: A month that is not `YYYY-MM`
#[utoipa::path(get, path = "/api/v1/audit/evidence", tag = "audit", operation_id = "audit_evidence",
    security(("bearer" = [])), params(EvidenceQuery),
    responses(
        (status = 200, description = "`bukti-audit-YYYY-MM.zip`", content((ZipFile = "application/zip"))),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn evidence(
    desk: web::Data<Desk>,
    bearer: Bearer,
    query: Query<EvidenceQuery>,
) -> Result<HttpResponse, ApiError> {
    let month = query.into_inner().month;
    let evidence = run_as(&desk, bearer, move |desk, caller| {
        desk.evidence(&caller, &month)
    })
    .await?;
    Ok(super::reports::attachment(
        "application/zip",
        ZipFile(evidence.bytes),
        &evidence.file_name,
    ))
}
