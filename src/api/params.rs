//! Query strings and path parameters whose every problem names the parameter (`422`), and
//! the screen that keeps control characters, over-long values and oversized heads out before
//! any use case runs.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use utoipa::IntoParams;
use utoipa::Number;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{ArrayItems, KnownFormat, Object, SchemaFormat};
use utoipa::openapi::{RefOr, Schema};

use super::error::ApiError;
use super::json::is_control;
use crate::service::{ErrorCode, FieldError, ServiceError};

/// A query string read as a `T`: an unparsable, unknown, missing or over-long (past the
/// parameter's `maxLength` in the contract) value answers `422 validation_failed` naming the
/// parameter.
pub struct Query<T>(T);

impl<T> Query<T> {
    /// The parsed parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + IntoParams> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(read_query::<T>(req.query_string()).map(Query))
    }
}

/// The query's pairs checked against the contract's parameters, a repeated list parameter
/// (`status=new&status=pending`) joined as its comma form, then parsed.
fn read_query<T: DeserializeOwned + IntoParams>(query: &str) -> Result<T, ApiError> {
    if query.is_empty() {
        // Building the parameters' documentation allocates; most list reads send no query.
        return parse_query(Vec::new());
    }
    let parameters = T::into_params(|| Some(ParameterIn::Query));
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let parameter = parameters.iter().find(|parameter| parameter.name == name);
        let schema = parameter.and_then(|parameter| parameter.schema.as_ref());
        if let Some(RefOr::T(Schema::Object(object))) = schema
            && let Some(max) = object.max_length
            && value.chars().count() > max
        {
            return Err(invalid(
                name.into_owned(),
                format!("must be at most {max} characters"),
            ));
        }
        if let Some(message) = schema.and_then(|schema| off_contract(schema, &value)) {
            return Err(invalid(name.into_owned(), message));
        }
        match pairs.iter_mut().find(|(seen, _)| *seen == name) {
            // Generators that ignore `explode: false` repeat a list parameter instead.
            Some((_, values)) if matches!(schema, Some(RefOr::T(Schema::Array(_)))) => {
                values.push(',');
                values.push_str(&value);
            }
            Some(_) if parameter.is_some() => {
                return Err(invalid(name.into_owned(), "must be given once".to_owned()));
            }
            _ => pairs.push((name.into_owned(), value.into_owned())),
        }
    }
    parse_query(pairs)
}

/// The refusal of a value the parameter's schema rules out on its own: one it does not list
/// (each of a list's values), a number outside its bounds, an instant that is not RFC 3339,
/// text off its pattern. What the value means (a month that exists, a record) is the use
/// case's to judge.
fn off_contract(schema: &RefOr<Schema>, value: &str) -> Option<String> {
    let (object, parts): (_, Vec<&str>) = match schema {
        RefOr::T(Schema::Array(array)) => match &array.items {
            ArrayItems::RefOrSchema(items) => match items.as_ref() {
                RefOr::T(Schema::Object(object)) => (object, value.split(',').collect()),
                _ => return None,
            },
            ArrayItems::False => return None,
        },
        RefOr::T(Schema::Object(object)) => (object, vec![value]),
        _ => return None,
    };
    parts
        .into_iter()
        .map(str::trim)
        .find_map(|part| off_object(object, part))
}

fn off_object(object: &Object, value: &str) -> Option<String> {
    if let Some(values) = &object.enum_values {
        let names: Vec<&str> = values.iter().filter_map(|v| v.as_str()).collect();
        return (!names.contains(&value)).then(|| format!("must be one of {}", names.join(", ")));
    }
    let number = |bound: &Option<Number>| match bound {
        Some(Number::Int(n)) => Some(*n as i64),
        Some(Number::UInt(n)) => i64::try_from(*n).ok(),
        _ => None,
    };
    if let Ok(n) = value.parse::<i64>() {
        let (low, high) = (number(&object.minimum), number(&object.maximum));
        let outside = low.is_some_and(|low| n < low) || high.is_some_and(|high| n > high);
        match (low, high) {
            (Some(low), Some(high)) if outside => {
                return Some(format!("must be between {low} and {high}"));
            }
            (Some(low), None) if outside => return Some(format!("must be at least {low}")),
            (None, Some(high)) if outside => return Some(format!("must be at most {high}")),
            _ => {}
        }
    }
    if object.format == Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))
        && chrono::DateTime::parse_from_rfc3339(value).is_err()
    {
        return Some("must be an RFC 3339 timestamp such as 2026-11-23T03:15:00Z".to_owned());
    }
    let pattern = object.pattern.as_deref()?;
    // A bad pattern is the contract's fault, found by the tests that use it; it refuses nothing.
    let matches = regex::Regex::new(pattern).map_or(true, |re| re.is_match(value));
    (!matches).then(|| format!("must match {pattern}"))
}

