//! The e-WOKiSS extranet API: a unit administrator keeps the persons of the own unit (and its
//! sub-units) current; a participant reads and updates the own record. Every change lands in
//! the same table the staff CRM reads — there is no import step.

use ewokiss_adapters::app::{self, LeaveInput, MoveInput, PersonView, Registry, UnitView};
use ewokiss_adapters::certificate_app::{self, CertificateSettings};
use ewokiss_adapters::dynamo::registry::ChildUnit;
use ewokiss_adapters::dynamo::Page;
use ewokiss_adapters::export;
use ewokiss_adapters::http::{
    self, bool_param, created, ok, page_limit, parse_body, query_param, ApiError, BearerAuth, ErrorBody,
};
use ewokiss_adapters::training_app::{
    self, CancelInput, EnrolInput, EnrolResult, EnrolmentView, SubstituteInput, TrainingOffer, TrainingWithSeats,
};
use ewokiss_domain::access::{Actor, Role};
use ewokiss_domain::enrolment::Enrolment;
use ewokiss_domain::errors::FieldError;
use ewokiss_domain::history::UserRef;
use ewokiss_domain::person::{Employment, NewPerson, Person, PersonEdit};
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub const BASE: &str = "/api/extranet";

/// What the function holds from cold start on.
pub struct App {
    pub http: ewokiss_adapters::app::HttpApp,
    /// Certificates' PDFs and ZIPs.
    pub documents: ewokiss_adapters::documents::Documents,
    pub certificates: CertificateSettings,
    /// Re-issues of certificates after a name correction.
    pub certificate_queue: ewokiss_adapters::queue::Queue,
}

impl App {
    pub async fn from_env() -> Result<Self, ewokiss_adapters::config::MissingVariable> {
        let config = ewokiss_adapters::config::HttpConfig::from_env()?;
        let bucket = ewokiss_adapters::config::required_env("DOCUMENTS_BUCKET")?;
        let certificates = CertificateSettings::from_env()?;
        let certificate_queue = ewokiss_adapters::config::required_env("CERTIFICATE_QUEUE_URL")?;
        let sdk = ewokiss_adapters::config::aws_sdk_config().await;
        Ok(Self {
            http: ewokiss_adapters::app::HttpApp::new(&sdk, config),
            documents: ewokiss_adapters::documents::Documents::new(&sdk, &bucket),
            certificates,
            certificate_queue: ewokiss_adapters::queue::Queue::new(&sdk, &certificate_queue),
        })
    }
}

type Reply = Result<Response<Body>, ApiError>;

pub async fn handle(app: &App, request: Request) -> Response<Body> {
    route(app, &request).await.unwrap_or_else(ApiError::into_response)
}

