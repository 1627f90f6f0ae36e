//! The staff CRM API: units, persons, contact history, tasks, search and the audit trail.
//! Routing and request parsing only; rules live in the domain, storage in the adapters.

use ewokiss_adapters::accounting_app::{self, ExportBatch, PaymentImportInput, PaymentImportReport};
use ewokiss_adapters::app::{self, HttpApp, LeaveInput, MoveInput, PersonView, Registry, SearchResult, UnitView};
use ewokiss_adapters::billing_app::{
    self, BillingPreview, ContractView, CorrectionInput, RunQueued, SettleInput, SettleReport, SettlementPreview,
    SettlementView, UnitSettlements, WaiveInput,
};
use ewokiss_adapters::config::{aws_sdk_config, required_env, HttpConfig, MissingVariable};
use ewokiss_adapters::documents::Documents;
use ewokiss_adapters::dynamo::registry::{ChildUnit, SearchEntry, UnitFilter};
use ewokiss_adapters::dynamo::Page;
use ewokiss_adapters::http::{
    self, bool_param, created, ok, page_limit, parse_body, query_param, ApiError, BearerAuth, ErrorBody,
};
use ewokiss_adapters::mailing_app::MailingSettings;
use ewokiss_adapters::queue::Queue;
use ewokiss_adapters::template_app::{self, TemplateInput, TemplateView};
use ewokiss_adapters::training_app::{
    self, AttendanceInput, CancelInput, EnrolInput, EnrolResult, EnrolmentView, InvitedUnits, PhaseInput,
    SubstituteInput, TrainingCard, TrainingWithSeats, UnitTrainingStats,
};
use ewokiss_domain::access::Actor;
use ewokiss_domain::accounting::SellerInfo;
use ewokiss_domain::contract::{Contract, ContractChangeInput, ContractInput};
use ewokiss_domain::enrolment::Enrolment;
use ewokiss_domain::errors::FieldError;
use ewokiss_domain::history::{AuditEntry, ContactEvent, NewContactEvent, ObjectKind, ObjectRef, UserRef};
use ewokiss_domain::person::{Employment, NewPerson, Person, PersonEdit};
use ewokiss_domain::settlement::SettlementStatus;
use ewokiss_domain::task::{Task, TaskInput, TaskStatus};
use ewokiss_domain::templates::RenderedMessage;
use ewokiss_domain::teryt;
use ewokiss_domain::time;
use ewokiss_domain::training::{InvitedListInput, Phase, Training, TrainingInput, TrainingKind, Venue, VenueInput};
use ewokiss_domain::unit::UnitInput;
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

mod certificates;
mod documents;
mod inbound;
mod mailings;

pub const BASE: &str = "/api/staff";

/// What the function holds from cold start on: the use cases, the token verifier and the
/// billing run's queue.
pub struct App {
    pub http: HttpApp,
    pub billing_queue: Queue,
    /// Accounting export files (and later generated documents).
    pub documents: Documents,
    pub seller: SellerInfo,
    /// Running mailings' recipient batches go out through this queue.
    pub mailing_queue: Queue,
    pub mailing: MailingSettings,
    /// Received mail: attachments' bucket and the mailer of replies.
    pub inbox: ewokiss_adapters::inbound_app::Inbox,
    /// Completed trainings' certificates are generated through this queue.
    pub certificate_queue: Queue,
    pub certificates: ewokiss_adapters::certificate_app::CertificateSettings,
}

impl App {
    pub fn new(
        sdk: &aws_config::SdkConfig,
        config: HttpConfig,
        queues: Queues<'_>,
        bucket: &str,
        mailing: MailingSettings,
        inbox: ewokiss_adapters::inbound_app::Inbox,
        certificates: ewokiss_adapters::certificate_app::CertificateSettings,
    ) -> Self {
        Self {
            http: HttpApp::new(sdk, config),
            billing_queue: Queue::new(sdk, queues.billing),
            documents: Documents::new(sdk, bucket),
            seller: accounting_app::seller_from_env(),
            mailing_queue: Queue::new(sdk, queues.mailing),
            mailing,
            inbox,
            certificate_queue: Queue::new(sdk, queues.certificates),
            certificates,
        }
    }

    /// Reads the configuration (failing fast with the missing variable's name) and builds the clients.
    pub async fn from_env() -> Result<Self, MissingVariable> {
        let config = HttpConfig::from_env()?;
        let billing = required_env("BILLING_QUEUE_URL")?;
        let mailing = required_env("MAILING_QUEUE_URL")?;
        let bucket = required_env("DOCUMENTS_BUCKET")?;
        let settings = MailingSettings::from_env()?;
        let (inbound_bucket, inbound_address) = (required_env("INBOUND_BUCKET")?, required_env("INBOUND_ADDRESS")?);
        let configuration_set = std::env::var("SES_CONFIGURATION_SET").ok().filter(|v| !v.is_empty());
        let sdk = aws_sdk_config().await;
        let inbox =
            ewokiss_adapters::inbound_app::Inbox::new(&sdk, &inbound_bucket, &inbound_address, configuration_set);
        let certificate_queue = required_env("CERTIFICATE_QUEUE_URL")?;
        let certificates = ewokiss_adapters::certificate_app::CertificateSettings::from_env()?;
        let queues = Queues { billing: &billing, mailing: &mailing, certificates: &certificate_queue };
        Ok(Self::new(&sdk, config, queues, &bucket, settings, inbox, certificates))
    }
}