fn parse_query<T: DeserializeOwned>(pairs: Vec<(String, String)>) -> Result<T, ApiError> {
    // serde_urlencoded reads only a query text, which also turns `5` into a number.
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let pairs = url::form_urlencoded::parse(query.as_bytes());
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(
        |error: serde_path_to_error::Error<serde::de::value::Error>| {
            let path = error.path().to_string();
            let message = error.into_inner().to_string();
            let (field, message) = match message.strip_prefix("missing field `") {
                Some(rest) => (
                    rest.split('`').next().unwrap_or(&path).to_owned(),
                    "is required".to_owned(),
                ),
                None if path == "." => ("query".to_owned(), message),
                None => (path, message),
            };
            invalid(field, message)
        },
    )
}

/// The parameters of a route's path (`{id}`, `{action}`), each free of control characters.
pub struct Path<T>(T);

impl<T> Path<T> {
    /// The parsed parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Path<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Path<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The router has decoded every escape here but `%25`, `%2F` and `%2B`, which decode to
        // no control character: what is checked is what the handler gets.
        let screened = req.match_info().iter().try_for_each(|(name, value)| {
            control_message(value).map_or(Ok(()), |message| Err(invalid(name.to_owned(), message)))
        });
        let parsed = screened.and_then(|()| {
            web::Path::<T>::from_request(req, payload)
                .into_inner()
                .map(|path| Path(path.into_inner()))
                .map_err(|error| {
                    let name = req
                        .match_info()
                        .iter()
                        .next()
                        .map_or("path", |(name, _)| name);
                    invalid(name.to_owned(), error.to_string())
                })
        });
        std::future::ready(parsed)
    }
}

/// Largest request head the application reads. actix-http itself refuses heads over 128 KiB
/// or 96 headers with a bare `431`; below those, this screen answers with a problem document.
const MAX_HEADER_BYTES: usize = 32 * 1024;
/// See `MAX_HEADER_BYTES`.
const MAX_HEADERS: usize = 64;
/// Longest query parameter value any route takes; tighter limits are each parameter's own.
const MAX_QUERY_VALUE_CHARS: usize = 1000;

/// Refuses what no route reads before it reaches one: a head with too many or too large
/// headers (`431`), and a query parameter, used or not, with a control character or a value
/// longer than any parameter takes (`422` naming it).
pub async fn screen_request(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let headers = req.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        let problem = ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::HeadersTooLarge,
            format!(
                "a request may carry at most {MAX_HEADERS} headers of {} KiB in all",
                MAX_HEADER_BYTES / 1024
            ),
        );
        return Ok(req.error_response(problem));
    }
    let refused =
        url::form_urlencoded::parse(req.query_string().as_bytes()).find_map(|(name, value)| {
            let name_fault = control_message(&name).map(|m| format!("the name {m}"));
            let too_long = (value.chars().count() > MAX_QUERY_VALUE_CHARS)
                .then(|| format!("must be at most {MAX_QUERY_VALUE_CHARS} characters"));
            // The decoder puts U+FFFD where escaped bytes are not UTF-8 (`%FF`); a filter
            // would otherwise match against text nobody sent.
            let not_utf8 = (name.contains('\u{FFFD}') || value.contains('\u{FFFD}'))
                .then(|| "must be UTF-8 text".to_owned());
            name_fault
                .or_else(|| control_message(&value))
                .or(not_utf8)
                .or(too_long)
                .map(|message| invalid(name.escape_default().to_string(), message))
        });
    match refused {
        Some(problem) => Ok(req.error_response(problem)),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// Why a parameter may not be used, if it may not: it holds a control character (tabs and
/// line breaks included; no parameter needs them).
fn control_message(text: &str) -> Option<String> {
    text.chars().find(|c| is_control(*c)).map(|c| {
        format!(
            "must not contain the control character U+{:04X}",
            u32::from(c)
        )
    })
}

fn invalid(field: String, message: String) -> ApiError {
    ServiceError::Invalid {
        code: ErrorCode::ValidationFailed,
        errors: vec![FieldError::new(field, message)],
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
    struct Sample {
        limit: Option<i64>,
        #[param(max_length = 8)]
        entity: String,
        #[param(value_type = Option<Vec<String>>)]
        status: Option<String>,
    }

    fn field(query: &str) -> String {
        let problem = read_query::<Sample>(query).expect_err("refused").problem();
        assert_eq!(
            (problem.status, problem.code),
            (422, ErrorCode::ValidationFailed)
        );
        problem.errors[0].field.clone()
    }

    #[test]
    fn every_query_problem_names_its_parameter() {
        assert_eq!(field("entity=unit&limit=abc"), "limit");
        assert_eq!(field("limit=5"), "entity");
        assert_eq!(field("limit=5&entity=notification"), "entity");
        assert_eq!(field("entity=unit&limit=5&limit=6"), "limit");
        let sample: Sample = read_query("limit=5&entity=unit&other=x").expect("valid");
        assert_eq!((sample.limit, sample.entity.as_str()), (Some(5), "unit"));
    }

    #[test]
    fn a_repeated_list_parameter_reads_as_its_comma_form() {
        let sample: Sample =
            read_query("entity=unit&status=new&status=pending,resolved").expect("valid");
        assert_eq!(sample.status.as_deref(), Some("new,pending,resolved"));
    }
}
