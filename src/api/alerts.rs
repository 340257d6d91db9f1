//! Alerts from monitoring, and the outages of a service.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::params::{Path, Query};
use super::problems::{Forbidden, NotFound, Unauthenticated, Unprocessable};
use super::{PageParams, change_as, page_of};
use crate::domain::access::Operation;
use crate::domain::ids::ServiceId;
use crate::service::Desk;
use crate::service::alerts::{
    AlertQuery, AlertView, AlertmanagerPayload, AlertsReceived, GenericAlert,
};
use crate::service::availability::{OutageQuery, OutageView};
use crate::service::page::Page;

/// Takes Prometheus Alertmanager's webhook (version 4), sent with a `monitoring` token as
/// `http_config.authorization`. Each firing alert naming a service by the region's service
/// label opens an unplanned outage from its start and an incident for the service's PD (or
/// joins the service's open outage); each resolved one ends the outage at its end and tells
/// the incident. Repeats change nothing. The whole delivery is one transaction.
///
/// Refused with:
/// - 403: Not a `monitoring` token
/// - 422: A field is not valid (nothing of the delivery is taken)
#[utoipa::path(post, path = "/api/v1/alerts/alertmanager", tag = "alerts", operation_id = "receive_alertmanager",
    security(("bearer" = [])), request_body = AlertmanagerPayload,
    responses(
        (status = 200, description = "What each alert did", body = AlertsReceived),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn receive_alertmanager(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<AlertmanagerPayload>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::PostAlerts,
        StatusCode::OK,
        input,
        move |desk, caller, input| desk.receive_alertmanager(&caller, input),
    )
    .await
}

/// Takes one alert in the desk's own form, for Zabbix, Uptime Kuma or a script: `down` acts
/// as a firing alert, `up` as its resolution.
///
/// Refused with:
/// - 403: Not a `monitoring` token
/// - 422: A field is not valid
#[utoipa::path(post, path = "/api/v1/alerts", tag = "alerts", operation_id = "receive_alert",
    security(("bearer" = [])), request_body = GenericAlert,
    responses(
        (status = 200, description = "What the alert did", body = AlertsReceived),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn receive_alert(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<GenericAlert>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::PostAlerts,
        StatusCode::OK,
        input,
        move |desk, caller, input| desk.receive_alert(&caller, input),
    )
    .await
}

/// Alerts received, newest first; `?matched=false` lists those that named no service
/// (Dinas staff, auditors, admins).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", operation_id = "list_alerts",
    security(("bearer" = [])), params(AlertQuery, PageParams),
    responses(
        (status = 200, description = "A page of alerts", body = Page<AlertView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn list_alerts(
    desk: web::Data<Desk>,
    bearer: Bearer,
    query: Query<AlertQuery>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    page_of(&desk, bearer, params, move |desk, caller, page| {
        desk.list_alerts(caller, query, page)
    })
    .await
}

/// A service's outages, newest first, with who saw each (a person, an alert, a probe) and
/// its incident; `from`/`to` keep those overlapping the span.
///
/// Refused with:
/// - 422: `to` not after `from`, or a cursor this list did not give
#[utoipa::path(get, path = "/api/v1/services/{id}/outages", tag = "services", operation_id = "list_outages",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Service id"), OutageQuery, PageParams),
    responses(
        (status = 200, description = "A page of outages", body = Page<OutageView>),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn list_outages(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<ServiceId>,
    query: Query<OutageQuery>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    page_of(&desk, bearer, params, move |desk, caller, page| {
        desk.list_outages(caller, &id, query, page)
    })
    .await
}