/// The queues the API hands work to.
pub struct Queues<'a> {
    pub billing: &'a str,
    pub mailing: &'a str,
    pub certificates: &'a str,
}

type Reply = Result<Response<Body>, ApiError>;

/// Entry point: every request, whatever happens, gets a JSON response.
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    route(app, &request).await.unwrap_or_else(ApiError::into_response)
}

async fn route(app: &App, request: &Request) -> Reply {
    let path = request.uri().path().to_owned();
    let segments = http::route_segments(&path, BASE).ok_or(ApiError::NotFound)?;
    let method = request.method().clone();
    if segments.as_slice() == ["openapi.json"] && http::is_read(&method) {
        return ok(&openapi());
    }
    let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok());
    let actor = app.http.verifier.actor(authorization).await?;
    if !actor.is_staff() {
        return Err(ApiError::Forbidden);
    }
    let r = &app.http.registry;
    let a = &actor;
    // Areas have routers of their own: one giant match makes one giant poll frame.
    match segments.as_slice() {
        ["certificates", ..] | ["trainings" | "persons", _, "certificates" | "certificates.zip"] => {
            return Box::pin(certificates::routes(app, r, a, method, &segments, request)).await;
        }
        ["document-templates" | "documents", ..] | ["units" | "persons" | "settlements", _, "documents", ..] => {
            return Box::pin(documents::routes(app, r, a, method, &segments, request)).await;
        }
        ["mailings" | "suppressions", ..]
        | ["persons", _, "mailings" | "subscription"]
        | ["trainings", _, "mailings"] => {
            return Box::pin(mailings::routes(app, r, a, method, &segments, request)).await;
        }
        ["training-kinds" | "notification-templates" | "venues" | "trainings" | "invited", ..] => {
            return Box::pin(training_routes(app, r, a, method, &segments, request)).await;
        }
        ["contracts" | "billing" | "settlements" | "exports" | "payments", ..] | ["units", _, "settlements"] => {
            return Box::pin(billing_routes(app, r, a, method, &segments, request)).await;
        }
        ["inbound", ..] => return Box::pin(inbound::routes(app, a, method, &segments, request)).await,
        _ => {}
    }
    match (method, segments.as_slice()) {
        (Method::GET, ["me"]) => me(r, a).await,
        (Method::GET, ["users"]) => ok(&r.staff_users(a).await?),
        (Method::GET, ["powiaty"]) => powiaty(),
        (Method::GET, ["units"]) => list_units(r, a, request).await,
        (Method::POST, ["units"]) => created(&r.create_unit(a, parse_body(request)?).await?),
        (Method::GET, ["units", id]) => ok(&UnitView::from(r.unit(a, app::unit_id(id)?).await?)),
        (Method::PATCH, ["units", id]) => ok(&r.update_unit(a, app::unit_id(id)?, parse_body(request)?).await?),
        (Method::GET, ["units", id, "children"]) => ok(&r.children(a, app::unit_id(id)?).await?),
        (Method::GET, ["units", id, "persons"]) => unit_persons(r, a, id, request).await,
        (Method::GET, ["units", id, "history"]) => {
            history(r, a, ObjectKind::Unit, &app::unit_id(id)?.to_string(), request).await
        }
        (Method::POST, ["units", id, "history"]) => add_event(r, a, ObjectKind::Unit, id, request).await,
        (Method::GET, ["units", id, "tasks"]) => {
            ok(&r.tasks_of(a, ObjectKind::Unit, &app::unit_id(id)?.to_string()).await?)
        }
        (Method::GET, ["units", id, "enrolments"]) => ok(&r.unit_training_stats(a, app::unit_id(id)?).await?),
        (Method::GET, ["units", id, "audit"]) => {
            audit(r, a, ObjectKind::Unit, &app::unit_id(id)?.to_string(), request).await
        }
        (Method::POST, ["persons"]) => created(&r.create_person(a, parse_body::<NewPerson>(request)?).await?),
        (Method::GET, ["persons", id]) => ok(&r.person_view(a, app::person_id(id)?).await?),
        (Method::PATCH, ["persons", id]) => {
            let edit = parse_body::<PersonEdit>(request)?;
            let renamed = ewokiss_adapters::certificate_app::renames(&edit);
            let view = Box::pin(r.edit_person(a, app::person_id(id)?, edit)).await?;
            if renamed {
                ewokiss_adapters::certificate_app::queue_reissue(&app.certificate_queue, view.person.id).await;
            }
            ok(&view)
        }
        (Method::POST, ["persons", id, "leave"]) => {
            ok(&r.leave(a, app::person_id(id)?, optional_body::<LeaveInput>(request)?).await?)
        }
        (Method::POST, ["persons", id, "move"]) => {
            ok(&r.move_person(a, app::person_id(id)?, parse_body::<MoveInput>(request)?).await?)
        }
        (Method::GET, ["persons", id, "employments"]) => ok(&r.employments(a, app::person_id(id)?).await?),
        (Method::GET, ["persons", id, "history"]) => {
            history(r, a, ObjectKind::Person, &app::person_id(id)?.to_string(), request).await
        }
        (Method::POST, ["persons", id, "history"]) => add_event(r, a, ObjectKind::Person, id, request).await,
        (Method::GET, ["persons", id, "audit"]) => {
            audit(r, a, ObjectKind::Person, &app::person_id(id)?.to_string(), request).await
        }
        (Method::GET, ["persons", id, "tasks"]) => {
            ok(&r.tasks_of(a, ObjectKind::Person, &app::person_id(id)?.to_string()).await?)
        }
        (Method::GET, ["persons", id, "enrolments"]) => {
            let cursor = query_param(request, "cursor");
            ok(&r.person_enrolments(a, app::person_id(id)?, page_limit(request)?, cursor.as_deref()).await?)
        }
        (Method::GET, ["search"]) => search(r, a, request).await,
        (Method::GET, ["tasks"]) => tasks(r, a, request).await,
        (Method::POST, ["tasks"]) => created(&r.create_task(a, parse_body::<TaskInput>(request)?).await?),
        (Method::PATCH, ["tasks", id]) => {
            ok(&r.update_task(a, app::task_id(id)?, parse_body::<TaskInput>(request)?).await?)
        }
        (_, ["me" | "users" | "powiaty" | "units" | "persons" | "search" | "tasks", ..]) => {
            Err(ApiError::MethodNotAllowed)
        }
        _ => Err(ApiError::NotFound),
    }
}

