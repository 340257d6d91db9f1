//! Each region's governance: criticality, the breach register, the Komite's letters, closures,
//! Tier 1 compliance, supervisions and problem links.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::params::{Path, Query};
use super::problems::{Conflict, Forbidden, NotFound, Unauthenticated, Unprocessable};
use super::{PageParams, change_as, page_of, read_as, run_as};
use crate::domain::access::Operation;
use crate::domain::ids::ServiceId;
use crate::service::Desk;
use crate::service::governance::closures::{ClosureView, NewClosure, Repair};
use crate::service::governance::criticality::{CriticalityChange, CriticalityView};
use crate::service::governance::letters::{BreachQuery, BreachView, LetterView, NewLetter};
use crate::service::governance::problems::{ProblemLink, ProblemLinkView};
use crate::service::governance::supervision::{
    NewSupervision, SupervisionQuery, SupervisionStatus, SupervisionView,
};
use crate::service::governance::tier1::Tier1Compliance;
use crate::service::page::Page;
use crate::service::period::PeriodQuery;

/// A service's criticality and every step that led to it (staff).
#[utoipa::path(get, path = "/api/v1/services/{id}/criticality", tag = "governance", operation_id = "get_criticality",
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id")),
    responses(
        (status = 200, description = "Its criticality", body = CriticalityView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ))]
pub async fn get_criticality(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<ServiceId>,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| {
        desk.criticality(&caller, &id)
    })
    .await
}

/// Takes a step of a service's criticality: its PD's Tier 1 proposes it critical; a
/// supervisor (the Dinas) designates or declines the proposal, or revokes a designation,
/// designations and revocations by decree.
///
/// Refused with:
/// - 403: Not the owning PD's Tier 1 (to propose), or not a supervisor (to decide)
/// - 409: The step does not follow from where the service stands (`step_not_allowed`)
/// - 422: A field is not valid, or the decree is missing
#[utoipa::path(post, path = "/api/v1/services/{id}/criticality", tag = "governance", operation_id = "change_criticality",
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id")),
    request_body = CriticalityChange,
    responses(
        (status = 200, description = "Its criticality after the step", body = CriticalityView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ))]
pub async fn change_criticality(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<ServiceId>,
    input: Body<CriticalityChange>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::ProposeCriticality,
        StatusCode::OK,
        input,
        move |desk, caller, input| desk.change_criticality(&caller, &id, input),
    )
    .await
}

/// Closes a service for a while (ditutup sementara; supervisors): it takes no tickets until
/// its PD records the repair, and the closure's downtime is planned.
///
/// Refused with:
/// - 403: Not a supervisor
/// - 409: The service is closed already (`step_not_allowed`)
/// - 422: A field is not valid
#[utoipa::path(post, path = "/api/v1/services/{id}/closure", tag = "governance", operation_id = "close_service",
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id")),
    request_body = NewClosure,
    responses(
        (status = 201, description = "Closed", body = ClosureView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ))]
pub async fn close_service(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<ServiceId>,
    input: Body<NewClosure>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::GovernServices,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.close_service(&caller, &id, input),
    )
    .await
}

/// Records the repair of a closed service, which reopens it (its PD's Tier 1, Tier 2 or a
/// supervisor).
///
/// Refused with:
/// - 403: Tier 1 of another PD, or a reading role
/// - 409: The service is not closed (`step_not_allowed`)
/// - 422: A field is not valid
#[utoipa::path(post, path = "/api/v1/services/{id}/repair", tag = "governance", operation_id = "repair_service",
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id")),
    request_body = Repair,
    responses(
        (status = 200, description = "The closure, ended", body = ClosureView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ))]
pub async fn repair_service(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<ServiceId>,
    input: Body<Repair>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::RecordRepairs,
        StatusCode::OK,
        input,
        move |desk, caller, input| desk.repair_service(&caller, &id, input),
    )
    .await
}

/// The breach register of a period: each missed resolution time on a service critical at the
/// time, oldest first (Dinas staff, auditors, admins).
///
/// Refused with:
/// - 403: Tier 1 or an integration
/// - 422: A bad period or service
#[utoipa::path(get, path = "/api/v1/governance/breaches", tag = "governance", operation_id = "list_breaches",
    security(("bearer" = [])), params(PeriodQuery, BreachQuery),
    responses(
        (status = 200, description = "The register", body = Vec<BreachView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn list_breaches(
    desk: web::Data<Desk>,
    bearer: Bearer,
    period: Query<PeriodQuery>,
    query: Query<BreachQuery>,
) -> Result<HttpResponse, ApiError> {
    let (period, query) = (period.into_inner(), query.into_inner());
    let register = run_as(&desk, bearer, move |desk, caller| {
        desk.breach_register(&caller, query, &period)
    })
    .await?;
    Ok(HttpResponse::Ok().json(register))
}

/// Records a letter of the Komite Pengarah TIK to the Dinas (supervisors): a warning or a
/// reprimand citing registered breaches of one service.
///
/// Refused with:
/// - 403: Not a supervisor
/// - 422: A field is not valid, a cited breach is not the service's, or the number is taken
#[utoipa::path(post, path = "/api/v1/governance/letters", tag = "governance", operation_id = "create_letter",
    security(("bearer" = [])), request_body = NewLetter,
    responses(
        (status = 201, description = "Recorded", body = LetterView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_letter(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<NewLetter>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::GovernServices,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.record_letter(&caller, input),
    )
    .await
}

/// The Komite's letters, in the order recorded (Dinas staff, auditors, admins).
#[utoipa::path(get, path = "/api/v1/governance/letters", tag = "governance", operation_id = "list_letters",
    security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of letters", body = Page<LetterView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
    ))]
