//! The ten moves of the action table, one operation each: `POST /tickets/{id}/<action>` with
//! its own body, so that a generated client gets one typed method per move.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::extract::{Bearer, Body};
use super::params::Path;
use super::problems::{
    Conflict, Forbidden, NotFound, PreconditionFailed, Unauthenticated, Unprocessable,
};
use super::tickets::change_ticket;
use crate::service::Desk;
use crate::service::tickets::requests::{
    AcknowledgeRequest, ActionRequest, AssignRequest, CancelRequest, CloseRequest, EscalateRequest,
    PendRequest, ReopenRequest, ResolveRequest, ResumeRequest, ReturnRequest,
};
use crate::service::tickets::view::TicketView;

/// The one handler behind the ten operations.
async fn act<B>(
    desk: web::Data<Desk>,
    bearer: Bearer,
    req: HttpRequest,
    id: Path<String>,
    input: Body<B>,
) -> Result<HttpResponse, ApiError>
where
    B: DeserializeOwned + Into<ActionRequest> + 'static,
{
    change_ticket(
        &desk,
        bearer,
        &req,
        input,
        move |desk, caller, input: B, expected| {
            desk.act_on_ticket(&caller, &id, input.into(), expected)
        },
    )
    .await
}

/// One operation: its path, id, body and the answers particular to it. Arguments are `tt`, so
/// that utoipa reads them as the literals they are.
macro_rules! action_operation {
    ($handler:ident, [$($request_body:tt)+], $body:ident, $path:tt, $operation:tt,
     $summary:tt, $forbidden:tt, $invalid:tt, $unprocessable:tt) => {
        #[doc = $summary]
        #[doc = ""]
        #[doc = "Refused with:"]
        #[doc = $forbidden]
        #[doc = $invalid]
        #[doc = $unprocessable]
        #[utoipa::path(post, path = $path, tag = "tickets", operation_id = $operation,
            security(("bearer" = [])), request_body = $($request_body)+,
            params(("id" = String, Path, description = "UUID or number"),
                   ("If-Match" = Option<String>, Header,
                    description = "The ETag read (`\"3\"`, `W/\"3\"`), or `*`; a stale one answers 412")),
            responses(
                (status = 200, description = "The ticket after the move, with the caller's `allowed_actions` from there",
                    body = TicketView, headers(("ETag" = String, description = "The new version"))),
                (status = 401, response = Unauthenticated),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 409, response = Conflict),
                (status = 412, response = PreconditionFailed),
                (status = 422, response = Unprocessable),
            ))]
        pub async fn $handler(
            desk: web::Data<Desk>,
            bearer: Bearer,
            req: HttpRequest,
            id: Path<String>,
            input: Body<$body>,
        ) -> Result<HttpResponse, ApiError> {
            act(desk, bearer, req, id, input).await
        }
    };
}