async fn training_routes(
    app: &App,
    r: &Registry,
    a: &Actor,
    method: Method,
    segments: &[&str],
    request: &Request,
) -> Reply {
    match (method, segments) {
        (Method::GET, ["training-kinds"]) => ok(&r.training_kinds()),
        (Method::GET, ["notification-templates"]) => ok(&r.notification_templates(a).await?),
        (Method::POST, ["notification-templates", "preview"]) => ok(&r.preview_template(a, parse_body(request)?)?),
        (Method::PUT, ["notification-templates", kind]) => {
            ok(&r.save_template(a, template_app::notification_kind(kind)?, parse_body(request)?).await?)
        }
        (Method::DELETE, ["notification-templates", kind]) => {
            ok(&r.reset_template(a, template_app::notification_kind(kind)?).await?)
        }
        (Method::GET, ["venues"]) => ok(&r.venues(a).await?),
        (Method::POST, ["venues"]) => created(&r.create_venue(a, parse_body(request)?).await?),
        (Method::PATCH, ["venues", id]) => {
            ok(&r.update_venue(a, training_app::venue_id(id)?, parse_body(request)?).await?)
        }
        (Method::GET, ["trainings"]) => trainings(r, a, request).await,
        (Method::POST, ["trainings"]) => created(&r.create_training(a, parse_body(request)?).await?),
        (Method::GET, ["trainings", id]) => ok(&r.training_card(a, training_app::training_id(id)?).await?),
        (Method::PATCH, ["trainings", id]) => {
            ok(&r.update_training(a, training_app::training_id(id)?, parse_body(request)?).await?)
        }
        (Method::POST, ["trainings", id, "phase"]) => {
            let training = Box::pin(r.change_phase(a, training_app::training_id(id)?, parse_body(request)?)).await?;
            if training.phase == Phase::Completed {
                // Attendance is final: the certificates follow. A failed hand-over is not the phase
                // change's failure; staff can queue them again from the training card.
                if let Err(error) = certificates::queue_generation(app, training.id).await {
                    tracing::error!(training = %training.id, ?error, "certificate generation not queued");
                }
            }
            ok(&training)
        }
        (Method::GET, ["trainings", id, "invited"]) => ok(&r.invited_units(a, training_app::training_id(id)?).await?),
        (Method::POST, ["invited", "preview"]) => {
            let venue = query_param(request, "venueId").map(|raw| training_app::venue_id(&raw)).transpose()?;
            ok(&r.preview_invited(a, parse_body(request)?, venue).await?)
        }
        (Method::GET, ["trainings", id, "history"]) => {
            history(r, a, ObjectKind::Training, &training_app::training_id(id)?.to_string(), request).await
        }
        (Method::POST, ["trainings", id, "enrolments"]) => {
            ok(&r.enrol(a, training_app::training_id(id)?, parse_body(request)?).await?)
        }
        (Method::POST, ["trainings", id, "enrolments", person, "cancel"]) => {
            let input = optional_body::<CancelInput>(request)?;
            ok(&r.cancel_enrolment(a, training_app::training_id(id)?, person, input).await?)
        }
        (Method::POST, ["trainings", id, "enrolments", person, "substitute"]) => {
            ok(&r.substitute(a, training_app::training_id(id)?, person, parse_body(request)?).await?)
        }
        (Method::POST, ["trainings", id, "enrolments", person, "waive"]) => ok(&r
            .waive_charge(
                a,
                training_app::training_id(id)?,
                app::person_id(person)?,
                parse_body::<WaiveInput>(request)?,
            )
            .await?),
        (Method::POST, ["trainings", id, "attendance"]) => {
            ok(&r.mark_attendance(a, training_app::training_id(id)?, parse_body(request)?).await?)
        }
        _ => Err(ApiError::MethodNotAllowed),
    }
}