pub async fn list_letters(
    desk: web::Data<Desk>,
    bearer: Bearer,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    page_of(&desk, bearer, params, Desk::list_letters).await
}

/// Every active PD's Tier 1 standing, with its technicians' appointment decrees (Dinas staff,
/// auditors, admins).
#[utoipa::path(get, path = "/api/v1/governance/tier1-compliance", tag = "governance", operation_id = "tier1_compliance",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The PDs lacking first", body = Tier1Compliance),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
    ))]
pub async fn tier1_compliance(
    desk: web::Data<Desk>,
    bearer: Bearer,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| {
        desk.tier1_compliance(&caller)
    })
    .await
}

/// Records a supervision of a PD's Administrator (supervisors: the Kominfo PD).
///
/// Refused with:
/// - 403: Not a supervisor
/// - 422: A field is not valid
#[utoipa::path(post, path = "/api/v1/governance/supervisions", tag = "governance", operation_id = "create_supervision",
    security(("bearer" = [])), request_body = NewSupervision,
    responses(
        (status = 201, description = "Recorded", body = SupervisionView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn create_supervision(
    desk: web::Data<Desk>,
    bearer: Bearer,
    input: Body<NewSupervision>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::GovernServices,
        StatusCode::CREATED,
        input,
        move |desk, caller, input| desk.record_supervision(&caller, input),
    )
    .await
}

/// Supervisions in the order recorded (Dinas staff, auditors, admins).
///
/// Refused with:
/// - 422: A unit that names no PD
#[utoipa::path(get, path = "/api/v1/governance/supervisions", tag = "governance", operation_id = "list_supervisions",
    security(("bearer" = [])), params(SupervisionQuery, PageParams),
    responses(
        (status = 200, description = "A page of supervisions", body = Page<SupervisionView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
pub async fn list_supervisions(
    desk: web::Data<Desk>,
    bearer: Bearer,
    query: Query<SupervisionQuery>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    page_of(&desk, bearer, params, move |desk, caller, page| {
        desk.list_supervisions(caller, query, page)
    })
    .await
}

/// Which PDs are due for supervision within the region's interval (Dinas staff, auditors,
/// admins).
#[utoipa::path(get, path = "/api/v1/governance/supervision-status", tag = "governance", operation_id = "supervision_status",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The overdue first", body = SupervisionStatus),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
    ))]
pub async fn supervision_status(
    desk: web::Data<Desk>,
    bearer: Bearer,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| {
        desk.supervision_status(&caller)
    })
    .await
}

/// The problem ticket an incident or complaint is linked to.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/problem", tag = "tickets", operation_id = "get_problem_link",
    security(("bearer" = [])), params(("id" = String, Path, description = "Ticket id or number")),
    responses(
        (status = 200, description = "The link", body = ProblemLinkView),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
    ))]
pub async fn get_problem_link(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<String>,
) -> Result<HttpResponse, ApiError> {
    read_as(&desk, bearer, move |desk, caller| {
        desk.problem_link(&caller, &id)
    })
    .await
}

/// Links an incident or complaint to the problem ticket of its cause, replacing an earlier
/// link.
///
/// Refused with:
/// - 403: A reading role
/// - 422: The ticket is a problem itself, or `problem_id` names no problem ticket
#[utoipa::path(put, path = "/api/v1/tickets/{id}/problem", tag = "tickets", operation_id = "link_problem",
    security(("bearer" = [])), params(("id" = String, Path, description = "Ticket id or number")),
    request_body = ProblemLink,
    responses(
        (status = 200, description = "The link", body = ProblemLinkView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
pub async fn link_problem(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<String>,
    input: Body<ProblemLink>,
) -> Result<HttpResponse, ApiError> {
    change_as(
        &desk,
        bearer,
        Operation::WorkTickets,
        StatusCode::OK,
        input,
        move |desk, caller, input| desk.link_problem(&caller, &id, input),
    )
    .await
}

/// Removes a ticket's problem link.
///
/// Refused with:
/// - 403: A reading role
#[utoipa::path(delete, path = "/api/v1/tickets/{id}/problem", tag = "tickets", operation_id = "unlink_problem",
    security(("bearer" = [])), params(("id" = String, Path, description = "Ticket id or number")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ))]
pub async fn unlink_problem(
    desk: web::Data<Desk>,
    bearer: Bearer,
    id: Path<String>,
) -> Result<HttpResponse, ApiError> {
    run_as(&desk, bearer, move |desk, caller| {
        desk.unlink_problem(&caller, &id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