async fn route(app: &App, request: &Request) -> Reply {
    let path = request.uri().path().to_owned();
    let segments = http::route_segments(&path, BASE).ok_or(ApiError::NotFound)?;
    let method = request.method().clone();
    if segments.as_slice() == ["openapi.json"] && http::is_read(&method) {
        return ok(&ApiDoc::openapi());
    }
    // Links in e-mails work without logging in: the signed token is the authorisation.
    if let ["public", "unsubscribe"] = segments.as_slice() {
        if method != Method::POST {
            return Err(ApiError::MethodNotAllowed);
        }
        let token = query_param(request, "token").or_else(|| {
            serde_json::from_slice::<UnsubscribeInput>(request.body().as_ref()).ok().and_then(|input| input.token)
        });
        let token = token.ok_or_else(|| ApiError::BadRequest(vec![FieldError::required("token")]))?;
        return ok(&app.http.registry.unsubscribe(&app.http.links, &token).await?);
    }
    if let ["public", "certificates", ..] = segments.as_slice() {
        return Box::pin(public_certificates(app, method, &segments, request)).await;
    }
    let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok());
    let actor = app.http.verifier.actor(authorization).await?;
    let r = &app.http.registry;
    let a = &actor;
    match (method, segments.as_slice()) {
        (Method::GET, ["me"]) => me(r, a).await,
        (Method::GET, ["persons"]) => persons(r, a, request).await,
        (Method::POST, ["persons"]) => {
            admin_only(a)?;
            created(&r.create_person(a, parse_body::<NewPerson>(request)?).await?)
        }
        (Method::GET, ["persons", id]) => ok(&r.person_view(a, app::person_id(id)?).await?),
        (Method::PATCH, ["persons", id]) => {
            let edit = parse_body::<PersonEdit>(request)?;
            let renamed = certificate_app::renames(&edit);
            let view = r.edit_person(a, app::person_id(id)?, edit).await?;
            if renamed {
                // An administrator (or the holder) corrected the name: the certificates follow.
                certificate_app::queue_reissue(&app.certificate_queue, view.person.id).await;
            }
            ok(&view)
        }
        (Method::POST, ["persons", id, "leave"]) => {
            admin_only(a)?;
            let input = if request.body().as_ref().iter().all(u8::is_ascii_whitespace) {
                LeaveInput::default()
            } else {
                parse_body(request)?
            };
            ok(&r.leave(a, app::person_id(id)?, input).await?)
        }
        (Method::POST, ["persons", id, "move"]) => {
            admin_only(a)?;
            ok(&r.move_person(a, app::person_id(id)?, parse_body::<MoveInput>(request)?).await?)
        }
        (Method::GET, ["persons", id, "employments"]) => ok(&r.employments(a, app::person_id(id)?).await?),
        (Method::GET, ["trainings"]) => ok(&r.offers(a).await?),
        (Method::GET, ["trainings", id]) => ok(&r.offer(a, training_app::training_id(id)?).await?),
        (Method::POST, ["trainings", id, "enrolments"]) => {
            let input = if request.body().as_ref().iter().all(u8::is_ascii_whitespace) {
                EnrolInput::default()
            } else {
                parse_body(request)?
            };
            ok(&r.enrol(a, training_app::training_id(id)?, input).await?)
        }
        (Method::POST, ["trainings", id, "enrolments", person, "cancel"]) => {
            let input = if request.body().as_ref().iter().all(u8::is_ascii_whitespace) {
                CancelInput::default()
            } else {
                parse_body(request)?
            };
            ok(&r.cancel_enrolment(a, training_app::training_id(id)?, person, input).await?)
        }
        (Method::POST, ["trainings", id, "enrolments", person, "substitute"]) => ok(&r
            .substitute(a, training_app::training_id(id)?, person, parse_body::<SubstituteInput>(request)?)
            .await?),
        (Method::GET, ["enrolments.csv"]) => {
            // Every enrolment of the unit (or the participant's own), up to 5,000 rows.
            let mut rows = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = r.my_enrolments(a, 100, cursor.as_deref()).await?;
                rows.extend(page.items);
                match page.next {
                    Some(next) if rows.len() < 5_000 => cursor = Some(next),
                    _ => break,
                }
            }
            let body = export::csv(&export::ENROLMENT_HEADER, export::enrolment_rows(&rows));
            Ok(export::csv_response("zapisy.csv", body))
        }
        (Method::GET, ["enrolments"]) => {
            let cursor = query_param(request, "cursor");
            ok(&r.my_enrolments(a, page_limit(request)?, cursor.as_deref()).await?)
        }
        (Method::GET, ["settlements"]) => {
            // The administrator's own unit; participants have no settlements to see.
            admin_only(a)?;
            let unit = a.unit_id.ok_or(ApiError::Forbidden)?;
            ok(&r.unit_settlements(a, unit).await?)
        }
        (Method::GET, ["certificates"]) => {
            let person = query_param(request, "personId").map(|raw| app::person_id(&raw)).transpose()?;
            let training = query_param(request, "trainingId").map(|raw| training_app::training_id(&raw)).transpose()?;
            ok(&Box::pin(r.certificates(a, person, training)).await?)
        }
        (Method::GET, ["certificates", id, "download"]) => {
            ok(&Box::pin(r.certificate_download(a, certificate_app::certificate_id(id)?, &app.documents)).await?)
        }
        (Method::GET, ["trainings", id, "certificates.zip"]) => {
            admin_only(a)?;
            ok(&Box::pin(r.certificates_zip(a, training_app::training_id(id)?, &app.documents)).await?)
        }
        (Method::GET, ["units", id, "tasks"]) => ok(&r.unit_shared_tasks(a, app::unit_id(id)?).await?),
        (Method::GET, ["settlements", id]) => {
            admin_only(a)?;
            ok(&r.settlement(a, ewokiss_adapters::billing_app::settlement_id(id)?).await?)
        }
        (
            _,
            ["me" | "persons" | "trainings" | "enrolments" | "enrolments.csv" | "settlements" | "units" | "certificates", ..],
        ) => Err(ApiError::MethodNotAllowed),
        _ => Err(ApiError::NotFound),
    }
}