async fn billing_routes(
    app: &App,
    r: &Registry,
    a: &Actor,
    method: Method,
    segments: &[&str],
    request: &Request,
) -> Reply {
    match (method, segments) {
        (Method::GET, ["contracts"]) => contracts(r, a, request).await,
        (Method::POST, ["contracts"]) => {
            created(&Box::pin(r.create_contract(a, parse_body::<ContractInput>(request)?)).await?)
        }
        (Method::GET, ["contracts", id]) => ok(&Box::pin(r.contract_view(a, billing_app::contract_id(id)?)).await?),
        (Method::POST, ["contracts", id, "changes"]) => ok(&Box::pin(r.change_contract(
            a,
            billing_app::contract_id(id)?,
            parse_body::<ContractChangeInput>(request)?,
        ))
        .await?),
        (Method::GET, ["billing", "preview"]) => ok(&Box::pin(r.billing_preview(a, as_of(request)?)).await?),
        (Method::POST, ["billing", "run"]) => {
            let input: RunInput = optional_body(request)?;
            let day = match input.as_of.as_deref() {
                Some(raw) => billing_app::parse_day("asOf", Some(raw)).map_err(ApiError::field)?,
                None => time::today(),
            };
            ewokiss_adapters::app::staff_check(a)?;
            ok(&Box::pin(r.queue_billing_run(&app.billing_queue, day)).await?)
        }
        (Method::POST, ["settlements", "preview"]) => {
            ok(&Box::pin(r.settlement_preview(a, parse_body::<SettleInput>(request)?)).await?)
        }
        (Method::POST, ["settlements", "settle"]) => {
            ok(&Box::pin(r.settle(a, parse_body::<SettleInput>(request)?)).await?)
        }
        (Method::GET, ["settlements"]) => settlements(r, a, request).await,
        (Method::GET, ["exports"]) => {
            let cursor = query_param(request, "cursor");
            ok(&Box::pin(r.export_batches(a, cursor.as_deref())).await?)
        }
        (Method::POST, ["exports"]) => ok(&Box::pin(r.export(a, &app.documents, &app.seller)).await?),
        (Method::GET, ["exports", id]) => ok(&Box::pin(r.export_batch(a, export_id(id)?)).await?),
        (Method::GET, ["exports", id, "files", name]) => {
            ok(&FileLink { url: Box::pin(r.export_file_link(a, &app.documents, export_id(id)?, name)).await? })
        }
        (Method::POST, ["payments"]) => {
            ok(&Box::pin(r.import_payments(a, parse_body::<PaymentImportInput>(request)?)).await?)
        }
        (Method::GET, ["settlements", id]) => ok(&Box::pin(r.settlement(a, billing_app::settlement_id(id)?)).await?),
        (Method::POST, ["settlements", id, "buyer"]) => {
            ok(&Box::pin(r.refresh_buyer(a, billing_app::settlement_id(id)?)).await?)
        }
        (Method::POST, ["settlements", id, "corrections"]) => created(
            &Box::pin(r.correct_settlement(
                a,
                billing_app::settlement_id(id)?,
                parse_body::<CorrectionInput>(request)?,
            ))
            .await?,
        ),
        (Method::GET, ["units", id, "settlements"]) => ok(&Box::pin(r.unit_settlements(a, app::unit_id(id)?)).await?),
        _ => Err(ApiError::MethodNotAllowed),
    }
}

/// A body that may be absent (`{}` is assumed).
pub(crate) fn optional_body<T: serde::de::DeserializeOwned + Default>(request: &Request) -> Result<T, ApiError> {
    if request.body().as_ref().iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_body(request)
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub user: UserRef,
    pub email: Option<String>,
    pub role: String,
}

/// The signed-in staff member (also records them in the staff directory for task assignment).
#[utoipa::path(get, path = "/api/staff/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn me(r: &Registry, a: &Actor) -> Reply {
    r.remember_staff(a).await?;
    ok(&Me { user: a.as_user_ref(), email: a.email.clone(), role: "staff".into() })
}

#[derive(Serialize, ToSchema)]
pub struct Powiat {
    pub teryt: String,
    pub name: String,
}

/// Powiaty and cities with powiat rights of the region, for filters (from the TERYT register).
#[utoipa::path(get, path = "/api/staff/powiaty", responses((status = 200, body = Vec<Powiat>)))]
fn powiaty() -> Reply {
    let list: Vec<Powiat> =
        teryt::powiaty().map(|entry| Powiat { teryt: entry.code.to_owned(), name: entry.name.to_owned() }).collect();
    ok(&list)
}

/// Units by name, filtered by kind, powiat (4-digit TERYT) and membership today.
#[utoipa::path(get, path = "/api/staff/units",
    params(("kind" = Option<String>, Query), ("powiat" = Option<String>, Query), ("member" = Option<bool>, Query), ("limit" = Option<i32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<UnitView>), (status = 400, body = ErrorBody)))]
async fn list_units(r: &Registry, a: &Actor, request: &Request) -> Reply {
    let powiat = query_param(request, "powiat");
    if let Some(code) = &powiat {
        if teryt::lookup(code).is_none_or(|entry| !entry.kind.is_powiat_level()) {
            return Err(ApiError::BadRequest(vec![ewokiss_domain::errors::FieldError::new(
                "powiat",
                "unknown_powiat",
                "Nieznany kod TERYT powiatu.",
                "Unknown powiat TERYT code.",
            )]));
        }
    }
    let filter = UnitFilter {
        kind: app::unit_kind_param(query_param(request, "kind"))?,
        powiat,
        member_on: bool_param(request, "member")?.map(|member| (member, time::today())),
    };
    let cursor = query_param(request, "cursor");
    ok(&r.list_units(a, &filter, page_limit(request)?, cursor.as_deref()).await?)
}

