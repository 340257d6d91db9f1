//! Liveness and readiness probes.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::error::ApiError;
use super::run;
use crate::service::Desk;

/// `200` while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "health", operation_id = "get_health",
    responses((status = 200, description = "The process runs", body = Object, example = json!({"status": "ok"}))))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `200` when every background worker runs, the database answers, migrations are applied
/// and, after a storage fault, a write goes through again; else `503`.
#[utoipa::path(get, path = "/readyz", tag = "health", operation_id = "get_readiness",
    responses(
        (status = 200, description = "Ready", body = Object, example = json!({"status": "ready"})),
        (status = 503, description = "Not ready: a background worker is down (restarting after a panic; \
            code `not_ready`, detail `worker down: <worker>`); the database is unreachable or cannot store \
            changes (code `storage_unavailable`, a write probe after a storage fault still fails); or \
            migrations are pending (code `unavailable`)", body = super::error::Problem,
            content_type = "application/problem+json",
            example = json!({"type": "urn:spbe-servicedesk:problem:not_ready", "title": "Service Unavailable",
                "status": 503, "code": crate::service::ErrorCode::NotReady, "detail": "worker down: ticket-writer"})),
    ))]
pub async fn readyz(desk: web::Data<Desk>) -> Result<HttpResponse, ApiError> {
    run(&desk, |desk| desk.ready()).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
