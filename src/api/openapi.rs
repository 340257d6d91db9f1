//! The OpenAPI document, generated from the handlers; `api-spec/openapi.yaml` is its frozen copy.

use utoipa::openapi::path::{Operation, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Required, Schema};
use utoipa::{Modify, OpenApi};

use crate::domain::ticket::Action;

use super::event_schemas::EventSchemas;
use super::problems::{self, problem_response};

use super::{
    alerts, audit, auth, calendars, dashboard, events, governance, health, metrics, notifications,
    region, reports, services, sla_policies, ticket_actions, tickets, tokens, units, users,
};

/// The REST contract (docs/api.md) as OpenAPI 3.1.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "SPBE Service Desk",
        description = "Tier 1 / Tier 2 service desk with SLA clocks for Indonesian local governments \
                       (Perwali Palangka Raya 23/2020, Perbup Tojo Una-Una 17/2024, Perwali Batu 42/2021, \
                       Perwali Ambon 29/2021, Perwali Kupang 11/2025).",
        license(name = "Apache-2.0")
    ),
    paths(
        health::healthz, health::readyz, metrics::metrics,
        auth::login, auth::me,
        region::get_region, region::update_region,
        units::create_unit, units::list_units, units::get_unit, units::update_unit,
        users::create_user, users::list_users, users::get_user, users::update_user,
        tokens::create_token, tokens::list_tokens, tokens::revoke_token,
        audit::audit_trail,
        audit::verify_trail,
        audit::evidence,
        dashboard::summary, events::stream, reports::sla_report, reports::availability_report,
        reports::problem_inventory,
        notifications::list_notifications, notifications::retry_notification,
        calendars::create_calendar, calendars::list_calendars, calendars::get_calendar,
        calendars::update_calendar, calendars::create_holiday,
        sla_policies::create_sla_policy, sla_policies::list_sla_policies, sla_policies::get_sla_policy,
        sla_policies::update_sla_policy,
        services::create_service, services::list_services, services::get_service, services::update_service,
        services::create_outage, services::end_outage, services::get_availability,
        alerts::list_outages, alerts::receive_alertmanager, alerts::receive_alert, alerts::list_alerts,
        governance::get_criticality, governance::change_criticality, governance::close_service,
        governance::repair_service, governance::list_breaches, governance::create_letter,
        governance::list_letters, governance::tier1_compliance, governance::create_supervision,
        governance::list_supervisions, governance::supervision_status,
        governance::get_problem_link, governance::link_problem, governance::unlink_problem,
        tickets::create_ticket, tickets::list_tickets, tickets::get_ticket, tickets::update_ticket,
        tickets::create_comment, tickets::list_comments, tickets::list_events,
        ticket_actions::acknowledge_ticket, ticket_actions::assign_ticket, ticket_actions::pend_ticket,
        ticket_actions::resume_ticket, ticket_actions::escalate_ticket, ticket_actions::return_ticket,
        ticket_actions::resolve_ticket, ticket_actions::reopen_ticket, ticket_actions::close_ticket,
        ticket_actions::cancel_ticket,
    ),
    components(
        schemas(Action),
        responses(
            problems::Unauthenticated, problems::InvalidCredentials, problems::Forbidden,
            problems::NotFound, problems::Conflict, problems::PreconditionFailed,
            problems::Unprocessable, problems::TooManyAttempts, problems::StorageUnavailable,
        ),
    ),
    modifiers(&BearerAuth, &EventSchemas, &RequestErrors, &StorageErrors, &CommaLists, &PlainParameters, &OptionalBodies, &FieldlessBodies, &EntityTags),
    tags(
        (name = "health", description = "Probes"),
        (name = "auth", description = "Sign-in"),
        (name = "region", description = "Region settings"),
        (name = "units", description = "PDs and the Dinas"),
        (name = "users", description = "Accounts and roles"),
        (name = "tokens", description = "Integration tokens"),
        (name = "alerts", description = "Alerts from monitoring"),
        (name = "audit", description = "Administrative audit log and the trail's hash chain"),
        (name = "notifications", description = "The mail outbox"),
        (name = "dashboard", description = "The Tier 2 dashboard"),
        (name = "reports", description = "SLA and availability reports"),
        (name = "calendars", description = "Business calendars for SLA clocks"),
        (name = "sla-policies", description = "SLA targets per priority"),
        (name = "services", description = "The service catalogue"),
        (name = "governance", description = "Each region's governance: criticality, breaches, letters, closures, Tier 1 compliance, supervisions"),
        (name = "tickets", description = "Tickets, their actions, comments and audit trail"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The answers every operation that reads a body, a query string or a path parameter may give, added where a
/// handler's own list leaves them out: the extractors answer them before the handler runs.
struct RequestErrors;

impl Modify for RequestErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for operation in operations(openapi) {
            add_request_errors(operation);
        }
    }
}

/// Every operation of the document.
fn operations(openapi: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
    })
}

fn add_request_errors(operation: &mut Operation) {
    let has_body = operation.request_body.is_some();
    let has_parameters = operation.parameters.iter().flatten().any(|parameter| {
        matches!(
            parameter.parameter_in,
            ParameterIn::Query | ParameterIn::Path
        )
    });
    let mut errors = Vec::new();
    if has_body {
        errors.push(("400", "invalid_body: the body is not JSON"));
        errors.push(("413", "The body is larger than 1 MiB"));
        errors.push((
            "415",
            "unsupported_media_type: a body not sent as application/json (or application/<x>+json)",
        ));
    }
    if has_body || has_parameters {
        errors.push((
            "422",
            "validation_failed: a field or parameter is not valid (a wrong type, an unknown \
             value, a control character); `errors` names each one",
        ));
    }
    for (status, description) in errors {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem_response(description).into());
    }
}