/// Persons working in the unit itself (`includeLeft` adds former employees).
#[utoipa::path(get, path = "/api/staff/units/{id}/persons",
    params(("id" = String, Path), ("includeLeft" = Option<bool>, Query), ("limit" = Option<i32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<PersonView>), (status = 404, body = ErrorBody)))]
async fn unit_persons(r: &Registry, a: &Actor, id: &str, request: &Request) -> Reply {
    let unit = r.unit(a, app::unit_id(id)?).await?;
    let include_left = bool_param(request, "includeLeft")?.unwrap_or(false);
    let cursor = query_param(request, "cursor");
    ok(&r.unit_persons(a, &unit, false, include_left, page_limit(request)?, cursor.as_deref()).await?)
}

/// Contact history of a unit or person, newest first.
#[utoipa::path(get, path = "/api/staff/{kind}/{id}/history",
    params(("kind" = String, Path, description = "units or persons"), ("id" = String, Path), ("limit" = Option<i32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<ContactEvent>)))]
async fn history(r: &Registry, a: &Actor, kind: ObjectKind, id: &str, request: &Request) -> Reply {
    let cursor = query_param(request, "cursor");
    ok(&r.history(a, kind, id, page_limit(request)?, cursor.as_deref()).await?)
}

/// Adds a note, call or meeting to the history of a unit or person.
#[utoipa::path(post, path = "/api/staff/{kind}/{id}/history", request_body = NewContactEvent,
    params(("kind" = String, Path, description = "units or persons"), ("id" = String, Path)),
    responses((status = 201, body = ContactEvent), (status = 422, body = ErrorBody)))]
async fn add_event(r: &Registry, a: &Actor, kind: ObjectKind, id: &str, request: &Request) -> Reply {
    let input: NewContactEvent = parse_body(request)?;
    created(&r.add_event(a, ObjectRef { kind, id: id.to_owned(), label: None }, input).await?)
}

/// Who changed what and when (before/after), newest first.
#[utoipa::path(get, path = "/api/staff/{kind}/{id}/audit",
    params(("kind" = String, Path, description = "units or persons"), ("id" = String, Path), ("limit" = Option<i32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<AuditEntry>)))]
async fn audit(r: &Registry, a: &Actor, kind: ObjectKind, id: &str, request: &Request) -> Reply {
    let cursor = query_param(request, "cursor");
    ok(&r.audit(a, kind, id, page_limit(request)?, cursor.as_deref()).await?)
}

/// Units and persons whose names have words starting with every word of `q`, ignoring case
/// and Polish diacritics ("zolk" finds "Żółkiewski").
#[utoipa::path(get, path = "/api/staff/search", params(("q" = String, Query)),
    responses((status = 200, body = SearchResult), (status = 422, body = ErrorBody)))]
async fn search(r: &Registry, a: &Actor, request: &Request) -> Reply {
    let q = query_param(request, "q").unwrap_or_default();
    ok(&r.search(a, &q).await?)
}

/// Trainings by phase (default `recruiting`) or by the month of their first session (`YYYY-MM`).
#[utoipa::path(get, path = "/api/staff/trainings",
    params(("phase" = Option<String>, Query), ("month" = Option<String>, Query), ("limit" = Option<i32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<TrainingWithSeats>), (status = 400, body = ErrorBody)))]
async fn trainings(r: &Registry, a: &Actor, request: &Request) -> Reply {
    let phase = match query_param(request, "phase") {
        None => None,
        Some(raw) => Some(Phase::parse(&raw).ok_or_else(|| {
            ApiError::BadRequest(vec![FieldError::new("phase", "unknown_phase", "Nieznana faza.", "Unknown phase.")])
        })?),
    };
    let month = query_param(request, "month");
    if let Some(month) = &month {
        if chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_err() {
            return Err(ApiError::BadRequest(vec![FieldError::new(
                "month",
                "invalid_month",
                "Podaj miesiąc jako RRRR-MM.",
                "Give the month as YYYY-MM.",
            )]));
        }
    }
    let cursor = query_param(request, "cursor");
    ok(&r.trainings(a, phase, month.as_deref(), page_limit(request)?, cursor.as_deref()).await?)
}

/// Tasks by status (`open`, `done`, `cancelled`), all or the caller's (`assignee=me`).
#[utoipa::path(get, path = "/api/staff/tasks",
    params(("status" = Option<String>, Query), ("assignee" = Option<String>, Query), ("limit" = Option<i32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<Task>)))]
async fn tasks(r: &Registry, a: &Actor, request: &Request) -> Reply {
    let status = match query_param(request, "status") {
        None => TaskStatus::Open,
        Some(raw) => TaskStatus::parse(&raw).ok_or_else(|| {
            ApiError::BadRequest(vec![ewokiss_domain::errors::FieldError::new(
                "status",
                "unknown_status",
                "Nieznany status.",
                "Unknown status.",
            )])
        })?,
    };
    let mine = match query_param(request, "assignee").as_deref() {
        None | Some("all") => false,
        Some("me") => true,
        Some(_) => {
            return Err(ApiError::BadRequest(vec![ewokiss_domain::errors::FieldError::new(
                "assignee",
                "invalid_assignee",
                "Dozwolone: me, all.",
                "Allowed: me, all.",
            )]))
        }
    };
    let cursor = query_param(request, "cursor");
    ok(&r.tasks(a, status, mine, page_limit(request)?, cursor.as_deref()).await?)
}

#[derive(Debug, Default, serde::Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunInput {
    /// Bill everything due up to this day (`YYYY-MM-DD`); default today (Warsaw).
    pub as_of: Option<String>,
}