action_operation!(
    acknowledge_ticket,
    [Option<AcknowledgeRequest>],
    AcknowledgeRequest,
    "/api/v1/tickets/{id}/acknowledge",
    "acknowledge_ticket",
    "Acknowledges a new ticket: its first response; the caller takes it when nobody works it.",
    "- 403 forbidden: the detail says who may (integration tokens and auditors only read; the ticket's tier is worked by Tier 1 of its PD at tier 1, Tier 2 at tier 2)",
    "- 409 invalid_transition: only a `new` ticket is acknowledged; `allowed_actions` lists the caller's possible moves",
    "- 422 validation_failed: the body is not an object"
);
action_operation!(
    assign_ticket,
    [AssignRequest],
    AssignRequest,
    "/api/v1/tickets/{id}/assign",
    "assign_ticket",
    "Gives an open ticket to someone who works its tier.",
    "- 403 forbidden: the detail says who may (the ticket's tier is worked by Tier 1 of its PD at tier 1, Tier 2 at tier 2)",
    "- 409 invalid_transition: only an open ticket (`new`, `in_progress`, `pending`) is assigned; `allowed_actions` lists the caller's possible moves",
    "- 422 validation_failed: `assignee_id` is missing or not 1 to 64 characters; assignee_cannot_work_ticket: it names no active user who works the ticket's tier"
);
action_operation!(
    pend_ticket,
    [PendRequest],
    PendRequest,
    "/api/v1/tickets/{id}/pend",
    "pend_ticket",
    "Puts a ticket on hold for the reporter or a vendor: the Tier 1 and resolution clocks pause.",
    "- 403 forbidden: the detail says who may (the ticket's tier is worked by Tier 1 of its PD at tier 1, Tier 2 at tier 2)",
    "- 409 invalid_transition: only a `new` or `in_progress` ticket is pended; `allowed_actions` lists the caller's possible moves",
    "- 422 validation_failed: `reason` is missing, blank or longer than 2,000 characters"
);
action_operation!(
    resume_ticket,
    [Option<ResumeRequest>],
    ResumeRequest,
    "/api/v1/tickets/{id}/resume",
    "resume_ticket",
    "Works a pending ticket again: its clocks run on.",
    "- 403 forbidden: the detail says who may (the ticket's tier is worked by Tier 1 of its PD at tier 1, Tier 2 at tier 2)",
    "- 409 invalid_transition: only a `pending` ticket is resumed; `allowed_actions` lists the caller's possible moves",
    "- 422 validation_failed: the body is not an object"
);
action_operation!(
    escalate_ticket,
    [EscalateRequest],
    EscalateRequest,
    "/api/v1/tickets/{id}/escalate",
    "escalate_ticket",
    "Hands an open tier-1 ticket to Tier 2 (by Tier 1), or takes it over (by Tier 2); a pending ticket is worked again.",
    "- 403 forbidden: the detail says who may (Tier 1 of the ticket's PD and Tier 2 escalate)",
    "- 409 invalid_transition: only an open ticket at tier 1 is escalated; `allowed_actions` lists the caller's possible moves",
    "- 422 validation_failed: `reason` is missing, blank or longer than 2,000 characters"
);
action_operation!(
    return_ticket,
    [ReturnRequest],
    ReturnRequest,
    "/api/v1/tickets/{id}/return",
    "return_ticket",
    "Tier 2 hands an open tier-2 ticket back to Tier 1 with what to do; it goes to Tier 1's last assignee.",
    "- 403 forbidden: only Tier 2 may return a ticket to Tier 1",
    "- 409 invalid_transition: only an open ticket at tier 2 is returned; `allowed_actions` lists the caller's possible moves",
    "- 422 validation_failed: `solution` is missing, blank or longer than 20,000 characters"
);
action_operation!(
    resolve_ticket,
    [ResolveRequest],
    ResolveRequest,
    "/api/v1/tickets/{id}/resolve",
    "resolve_ticket",
    "Resolves an open ticket; the caller becomes its `resolved_by`.",
    "- 403 forbidden: the detail says who may (the ticket's tier is worked by Tier 1 of its PD at tier 1, Tier 2 at tier 2)",
    "- 409 invalid_transition: only an open ticket (`new`, `in_progress`, `pending`) is resolved; `allowed_actions` lists the caller's possible moves",
    "- 422 validation_failed: `resolution` is missing, blank or longer than 20,000 characters"
);
action_operation!(
    reopen_ticket,
    [ReopenRequest],
    ReopenRequest,
    "/api/v1/tickets/{id}/reopen",
    "reopen_ticket",
    "Reopens a resolved ticket that is not solved after all.",
    "- 403 forbidden: the detail says who may (the ticket's tier is worked by Tier 1 of its PD at tier 1, Tier 2 at tier 2)",
    "- 409 invalid_transition: only a `resolved` ticket is reopened; `allowed_actions` lists the caller's possible moves",
    "- 422 validation_failed: `reason` is missing, blank or longer than 2,000 characters"
);
action_operation!(
    close_ticket,
    [Option<CloseRequest>],
    CloseRequest,
    "/api/v1/tickets/{id}/close",
    "close_ticket",
    "Closes a resolved ticket for good.",
    "- 403 forbidden: the detail says who may (the ticket's tier is worked by Tier 1 of its PD at tier 1, Tier 2 at tier 2)",
    "- 409 invalid_transition: only a `resolved` ticket is closed; `allowed_actions` lists the caller's possible moves",
    "- 422 validation_failed: the body is not an object"
);
action_operation!(
    cancel_ticket,
    [CancelRequest],
    CancelRequest,
    "/api/v1/tickets/{id}/cancel",
    "cancel_ticket",
    "Withdraws an open ticket; it is not counted in SLA compliance.",
    "- 403 forbidden: the detail says who may (the ticket's tier is worked by Tier 1 of its PD at tier 1, Tier 2 at tier 2)",
    "- 409 invalid_transition: only an open ticket (`new`, `in_progress`, `pending`) is cancelled; `allowed_actions` lists the caller's possible moves",
    "- 422 validation_failed: `reason` is missing, blank or longer than 2,000 characters"
);

/// Wires the ten operations, each at its own path: any other action answers `404`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/tickets/{id}/acknowledge").post(acknowledge_ticket))
        .service(web::resource("/tickets/{id}/assign").post(assign_ticket))
        .service(web::resource("/tickets/{id}/pend").post(pend_ticket))
        .service(web::resource("/tickets/{id}/resume").post(resume_ticket))
        .service(web::resource("/tickets/{id}/escalate").post(escalate_ticket))
        .service(web::resource("/tickets/{id}/return").post(return_ticket))
        .service(web::resource("/tickets/{id}/resolve").post(resolve_ticket))
        .service(web::resource("/tickets/{id}/reopen").post(reopen_ticket))
        .service(web::resource("/tickets/{id}/close").post(close_ticket))
        .service(web::resource("/tickets/{id}/cancel").post(cancel_ticket));
}