/// Certificates without logging in: the verification page (by code) and the e-mailed link
/// (a signed token), which answers with a redirect to a fresh 5-minute download.
async fn public_certificates(app: &App, method: Method, segments: &[&str], request: &Request) -> Reply {
    let r = &app.http.registry;
    match (method, segments) {
        (Method::GET, ["public", "certificates", "verify", code]) => {
            ok(&r.verify_certificate(&http::decode_segment(code)).await?)
        }
        (Method::GET, ["public", "certificates", "download"]) => {
            let token = query_param(request, "token")
                .ok_or_else(|| ApiError::BadRequest(vec![FieldError::required("token")]))?;
            let link = r.certificate_by_token(&token, &app.documents, &app.certificates).await?;
            Ok(Response::builder()
                .status(302)
                .header("location", link.url)
                .header("cache-control", "no-store")
                .body(Body::Empty)
                .expect("a redirect is a valid response"))
        }
        _ => Err(ApiError::NotFound),
    }
}

/// The unsubscribe link's token (RFC 8058 clients send it in the query; the page in the body).
#[derive(Debug, Default, serde::Deserialize, ToSchema)]
pub struct UnsubscribeInput {
    pub token: Option<String>,
}

/// The extranet serves unit administrators and participants; staff use the CRM, whose
/// actions are audited as staff actions.
fn admin_only(actor: &Actor) -> Result<(), ApiError> {
    match actor.role {
        Role::UnitAdmin => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub user: UserRef,
    pub email: Option<String>,
    /// `unit-admin` or `participant`.
    pub role: String,
    pub unit: UnitView,
    pub sub_units: Vec<ChildUnit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonView>,
}

/// The signed-in user, their unit and its sub-units, and (for a participant) the own record.
#[utoipa::path(get, path = "/api/extranet/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn me(r: &Registry, a: &Actor) -> Reply {
    let role = match a.role {
        Role::UnitAdmin => "unit-admin",
        Role::Participant => "participant",
        Role::Staff => return Err(ApiError::Forbidden),
    };
    let person = match a.person_id {
        Some(id) => Some(r.person_view(a, id).await?),
        None => None,
    };
    let unit_id = a.unit_id.or_else(|| person.as_ref().map(|p| p.person.unit_id)).ok_or(ApiError::Forbidden)?;
    let unit = r.unit(a, unit_id).await?;
    let sub_units = if a.role == Role::UnitAdmin { r.children_of(&unit).await? } else { Vec::new() };
    ok(&Me { user: a.as_user_ref(), email: a.email.clone(), role: role.into(), unit: unit.into(), sub_units, person })
}