fn export_id(raw: &str) -> Result<ewokiss_domain::ids::ExportBatchId, ApiError> {
    ewokiss_domain::ids::ExportBatchId::parse(raw).map_err(|_| ApiError::NotFound)
}

/// A short-lived download link.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileLink {
    pub url: String,
}

fn as_of(request: &Request) -> Result<chrono::NaiveDate, ApiError> {
    match query_param(request, "asOf") {
        Some(raw) => billing_app::parse_day("asOf", Some(&raw)).map_err(|e| ApiError::BadRequest(vec![e])),
        None => Ok(time::today()),
    }
}

/// Contracts, by start date; `unitId` gives one unit's.
#[utoipa::path(get, path = "/api/staff/contracts",
    params(("unitId" = Option<String>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<Contract>)))]
async fn contracts(r: &Registry, a: &Actor, request: &Request) -> Reply {
    let unit = match query_param(request, "unitId") {
        Some(raw) => Some(app::unit_id(&raw)?),
        None => None,
    };
    let cursor = query_param(request, "cursor");
    ok(&r.contracts(a, unit, cursor.as_deref()).await?)
}

/// Settlements in a status (`draft`, `issued`, `exported`, `invoiced`), oldest first.
#[utoipa::path(get, path = "/api/staff/settlements",
    params(("status" = Option<String>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<SettlementView>), (status = 400, body = ErrorBody)))]
async fn settlements(r: &Registry, a: &Actor, request: &Request) -> Reply {
    let status = match query_param(request, "status").as_deref().unwrap_or("issued") {
        "draft" => SettlementStatus::Draft,
        "issued" => SettlementStatus::Issued,
        "exported" => SettlementStatus::Exported,
        "invoiced" => SettlementStatus::Invoiced,
        _ => {
            return Err(ApiError::BadRequest(vec![FieldError::new(
                "status",
                "unknown_status",
                "Dozwolone: draft, issued, exported, invoiced.",
                "Allowed: draft, issued, exported, invoiced.",
            )]))
        }
    };
    let cursor = query_param(request, "cursor");
    ok(&r.settlements_in_status(a, status, cursor.as_deref()).await?)
}

#[allow(dead_code)] // bodies are never called: the annotations feed the OpenAPI document
mod documented {
    //! Routes whose handlers are one-liners in the router, described here for the OpenAPI document.
    use super::*;

