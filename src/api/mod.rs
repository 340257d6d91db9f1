//! HTTP only: one module per resource. Each handler extracts and checks input, calls one use
//! case on a blocking thread, and maps the result to JSON.

mod alerts;
mod audit;
mod auth;
mod calendars;
mod dashboard;
pub mod error;
mod event_schemas;
mod events;
mod extract;
mod governance;
mod health;
mod json;
mod metrics;
mod notifications;
pub mod openapi;
pub mod params;
mod problems;
mod region;
mod reports;
pub(crate) mod request_log;
mod services;
mod sla_policies;
mod ticket_actions;
mod tickets;
mod tokens;
mod units;
mod users;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use self::error::ApiError;
use crate::auth::Caller;
use crate::domain::access::Operation;
use crate::service::page::{Page, PageRequest};
use crate::service::{Desk, ErrorCode, ServiceError};

pub use extract::MAX_BODY_BYTES;

/// Runs a use case on the blocking pool (diesel is synchronous), inside the request's span.
pub(crate) async fn run<T, F>(desk: &web::Data<Desk>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Desk) -> Result<T, ServiceError> + Send + 'static,
{
    let desk = desk.clone().into_inner();
    let span = tracing::Span::current();
    web::block(move || span.in_scope(|| work(&desk)))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(ApiError::from)
}

/// Resolves the bearer token to a caller and runs a use case for it, both on one blocking
/// thread: every request re-reads the account, so that deactivation and revocation act at once.
pub(crate) async fn run_as<T, F>(
    desk: &web::Data<Desk>,
    bearer: extract::Bearer,
    work: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Desk, Caller) -> Result<T, ServiceError> + Send + 'static,
{
    run(desk, move |desk| {
        work(desk, desk.authenticate(bearer.token())?)
    })
    .await
}

/// Like `run_as` for a change with a body: the caller is authenticated, then refused if its
/// role may never do `operation`, and only then is the body opened, so that its problems are
/// told to those allowed to send it.
pub(crate) async fn run_as_with<B, T, F>(
    desk: &web::Data<Desk>,
    bearer: extract::Bearer,
    operation: Operation,
    body: extract::Body<B>,
    work: F,
) -> Result<T, ApiError>
where
    B: DeserializeOwned + 'static,
    T: Send + 'static,
    F: FnOnce(&Desk, Caller, B) -> Result<T, ServiceError> + Send + 'static,
{
    let desk = desk.clone().into_inner();
    let span = tracing::Span::current();
    web::block(move || {
        span.in_scope(|| {
            let caller = desk.authenticate_for(bearer.token(), operation)?;
            let input = body.open()?;
            work(&desk, caller, input).map_err(ApiError::from)
        })
    })
    .await
    .map_err(|_| ApiError::internal())?
}