/// A query parameter that takes a list takes it comma-separated (`status=new,pending`), the
/// one form the query reader understands; a schema given by function carries no style.
struct CommaLists;

impl Modify for CommaLists {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for parameter in
            operations(openapi).flat_map(|operation| operation.parameters.iter_mut().flatten())
        {
            if parameter.parameter_in == ParameterIn::Query
                && matches!(parameter.schema, Some(RefOr::T(Schema::Array(_))))
            {
                parameter.style = Some(ParameterStyle::Form);
                parameter.explode = Some(false);
            }
        }
    }
}

/// An optional parameter is left out, never sent as `null`: utoipa writes every `Option` as
/// "null or the type", which generators turn into a second, numbered type (`FormatType1`) or
/// an `x: None | str` nobody can send.
struct PlainParameters;

impl Modify for PlainParameters {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let is_null = |item: &RefOr<Schema>| {
            matches!(item, RefOr::T(Schema::Object(object))
                if object.schema_type == SchemaType::Type(Type::Null))
        };
        for parameter in
            operations(openapi).flat_map(|operation| operation.parameters.iter_mut().flatten())
        {
            match &mut parameter.schema {
                Some(RefOr::T(Schema::OneOf(one_of)))
                    if one_of.items.len() == 2 && one_of.items.iter().any(is_null) =>
                {
                    parameter.schema = one_of.items.iter().find(|item| !is_null(item)).cloned();
                }
                Some(RefOr::T(Schema::Object(object))) => {
                    if let SchemaType::Array(types) = &object.schema_type
                        && let [plain] = types
                            .iter()
                            .filter(|t| **t != Type::Null)
                            .collect::<Vec<_>>()[..]
                    {
                        object.schema_type = SchemaType::Type(plain.clone());
                    }
                }
                _ => {}
            }
        }
    }
}

/// A body that may be left out (the moves that take no field): utoipa writes it as a nullable
/// schema, but the server takes no body or an object, never `null`. The schema is the object
/// alone, and the body is marked not required.
struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for body in operations(openapi).filter_map(|operation| operation.request_body.as_mut()) {
            if body.required.is_some() {
                continue;
            }
            for content in body.content.values_mut() {
                if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema
                    && let Some(object) = one_of
                        .items
                        .iter()
                        .find(|item| matches!(item, RefOr::Ref(_)))
                {
                    content.schema = Some(object.clone());
                }
            }
            body.required = Some(Required::False);
        }
    }
}

/// A request with no body counts as `{}` (README "How requests are read"), so a body whose
/// schema requires no field may be left out too (`PATCH /users/{id}` and the other edits): the
/// contract says so, and a client may send none.
struct FieldlessBodies;

impl Modify for FieldlessBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let fieldless: Vec<String> = openapi
            .components
            .iter()
            .flat_map(|components| &components.schemas)
            .filter(|(_, schema)| {
                matches!(schema, RefOr::T(Schema::Object(object)) if object.required.is_empty())
            })
            .map(|(name, _)| format!("#/components/schemas/{name}"))
            .collect();
        for body in operations(openapi).filter_map(|operation| operation.request_body.as_mut()) {
            let takes_empty = body.content.values().all(|content| {
                matches!(&content.schema, Some(RefOr::Ref(r)) if fieldless.contains(&r.ref_location))
            });
            if takes_empty {
                body.required = Some(Required::False);
            }
        }
    }
}

/// `If-Match` and `ETag` as the entity tags they are (RFC 9110): the ticket's version in
/// quotes, `"3"`; `If-Match` also takes the weak form `W/"3"` and `*`.
struct EntityTags;

impl Modify for EntityTags {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.insert(
            "EntityTag".to_owned(),
            entity_tag(
                r#"^"[0-9]+"$"#,
                "An entity tag: the record's version in double quotes.",
            ),
        );
        components.schemas.insert(
            "IfMatch".to_owned(),
            entity_tag(
                r#"^(\*|(W/)?"[0-9]+")$"#,
                "The entity tag last read (`\"3\"`, or weak `W/\"3\"`), or `*` for any version.",
            ),
        );
        for operation in operations(openapi) {
            for parameter in operation.parameters.iter_mut().flatten() {
                if parameter.parameter_in == ParameterIn::Header && parameter.name == "If-Match" {
                    parameter.schema = Some(Ref::from_schema_name("IfMatch").into());
                }
            }
            for response in operation.responses.responses.values_mut() {
                if let RefOr::T(response) = response
                    && let Some(etag) = response.headers.get_mut("ETag")
                {
                    etag.schema = Ref::from_schema_name("EntityTag").into();
                }
            }
        }
    }
}

fn entity_tag(pattern: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .examples([serde_json::json!("\"3\"")])
        .into()
}

/// The answer every operation that reaches the database may give while it cannot store
/// changes (disk full, read-only, out of reach); only the liveness probe never reaches it.
struct StorageErrors;

impl Modify for StorageErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for operation in operations(openapi)
            .filter(|operation| operation.operation_id.as_deref() != Some("get_health"))
        {
            operation
                .responses
                .responses
                .entry("503".to_owned())
                .or_insert_with(|| Ref::new("#/components/responses/StorageUnavailable").into());
        }
    }
}

/// The document as YAML, as checked in under `api-spec/`.
pub fn yaml() -> Result<String, String> {
    ApiDoc::openapi().to_yaml().map_err(|e| e.to_string())
}