    #[utoipa::path(get, path = "/api/staff/users", responses((status = 200, body = Vec<UserRef>)))]
    pub fn users() {}
    #[utoipa::path(post, path = "/api/staff/units", request_body = UnitInput,
        responses((status = 201, body = UnitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn create_unit() {}
    #[utoipa::path(get, path = "/api/staff/units/{id}", params(("id" = String, Path)), responses((status = 200, body = UnitView), (status = 404, body = ErrorBody)))]
    pub fn get_unit() {}
    #[utoipa::path(patch, path = "/api/staff/units/{id}", params(("id" = String, Path)), request_body = UnitInput,
        responses((status = 200, body = UnitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn update_unit() {}
    #[utoipa::path(get, path = "/api/staff/units/{id}/children", params(("id" = String, Path)), responses((status = 200, body = Vec<ChildUnit>)))]
    pub fn children() {}
    #[utoipa::path(get, path = "/api/staff/{kind}/{id}/tasks", params(("kind" = String, Path), ("id" = String, Path)), responses((status = 200, body = Vec<Task>)))]
    pub fn object_tasks() {}
    #[utoipa::path(post, path = "/api/staff/persons", request_body = NewPerson,
        responses((status = 201, body = PersonView), (status = 409, body = ErrorBody, description = "duplicate e-mail or name"), (status = 422, body = ErrorBody)))]
    pub fn create_person() {}
    #[utoipa::path(get, path = "/api/staff/persons/{id}", params(("id" = String, Path)), responses((status = 200, body = PersonView), (status = 404, body = ErrorBody)))]
    pub fn get_person() {}
    #[utoipa::path(patch, path = "/api/staff/persons/{id}", params(("id" = String, Path)), request_body = PersonEdit,
        responses((status = 200, body = PersonView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn edit_person() {}
    #[utoipa::path(post, path = "/api/staff/persons/{id}/leave", params(("id" = String, Path)), request_body = LeaveInput,
        responses((status = 200, body = Person), (status = 422, body = ErrorBody)))]
    pub fn leave() {}
    #[utoipa::path(post, path = "/api/staff/persons/{id}/move", params(("id" = String, Path)), request_body = MoveInput,
        responses((status = 200, body = PersonView), (status = 422, body = ErrorBody)))]
    pub fn move_person() {}
    #[utoipa::path(get, path = "/api/staff/persons/{id}/employments", params(("id" = String, Path)), responses((status = 200, body = Vec<Employment>)))]
    pub fn employments() {}
    #[utoipa::path(get, path = "/api/staff/persons/{id}/enrolments", params(("id" = String, Path)), responses((status = 200, body = Page<EnrolmentView>)))]
    pub fn person_enrolments() {}
    #[utoipa::path(get, path = "/api/staff/units/{id}/enrolments", params(("id" = String, Path)),
        responses((status = 200, body = UnitTrainingStats, description = "the unit's and its sub-units' persons on trainings, latest first, and persons sent per year")))]
    pub fn unit_enrolments() {}
    #[utoipa::path(get, path = "/api/staff/training-kinds", responses((status = 200, body = Vec<TrainingKind>)))]
    pub fn training_kinds() {}
    #[utoipa::path(get, path = "/api/staff/trainings/{id}/invited", params(("id" = String, Path)),
        responses((status = 200, body = InvitedUnits, description = "the units the training's invited list selects today")))]
    pub fn invited_units() {}
    #[utoipa::path(post, path = "/api/staff/invited/preview", params(("venueId" = Option<String>, Query)), request_body = InvitedListInput,
        responses((status = 200, body = InvitedUnits), (status = 422, body = ErrorBody)))]
    pub fn preview_invited() {}
    #[utoipa::path(get, path = "/api/staff/notification-templates", responses((status = 200, body = Vec<TemplateView>)))]
    pub fn notification_templates() {}
    #[utoipa::path(post, path = "/api/staff/notification-templates/preview", request_body = TemplateInput,
        responses((status = 200, body = RenderedMessage), (status = 422, body = ErrorBody, description = "unknown placeholder or bad syntax, naming subject, text or html")))]
    pub fn preview_template() {}
    #[utoipa::path(put, path = "/api/staff/notification-templates/{kind}", params(("kind" = String, Path, description = "enrolled, waitlisted, promoted, cancelled, substituted, training_cancelled, reminder")), request_body = TemplateInput,
        responses((status = 200, body = TemplateView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn save_template() {}
    #[utoipa::path(delete, path = "/api/staff/notification-templates/{kind}", params(("kind" = String, Path)), responses((status = 200, body = TemplateView)))]
    pub fn reset_template() {}
    #[utoipa::path(get, path = "/api/staff/venues", responses((status = 200, body = Vec<Venue>)))]
    pub fn venues() {}
    #[utoipa::path(post, path = "/api/staff/venues", request_body = VenueInput, responses((status = 201, body = Venue), (status = 422, body = ErrorBody)))]
    pub fn create_venue() {}
    #[utoipa::path(patch, path = "/api/staff/venues/{id}", params(("id" = String, Path)), request_body = VenueInput, responses((status = 200, body = Venue), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn update_venue() {}
    #[utoipa::path(post, path = "/api/staff/trainings", request_body = TrainingInput, responses((status = 201, body = Training), (status = 422, body = ErrorBody)))]
    pub fn create_training() {}
    #[utoipa::path(get, path = "/api/staff/trainings/{id}", params(("id" = String, Path)), responses((status = 200, body = TrainingCard), (status = 404, body = ErrorBody)))]
    pub fn training_card() {}
    #[utoipa::path(patch, path = "/api/staff/trainings/{id}", params(("id" = String, Path)), request_body = TrainingInput, responses((status = 200, body = Training), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn update_training() {}
    #[utoipa::path(post, path = "/api/staff/trainings/{id}/phase", params(("id" = String, Path)), request_body = PhaseInput, responses((status = 200, body = Training), (status = 422, body = ErrorBody)))]
    pub fn change_phase() {}
    #[utoipa::path(post, path = "/api/staff/trainings/{id}/enrolments", params(("id" = String, Path)), request_body = EnrolInput,
        responses((status = 200, body = Vec<EnrolResult>, description = "one result per person: enrolled, waitlisted, already or refused")))]
    pub fn enrol() {}
    #[utoipa::path(post, path = "/api/staff/trainings/{id}/enrolments/{personId}/cancel", params(("id" = String, Path), ("personId" = String, Path)), request_body = CancelInput,
        responses((status = 200, body = Enrolment), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn cancel_enrolment() {}
    #[utoipa::path(post, path = "/api/staff/trainings/{id}/enrolments/{personId}/substitute", params(("id" = String, Path), ("personId" = String, Path)), request_body = SubstituteInput,
        responses((status = 200, body = Enrolment), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn substitute() {}
    #[utoipa::path(post, path = "/api/staff/trainings/{id}/attendance", params(("id" = String, Path)), request_body = AttendanceInput,
        responses((status = 200, body = Enrolment), (status = 422, body = ErrorBody)))]
    pub fn attendance() {}
    #[utoipa::path(post, path = "/api/staff/contracts", request_body = ContractInput,
        responses((status = 201, body = ContractView), (status = 422, body = ErrorBody)))]
    pub fn create_contract() {}
    #[utoipa::path(get, path = "/api/staff/contracts/{id}", params(("id" = String, Path)),
        responses((status = 200, body = ContractView), (status = 404, body = ErrorBody)))]
    pub fn contract() {}
    #[utoipa::path(post, path = "/api/staff/contracts/{id}/changes", params(("id" = String, Path)), request_body = ContractChangeInput,
        responses((status = 200, body = ContractView, description = "suspended, resumed, amended or terminated; billed periods get corrections at the next run"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn change_contract() {}
    #[utoipa::path(get, path = "/api/staff/billing/preview", params(("asOf" = Option<String>, Query)),
        responses((status = 200, body = BillingPreview, description = "what a run up to asOf would bill; nothing is written")))]
    pub fn billing_preview() {}
    #[utoipa::path(post, path = "/api/staff/billing/run", request_body = RunInput,
        responses((status = 200, body = RunQueued, description = "the due contracts, queued in chunks for the billing function")))]
    pub fn billing_run() {}
    #[utoipa::path(post, path = "/api/staff/settlements/preview", request_body = SettleInput,
        responses((status = 200, body = SettlementPreview), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn settlement_preview() {}
    #[utoipa::path(post, path = "/api/staff/settlements/settle", request_body = SettleInput,
        responses((status = 200, body = SettleReport, description = "one issued settlement per unit; trainings fully settled move to the settled phase"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn settle() {}
    #[utoipa::path(get, path = "/api/staff/settlements/{id}", params(("id" = String, Path)),
        responses((status = 200, body = SettlementView), (status = 404, body = ErrorBody)))]
    pub fn settlement() {}
    #[utoipa::path(post, path = "/api/staff/settlements/{id}/buyer", params(("id" = String, Path)),
        responses((status = 200, body = SettlementView, description = "the unit's current data copied onto an issued, not yet exported settlement"), (status = 422, body = ErrorBody, description = "already handed over")))]
    pub fn refresh_buyer() {}
    #[utoipa::path(post, path = "/api/staff/settlements/{id}/corrections", params(("id" = String, Path)), request_body = CorrectionInput,
        responses((status = 201, body = SettlementView, description = "the correction (series KOR), issued"), (status = 422, body = ErrorBody)))]
    pub fn correct_settlement() {}
    #[utoipa::path(post, path = "/api/staff/trainings/{id}/enrolments/{personId}/waive", params(("id" = String, Path), ("personId" = String, Path)), request_body = WaiveInput,
        responses((status = 200, body = Enrolment), (status = 409, body = ErrorBody, description = "already settled")))]
    pub fn waive_charge() {}
    #[utoipa::path(get, path = "/api/staff/exports", params(("cursor" = Option<String>, Query)),
        responses((status = 200, body = Page<ExportBatch>, description = "export batches to accounting, newest first")))]
    pub fn export_batches() {}
    #[utoipa::path(post, path = "/api/staff/exports",
        responses((status = 200, body = ExportBatch, description = "the issued settlements not yet handed over, with new or changed customers: ERP XL XML, CSV and FA(3) drafts in the documents bucket (an interrupted export is continued)"), (status = 409, body = ErrorBody, description = "nothing to export"), (status = 422, body = ErrorBody, description = "a buyer lacks address data")))]
    pub fn export() {}
    #[utoipa::path(get, path = "/api/staff/exports/{id}", params(("id" = String, Path)), responses((status = 200, body = ExportBatch)))]
    pub fn export_batch() {}
    #[utoipa::path(get, path = "/api/staff/exports/{id}/files/{name}", params(("id" = String, Path), ("name" = String, Path)),
        responses((status = 200, body = FileLink, description = "a download link valid for 5 minutes")))]
    pub fn export_file() {}
    #[utoipa::path(post, path = "/api/staff/payments", request_body = PaymentImportInput,
        responses((status = 200, body = PaymentImportReport, description = "settlements marked invoiced / paid; unknown documents and bad rows reported"), (status = 422, body = ErrorBody)))]
    pub fn import_payments() {}
    #[utoipa::path(get, path = "/api/staff/units/{id}/settlements", params(("id" = String, Path)),
        responses((status = 200, body = UnitSettlements)))]
    pub fn unit_settlements() {}
    #[utoipa::path(post, path = "/api/staff/tasks", request_body = TaskInput, responses((status = 201, body = Task), (status = 422, body = ErrorBody)))]
    pub fn create_task() {}
    #[utoipa::path(patch, path = "/api/staff/tasks/{id}", params(("id" = String, Path)), request_body = TaskInput,
        responses((status = 200, body = Task), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
    pub fn update_task() {}
}

