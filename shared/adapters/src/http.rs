//! HTTP glue shared by the API functions: one error type mapped to a status and a bilingual
//! body in exactly one place, JSON bodies parsed with the offending field named, paging.

use ewokiss_domain::errors::{FieldError, ValidationErrors};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthError;
use crate::dynamo::StoreError;

/// Largest accepted request body; registry records are small.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Message {
    pub pl: String,
    pub en: String,
}

fn message(pl: &str, en: &str) -> Message {
    Message { pl: pl.into(), en: en.into() }
}

/// An existing record that a new one seems to duplicate.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Duplicate {
    /// `email` (cannot be overridden), `name` (may be confirmed) or `teryt`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
    /// Where the existing record is in the API.
    pub href: String,
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine code: `validation`, `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `conflict`, `duplicate`, `payload_too_large`, `method_not_allowed`, `unavailable`, `internal`.
    pub error: String,
    pub message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<Duplicate>,
}

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    Forbidden,
    NotFound,
    /// Malformed request (not JSON, wrong types): 400.
    BadRequest(Vec<FieldError>),
    /// Well-formed but invalid values: 422.
    Validation(ValidationErrors),
    /// The record changed meanwhile, or the change is not allowed in its state.
    Conflict {
        code: &'static str,
        message: Message,
    },
    Duplicate {
        message: Message,
        duplicates: Vec<Duplicate>,
    },
    PayloadTooLarge,
    MethodNotAllowed,
    Unavailable(String),
    Internal(String),
}

impl ApiError {
    pub fn stale_version() -> Self {
        ApiError::Conflict {
            code: "stale_version",
            message: message(
                "Ktoś zmienił ten rekord w międzyczasie. Odśwież i spróbuj ponownie.",
                "Someone changed this record meanwhile. Reload and try again.",
            ),
        }
    }

    pub fn field(field: FieldError) -> Self {
        ApiError::Validation(field.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } | Self::Duplicate { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(self) -> ErrorBody {
        let plain = |error: &str, message: Message| ErrorBody {
            error: error.into(),
            message,
            fields: vec![],
            duplicates: vec![],
        };
        match self {
            Self::Unauthorized => plain("unauthorized", message("Zaloguj się ponownie.", "Please sign in again.")),
            Self::Forbidden => plain("forbidden", message("Brak dostępu.", "Access denied.")),
            Self::NotFound => plain("not_found", message("Nie znaleziono.", "Not found.")),
            Self::BadRequest(fields) => {
                ErrorBody { fields, ..plain("bad_request", message("Nieprawidłowe żądanie.", "Malformed request.")) }
            }
            Self::Validation(errors) => ErrorBody {
                fields: errors.0,
                ..plain("validation", message("Popraw zaznaczone pola.", "Please correct the marked fields."))
            },
            Self::Conflict { code, message } => plain(code, message),
            Self::Duplicate { message, duplicates } => ErrorBody { duplicates, ..plain("duplicate", message) },
            Self::PayloadTooLarge => {
                plain("payload_too_large", message("Przesłane dane są zbyt duże.", "The request body is too large."))
            }
            Self::MethodNotAllowed => {
                plain("method_not_allowed", message("Niedozwolona metoda.", "Method not allowed."))
            }
            Self::Unavailable(_) => plain(
                "unavailable",
                message(
                    "Usługa chwilowo niedostępna. Spróbuj za chwilę.",
                    "Service temporarily unavailable. Try again shortly.",
                ),
            ),
            Self::Internal(_) => plain("internal", message("Wystąpił błąd serwera.", "Internal server error.")),
        }
    }

    pub fn into_response(self) -> Response<Body> {
        match &self {
            Self::Internal(detail) | Self::Unavailable(detail) => tracing::error!(detail = %detail, "request failed"),
            _ => {}
        }
        let status = self.status();
        json(status, &self.body())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::ConditionFailed { label: "version" } => ApiError::stale_version(),
            StoreError::InvalidCursor => ApiError::BadRequest(vec![FieldError::new(
                "cursor",
                "invalid_cursor",
                "Nieprawidłowy kursor stronicowania.",
                "Invalid paging cursor.",
            )]),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Missing | AuthError::Invalid(_) => {
                tracing::info!(reason = %error, "token refused");
                ApiError::Unauthorized
            }
            AuthError::NoAccess(_) => ApiError::Forbidden,
            AuthError::KeysUnavailable(detail) => ApiError::Unavailable(detail),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Validation(errors)
    }
}

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    let body = serde_json::to_vec(value).expect("response types serialise");
    Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .header("cache-control", "no-store")
        .body(Body::from(body))
        .expect("static headers are valid")
}

pub fn ok<T: Serialize>(value: &T) -> Result<Response<Body>, ApiError> {
    Ok(json(StatusCode::OK, value))
}

pub fn created<T: Serialize>(value: &T) -> Result<Response<Body>, ApiError> {
    Ok(json(StatusCode::CREATED, value))
}

/// Parses a JSON body; a wrong type or unknown field is reported with its path.
pub fn parse_body<T: DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    let bytes: &[u8] = request.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(vec![FieldError::new(
            "body",
            "missing_body",
            "Brak treści żądania (oczekiwano JSON).",
            "Missing request body (JSON expected).",
        )]));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let field = if path == "." || path.is_empty() { "body".to_owned() } else { path };
        let detail = inner.to_string();
        let (code, pl) = if inner.is_syntax() || inner.is_eof() {
            ("invalid_json", "Treść nie jest poprawnym JSON-em.")
        } else if detail.starts_with("unknown field") {
            ("unknown_field", "Nieznane pole.")
        } else {
            ("wrong_type", "Nieprawidłowy typ wartości.")
        };
        ApiError::BadRequest(vec![FieldError::new(field, code, format!("{pl} ({detail})"), detail)])
    })
}

/// A query-string parameter, if present and not blank.
pub fn query_param(request: &Request, name: &str) -> Option<String> {
    request
        .query_string_parameters_ref()
        .and_then(|params| params.first(name))
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

pub fn bool_param(request: &Request, name: &str) -> Result<Option<bool>, ApiError> {
    match query_param(request, name).as_deref() {
        None => Ok(None),
        Some("true") | Some("1") => Ok(Some(true)),
        Some("false") | Some("0") => Ok(Some(false)),
        Some(_) => Err(ApiError::BadRequest(vec![FieldError::new(
            name,
            "invalid_boolean",
            "Oczekiwano true lub false.",
            "Expected true or false.",
        )])),
    }
}

/// Page size from `?limit=` (1..=100, default 50).
pub fn page_limit(request: &Request) -> Result<i32, ApiError> {
    match query_param(request, "limit") {
        None => Ok(50),
        Some(raw) => raw.parse::<i32>().ok().filter(|n| (1..=100).contains(n)).ok_or_else(|| {
            ApiError::BadRequest(vec![FieldError::new(
                "limit",
                "invalid_limit",
                "Limit musi być liczbą od 1 do 100.",
                "Limit must be a number from 1 to 100.",
            )])
        }),
    }
}

/// The path below the API's base (e.g. `/api/staff`), split into segments.
pub fn route_segments<'a>(path: &'a str, base: &str) -> Option<Vec<&'a str>> {
    let rest = path.strip_prefix(base)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some(rest.split('/').filter(|segment| !segment.is_empty()).collect())
}

/// A path segment as the client meant it: `bounce%2Bx%40example.com` → `bounce+x@example.com`
/// (route matching works on the raw segments; values taken from them are decoded).
pub fn decode_segment(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                decoded.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

pub fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// Declares the Cognito bearer token in an OpenAPI document.
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "cognito",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        openapi.security = Some(vec![SecurityRequirement::new("cognito", Vec::<String>::new())]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_decoded() {
        assert_eq!(decode_segment("bounce%2Bx%40simulator.amazonses.com"), "bounce+x@simulator.amazonses.com");
        assert_eq!(decode_segment("%C5%81%C3%B3d%C5%BA"), "Łódź");
        assert_eq!(decode_segment("100%"), "100%");
        assert_eq!(decode_segment("a%zz"), "a%zz");
    }

    #[test]
    fn route_segments_strip_base_only_on_boundary() {
        assert_eq!(route_segments("/api/staff/units/1", "/api/staff"), Some(vec!["units", "1"]));
        assert_eq!(route_segments("/api/staff", "/api/staff"), Some(vec![]));
        assert_eq!(route_segments("/api/staffing", "/api/staff"), None);
    }

    #[test]
    fn validation_maps_to_422_with_fields() {
        let error = ApiError::field(FieldError::required("email"));
        assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = error.body();
        assert_eq!(body.fields[0].field, "email");
        assert_eq!(body.error, "validation");
    }
}