/// Answers 200 with the page `list` reads for the caller, from `?limit=&cursor=`.
pub(crate) async fn page_of<T, F>(
    desk: &web::Data<Desk>,
    bearer: extract::Bearer,
    params: params::Query<PageParams>,
    list: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Desk, &Caller, PageRequest) -> Result<Page<T>, ServiceError> + Send + 'static,
{
    let PageParams { limit, cursor } = params.into_inner();
    let page = run_as(desk, bearer, move |desk, caller| {
        list(desk, &caller, PageRequest::new(limit, cursor)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Answers 200 with what `read` finds for the caller.
pub(crate) async fn read_as<T, F>(
    desk: &web::Data<Desk>,
    bearer: extract::Bearer,
    read: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Desk, Caller) -> Result<T, ServiceError> + Send + 'static,
{
    Ok(HttpResponse::Ok().json(run_as(desk, bearer, read).await?))
}

/// Answers `status` with what the change `work` made (see `run_as_with`).
pub(crate) async fn change_as<B, T, F>(
    desk: &web::Data<Desk>,
    bearer: extract::Bearer,
    operation: Operation,
    status: StatusCode,
    body: extract::Body<B>,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    B: DeserializeOwned + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&Desk, Caller, B) -> Result<T, ServiceError> + Send + 'static,
{
    let made = run_as_with(desk, bearer, operation, body, work).await?;
    Ok(HttpResponse::build(status).json(made))
}

/// `?limit=&cursor=` of every list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// Page length, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 256)]
    pub cursor: Option<String>,
}

/// Wires every route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").get(health::healthz))
        .service(web::resource("/readyz").get(health::readyz))
        .service(web::resource("/metrics").get(metrics::metrics))
        .service(
            web::scope("/api/v1")
                .service(web::resource("/auth/login").post(auth::login))
                .service(web::resource("/auth/me").get(auth::me))
                .service(
                    web::resource("/region")
                        .get(region::get_region)
                        .put(region::update_region),
                )
                .service(
                    web::resource("/units")
                        .get(units::list_units)
                        .post(units::create_unit),
                )
                .service(
                    web::resource("/units/{id}")
                        .get(units::get_unit)
                        .patch(units::update_unit),
                )
                .service(
                    web::resource("/users")
                        .get(users::list_users)
                        .post(users::create_user),
                )
                .service(
                    web::resource("/users/{id}")
                        .get(users::get_user)
                        .patch(users::update_user),
                )
                .service(
                    web::resource("/users/{id}/tokens")
                        .get(tokens::list_tokens)
                        .post(tokens::create_token),
                )
                .service(web::resource("/tokens/{id}").delete(tokens::revoke_token))
                .service(web::resource("/audit-log").get(audit::audit_trail))
                .service(web::resource("/audit/verify").get(audit::verify_trail))
                .service(web::resource("/audit/evidence").get(audit::evidence))
                .service(web::resource("/dashboard/summary").get(dashboard::summary))
                .service(web::resource("/events/stream").get(events::stream))
                .service(web::resource("/reports/sla").get(reports::sla_report))
                .service(web::resource("/reports/availability").get(reports::availability_report))
                .service(
                    web::resource("/reports/problem-inventory").get(reports::problem_inventory),
                )
                .service(web::resource("/governance/breaches").get(governance::list_breaches))
                .service(
                    web::resource("/governance/letters")
                        .get(governance::list_letters)
                        .post(governance::create_letter),
                )
                .service(
                    web::resource("/governance/tier1-compliance").get(governance::tier1_compliance),
                )
                .service(
                    web::resource("/governance/supervisions")
                        .get(governance::list_supervisions)
                        .post(governance::create_supervision),
                )
                .service(
                    web::resource("/governance/supervision-status")
                        .get(governance::supervision_status),
                )
                .service(web::resource("/notifications").get(notifications::list_notifications))
                .service(
                    web::resource("/notifications/{id}/retry")
                        .post(notifications::retry_notification),
                )
                .service(
                    web::resource("/calendars")
                        .get(calendars::list_calendars)
                        .post(calendars::create_calendar),
                )
                .service(
                    web::resource("/calendars/{id}")
                        .get(calendars::get_calendar)
                        .put(calendars::update_calendar),
                )
                .service(web::resource("/calendars/{id}/holidays").post(calendars::create_holiday))
                .service(
                    web::resource("/sla-policies")
                        .get(sla_policies::list_sla_policies)
                        .post(sla_policies::create_sla_policy),
                )
                .service(
                    web::resource("/sla-policies/{id}")
                        .get(sla_policies::get_sla_policy)
                        .put(sla_policies::update_sla_policy),
                )
                .service(
                    web::resource("/services")
                        .get(services::list_services)
                        .post(services::create_service),
                )
                .service(
                    web::resource("/services/{id}")
                        .get(services::get_service)
                        .patch(services::update_service),
                )
                .service(
                    web::resource("/services/{id}/outages")
                        .get(alerts::list_outages)
                        .post(services::create_outage),
                )
                .service(
                    web::resource("/alerts")
                        .get(alerts::list_alerts)
                        .post(alerts::receive_alert),
                )
                .service(web::resource("/alerts/alertmanager").post(alerts::receive_alertmanager))
                .service(web::resource("/services/{id}/outages/{oid}").patch(services::end_outage))
                .service(
                    web::resource("/services/{id}/availability").get(services::get_availability),
                )
                .service(
                    web::resource("/services/{id}/criticality")
                        .get(governance::get_criticality)
                        .post(governance::change_criticality),
                )
                .service(web::resource("/services/{id}/closure").post(governance::close_service))
                .service(web::resource("/services/{id}/repair").post(governance::repair_service))
                .service(
                    web::resource("/tickets")
                        .get(tickets::list_tickets)
                        .post(tickets::create_ticket),
                )
                .service(
                    web::resource("/tickets/{id}")
                        .get(tickets::get_ticket)
                        .patch(tickets::update_ticket),
                )
                .service(
                    web::resource("/tickets/{id}/comments")
                        .get(tickets::list_comments)
                        .post(tickets::create_comment),
                )
                .service(web::resource("/tickets/{id}/events").get(tickets::list_events))
                .service(
                    web::resource("/tickets/{id}/problem")
                        .get(governance::get_problem_link)
                        .put(governance::link_problem)
                        .delete(governance::unlink_problem),
                )
                .configure(ticket_actions::routes),
        );
}

/// Answer for routes that do not exist.
pub async fn no_route() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no such route",
    ))
}