/// Persons of the administrator's unit and all its sub-units (`unitId` narrows to one unit of
/// the subtree; `includeLeft` adds former employees).
#[utoipa::path(get, path = "/api/extranet/persons",
    params(("unitId" = Option<String>, Query), ("includeLeft" = Option<bool>, Query), ("limit" = Option<i32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<PersonView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn persons(r: &Registry, a: &Actor, request: &Request) -> Reply {
    admin_only(a)?;
    let (unit_id, subtree) = match query_param(request, "unitId") {
        Some(raw) => (app::unit_id(&raw)?, false),
        None => (a.unit_id.ok_or(ApiError::Forbidden)?, true),
    };
    let unit = r.unit(a, unit_id).await?;
    let include_left = bool_param(request, "includeLeft")?.unwrap_or(false);
    let cursor = query_param(request, "cursor");
    ok(&r.unit_persons(a, &unit, subtree, include_left, page_limit(request)?, cursor.as_deref()).await?)
}

#[allow(dead_code)] // bodies are never called: the annotations feed the OpenAPI document
mod documented {
    use super::*;

    #[utoipa::path(post, path = "/api/extranet/persons", request_body = NewPerson,
        responses((status = 201, body = PersonView), (status = 409, body = ErrorBody, description = "duplicate e-mail or name"), (status = 422, body = ErrorBody)))]
    pub fn create_person() {}
    #[utoipa::path(get, path = "/api/extranet/persons/{id}", params(("id" = String, Path)), responses((status = 200, body = PersonView), (status = 404, body = ErrorBody)))]
    pub fn get_person() {}
    #[utoipa::path(patch, path = "/api/extranet/persons/{id}", params(("id" = String, Path)), request_body = PersonEdit,
        responses((status = 200, body = PersonView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn edit_person() {}
    #[utoipa::path(post, path = "/api/extranet/persons/{id}/leave", params(("id" = String, Path)), request_body = LeaveInput,
        responses((status = 200, body = Person), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn leave() {}
    #[utoipa::path(post, path = "/api/extranet/persons/{id}/move", params(("id" = String, Path)), request_body = MoveInput,
        responses((status = 200, body = PersonView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn move_person() {}
    #[utoipa::path(get, path = "/api/extranet/trainings", responses((status = 200, body = Vec<TrainingWithSeats>, description = "trainings open to the caller's unit, with their seats")))]
    pub fn offers() {}
    #[utoipa::path(get, path = "/api/extranet/trainings/{id}", params(("id" = String, Path)), responses((status = 200, body = TrainingOffer), (status = 404, body = ErrorBody)))]
    pub fn offer() {}
    #[utoipa::path(post, path = "/api/extranet/trainings/{id}/enrolments", params(("id" = String, Path)), request_body = EnrolInput,
        responses((status = 200, body = Vec<EnrolResult>, description = "one result per person: enrolled, waitlisted, already or refused"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
    pub fn enrol() {}
    #[utoipa::path(post, path = "/api/extranet/trainings/{id}/enrolments/{personId}/cancel", params(("id" = String, Path), ("personId" = String, Path)), request_body = CancelInput,
        responses((status = 200, body = Enrolment), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn cancel_enrolment() {}
    #[utoipa::path(post, path = "/api/extranet/trainings/{id}/enrolments/{personId}/substitute", params(("id" = String, Path), ("personId" = String, Path)), request_body = SubstituteInput,
        responses((status = 200, body = Enrolment), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn substitute() {}
    #[utoipa::path(get, path = "/api/extranet/enrolments", params(("limit" = Option<i32>, Query), ("cursor" = Option<String>, Query)),
        responses((status = 200, body = Page<EnrolmentView>, description = "a participant's own; an administrator's unit and sub-units")))]
    pub fn enrolments() {}
    #[utoipa::path(get, path = "/api/extranet/enrolments.csv",
        responses((status = 200, content_type = "text/csv", body = String, description = "the same enrolments as CSV for Excel (UTF-8 with BOM, `;`)")))]
    pub fn enrolments_csv() {}
    #[utoipa::path(get, path = "/api/extranet/persons/{id}/employments", params(("id" = String, Path)), responses((status = 200, body = Vec<Employment>)))]
    pub fn employments() {}
    #[utoipa::path(get, path = "/api/extranet/settlements",
        responses((status = 200, body = ewokiss_adapters::billing_app::UnitSettlements, description = "the administrator's unit's settlements and receivables"), (status = 403, body = ErrorBody)))]
    pub fn settlements() {}
    #[utoipa::path(get, path = "/api/extranet/settlements/{id}", params(("id" = String, Path)),
        responses((status = 200, body = ewokiss_adapters::billing_app::SettlementView), (status = 404, body = ErrorBody, description = "also for another unit's settlement")))]
    pub fn settlement() {}
    #[utoipa::path(get, path = "/api/extranet/units/{id}/tasks", params(("id" = String, Path)),
        responses((status = 200, body = Vec<ewokiss_domain::task::Task>, description = "open tasks staff share with the unit's administrators, e.g. a bounced address to correct"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
    pub fn unit_tasks() {}
    #[utoipa::path(post, path = "/api/extranet/public/unsubscribe", params(("token" = Option<String>, Query)), request_body = UnsubscribeInput, security(),
        responses((status = 200, body = ewokiss_adapters::mailing_app::UnsubscribeResult, description = "no login: the signed token names the person"), (status = 400, body = ErrorBody, description = "invalid or expired link")))]
    pub fn unsubscribe() {}
    #[utoipa::path(get, path = "/api/extranet/certificates", params(("personId" = Option<String>, Query), ("trainingId" = Option<String>, Query)),
        responses((status = 200, body = Vec<ewokiss_adapters::dynamo::certificates::StoredCertificate>, description = "a participant's own; an administrator's unit tree's persons' (by person or training)")))]
    pub fn certificates() {}
    #[utoipa::path(get, path = "/api/extranet/certificates/{id}/download", params(("id" = String, Path)),
        responses((status = 200, body = ewokiss_adapters::certificate_app::CertificateLink, description = "a 5-minute link to the PDF"), (status = 404, body = ErrorBody, description = "also for someone else's certificate")))]
    pub fn certificate_download() {}
    #[utoipa::path(get, path = "/api/extranet/trainings/{id}/certificates.zip", params(("id" = String, Path)),
        responses((status = 200, body = ewokiss_adapters::certificate_app::CertificateLink, description = "a 5-minute link to one ZIP of the unit's certificates of the training"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
    pub fn certificates_zip() {}
    #[utoipa::path(get, path = "/api/extranet/public/certificates/verify/{code}", params(("code" = String, Path)), security(),
        responses((status = 200, body = ewokiss_domain::documents::certificate::VerificationView, description = "number, holder and training only"), (status = 404, body = ErrorBody)))]
    pub fn verify_certificate() {}
    #[utoipa::path(get, path = "/api/extranet/public/certificates/download", params(("token" = String, Query)), security(),
        responses((status = 302, description = "to a fresh 5-minute download of the PDF"), (status = 400, body = ErrorBody, description = "tampered or expired link")))]
    pub fn certificate_by_link() {}
}

#[derive(OpenApi)]
#[openapi(
    info(title = "e-WOKiSS extranet API", description = "For unit administrators (own unit and sub-units) and participants (own record)."),
    paths(me, persons, documented::create_person, documented::get_person, documented::edit_person, documented::leave, documented::move_person, documented::employments,
        documented::offers, documented::offer, documented::enrol, documented::cancel_enrolment, documented::substitute, documented::enrolments, documented::enrolments_csv,
        documented::settlements, documented::settlement, documented::unit_tasks, documented::unsubscribe,
        documented::certificates, documented::certificate_download, documented::certificates_zip,
        documented::verify_certificate, documented::certificate_by_link),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().expect("OpenAPI serialises")
}