#[derive(OpenApi)]
#[openapi(
    info(title = "e-WOKiSS staff API", description = "CRM of the association: units, persons, contact history, tasks. Errors carry Polish and English messages and name each offending field."),
    paths(me, powiaty, list_units, unit_persons, history, add_event, audit, search, tasks,
        documented::users, documented::create_unit, documented::get_unit, documented::update_unit, documented::children,
        documented::object_tasks, documented::create_person, documented::get_person, documented::edit_person, documented::leave,
        documented::move_person, documented::employments, documented::create_task, documented::update_task, trainings,
        documented::person_enrolments, documented::unit_enrolments, documented::training_kinds, documented::invited_units, documented::preview_invited, documented::notification_templates, documented::preview_template, documented::save_template, documented::reset_template, documented::venues, documented::create_venue, documented::update_venue,
        documented::create_training, documented::training_card, documented::update_training, documented::change_phase,
        documented::enrol, documented::cancel_enrolment, documented::substitute, documented::attendance,
        contracts, settlements, documented::create_contract, documented::contract, documented::change_contract,
        documented::billing_preview, documented::billing_run, documented::settlement_preview, documented::settle,
        documented::settlement, documented::unit_settlements, documented::export_batches, documented::export,
        documented::export_batch, documented::export_file, documented::import_payments,
        documented::correct_settlement, documented::waive_charge, documented::refresh_buyer,
        inbound::list, inbound::message, inbound::assign, inbound::reply),
    components(schemas(SearchEntry)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The whole API's document: the core and the areas documented in their own modules.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
        .merge_from(mailings::MailingDoc::openapi())
        .merge_from(certificates::CertificateDoc::openapi())
        .merge_from(documents::DocumentDoc::openapi())
}

/// The OpenAPI document as committed in docs/ (pretty JSON).
pub fn openapi_json() -> String {
    openapi().to_pretty_json().expect("OpenAPI serialises")
}
