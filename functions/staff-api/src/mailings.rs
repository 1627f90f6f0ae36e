//! Mailing routes: compose, audience, preview, start/pause/resume/cancel, progress and
//! recipients; what a person was sent; the suppression list.

use ewokiss_adapters::app::{self, Registry};
use ewokiss_adapters::dynamo::mailings::Suppression;
use ewokiss_adapters::dynamo::Page;
use ewokiss_adapters::http::{created, ok, parse_body, query_param, ApiError, BearerAuth, ErrorBody};
use ewokiss_adapters::mailing_app::{
    self, AttachmentInput, AudiencePreview, MailingEditor, MailingStarted, MailingView, MessagePreviewInput,
    PersonMailing, RecipientView, UploadInput, UploadTicket,
};
use ewokiss_adapters::training_app;
use ewokiss_domain::access::Actor;
use ewokiss_domain::mailing::{MailingAction, MailingInput};
use ewokiss_domain::templates::RenderedMessage;
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use utoipa::OpenApi;

use crate::App;

type Reply = Result<Response<Body>, ApiError>;

pub async fn routes(app: &App, r: &Registry, a: &Actor, method: Method, segments: &[&str], request: &Request) -> Reply {
    let settings = &app.mailing;
    match (method, segments) {
        (Method::GET, ["mailings"]) => {
            let cursor = query_param(request, "cursor");
            ok(&Box::pin(r.list_mailings(a, cursor.as_deref())).await?)
        }
        (Method::POST, ["mailings"]) => {
            created(&Box::pin(r.create_mailing(a, parse_body::<MailingInput>(request)?, settings)).await?)
        }
        (Method::GET, ["mailings", "editor"]) => ok(&r.mailing_editor(a, settings)?),
        (Method::POST, ["mailings", "audience"]) => {
            ok(&Box::pin(r.preview_audience(a, parse_body::<MailingInput>(request)?, settings)).await?)
        }
        (Method::POST, ["mailings", "preview"]) => {
            let person = query_param(request, "personId");
            let form = parse_body::<MailingInput>(request)?;
            ok(&Box::pin(r.preview_form(a, form, person.as_deref(), settings)).await?)
        }
        (Method::GET, ["mailings", id]) => ok(&Box::pin(r.mailing(a, mailing_app::mailing_id(id)?)).await?),
        (Method::PUT, ["mailings", id]) => ok(&Box::pin(r.edit_mailing(
            a,
            mailing_app::mailing_id(id)?,
            parse_body::<MailingInput>(request)?,
            settings,
        ))
        .await?),
        (Method::GET, ["mailings", id, "audience"]) => {
            ok(&Box::pin(r.mailing_audience(a, mailing_app::mailing_id(id)?)).await?)
        }
        (Method::POST, ["mailings", id, "preview"]) => {
            let input = crate::optional_body::<MessagePreviewInput>(request)?;
            ok(&Box::pin(r.preview_message(a, mailing_app::mailing_id(id)?, input, settings)).await?)
        }
        (Method::POST, ["mailings", id, "attachments", "upload"]) => ok(&Box::pin(r.attachment_upload(
            a,
            mailing_app::mailing_id(id)?,
            parse_body::<UploadInput>(request)?,
            &app.documents,
        ))
        .await?),
        (Method::POST, ["mailings", id, "attachments"]) => created(
            &Box::pin(r.attach_to_mailing(
                a,
                mailing_app::mailing_id(id)?,
                parse_body::<AttachmentInput>(request)?,
                &app.documents,
            ))
            .await?,
        ),
        (Method::DELETE, ["mailings", id, "attachments", attachment]) => {
            ok(&Box::pin(r.detach_from_mailing(a, mailing_app::mailing_id(id)?, attachment)).await?)
        }
        (Method::POST, ["mailings", id, "start"]) => {
            ok(&Box::pin(r.start_mailing(a, mailing_app::mailing_id(id)?, &app.mailing_queue)).await?)
        }
        (Method::POST, ["mailings", id, action @ ("pause" | "resume" | "cancel")]) => {
            let action = match *action {
                "pause" => MailingAction::Pause,
                "resume" => MailingAction::Resume,
                _ => MailingAction::Cancel,
            };
            ok(&Box::pin(r.control_mailing(a, mailing_app::mailing_id(id)?, action, &app.mailing_queue)).await?)
        }
        (Method::GET, ["mailings", id, "recipients"]) => {
            let (status, cursor) = (query_param(request, "status"), query_param(request, "cursor"));
            ok(&Box::pin(r.mailing_recipients(a, mailing_app::mailing_id(id)?, status.as_deref(), cursor.as_deref()))
                .await?)
        }
        (Method::GET, ["persons", id, "mailings"]) => {
            let training = query_param(request, "trainingId").map(|raw| training_app::training_id(&raw)).transpose()?;
            ok(&Box::pin(r.person_mailings(a, app::person_id(id)?, training)).await?)
        }
        (Method::GET, ["persons", id, "subscription"]) => {
            ok(&Subscription { unsubscription: Box::pin(r.unsubscription(a, app::person_id(id)?)).await? })
        }
        (Method::GET, ["trainings", id, "mailings"]) => {
            ok(&Box::pin(r.training_mailings(a, training_app::training_id(id)?)).await?)
        }
        (Method::GET, ["suppressions"]) => {
            let cursor = query_param(request, "cursor");
            ok(&Box::pin(r.suppressions(a, cursor.as_deref())).await?)
        }
        (Method::DELETE, ["suppressions", email]) => {
            Box::pin(r.remove_suppression(a, &ewokiss_adapters::http::decode_segment(email))).await?;
            ok(&serde_json::json!({"removed": true}))
        }
        _ => Err(ApiError::MethodNotAllowed),
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Present when the person unsubscribed from newsletters and invitations.
    pub unsubscription: Option<ewokiss_adapters::dynamo::mailings::Unsubscription>,
}

#[allow(dead_code)] // only their utoipa attributes are used
mod documented {
    use super::*;

    #[utoipa::path(get, path = "/api/staff/mailings", params(("cursor" = Option<String>, Query)),
        responses((status = 200, body = Page<MailingView>)))]
    pub fn mailings() {}
    #[utoipa::path(post, path = "/api/staff/mailings", request_body = MailingInput,
        responses((status = 201, body = MailingView), (status = 422, body = ErrorBody, description = "names each bad field, incl. an unknown placeholder or template syntax")))]
    pub fn create_mailing() {}
    #[utoipa::path(get, path = "/api/staff/mailings/editor",
        responses((status = 200, body = MailingEditor, description = "the default template and the placeholders with their samples")))]
    pub fn editor() {}
    #[utoipa::path(post, path = "/api/staff/mailings/audience", request_body = MailingInput,
        responses((status = 200, body = AudiencePreview, description = "who the audience selects now (nothing saved)"), (status = 422, body = ErrorBody)))]
    pub fn preview_audience() {}
    #[utoipa::path(post, path = "/api/staff/mailings/preview", params(("personId" = Option<String>, Query, description = "render for this person; absent: with the placeholders' samples")), request_body = MailingInput,
        responses((status = 200, body = RenderedMessage, description = "the message of the form as it stands (nothing saved); only kind, training, name and template are read"), (status = 422, body = ErrorBody, description = "names the template field with an unknown placeholder or bad syntax")))]
    pub fn preview_form() {}
    #[utoipa::path(get, path = "/api/staff/mailings/{id}", params(("id" = String, Path)),
        responses((status = 200, body = MailingView, description = "the mailing with its live progress"), (status = 404, body = ErrorBody)))]
    pub fn mailing() {}
    #[utoipa::path(put, path = "/api/staff/mailings/{id}", params(("id" = String, Path)), request_body = MailingInput,
        responses((status = 200, body = MailingView), (status = 409, body = ErrorBody, description = "no longer a draft, or changed meanwhile"), (status = 422, body = ErrorBody)))]
    pub fn edit_mailing() {}
    #[utoipa::path(get, path = "/api/staff/mailings/{id}/audience", params(("id" = String, Path)),
        responses((status = 200, body = AudiencePreview)))]
    pub fn mailing_audience() {}
    #[utoipa::path(post, path = "/api/staff/mailings/{id}/preview", params(("id" = String, Path)), request_body = MessagePreviewInput,
        responses((status = 200, body = RenderedMessage, description = "the message as this recipient gets it (or with the samples)")))]
    pub fn preview_message() {}
    #[utoipa::path(post, path = "/api/staff/mailings/{id}/start", params(("id" = String, Path)),
        responses((status = 200, body = MailingStarted, description = "recipients fixed and queued"), (status = 409, body = ErrorBody)))]
    pub fn start() {}
    #[utoipa::path(post, path = "/api/staff/mailings/{id}/attachments/upload", params(("id" = String, Path)), request_body = UploadInput,
        responses((status = 200, body = UploadTicket, description = "PUT the file to uploadUrl (10 minutes) with this Content-Type, then attach it"), (status = 422, body = ErrorBody)))]
    pub fn upload() {}
    #[utoipa::path(post, path = "/api/staff/mailings/{id}/attachments", params(("id" = String, Path)), request_body = AttachmentInput,
        responses((status = 201, body = MailingView), (status = 409, body = ErrorBody, description = "no longer a draft"), (status = 422, body = ErrorBody, description = "type, count or size not allowed")))]
    pub fn attach() {}
    #[utoipa::path(delete, path = "/api/staff/mailings/{id}/attachments/{attachmentId}", params(("id" = String, Path), ("attachmentId" = String, Path)),
        responses((status = 200, body = MailingView), (status = 409, body = ErrorBody)))]
    pub fn detach() {}
    #[utoipa::path(post, path = "/api/staff/mailings/{id}/{action}", params(("id" = String, Path), ("action" = String, Path, description = "pause, resume or cancel")),
        responses((status = 200, body = MailingView), (status = 409, body = ErrorBody)))]
    pub fn control() {}
    #[utoipa::path(get, path = "/api/staff/mailings/{id}/recipients", params(("id" = String, Path), ("status" = Option<String>, Query), ("cursor" = Option<String>, Query)),
        responses((status = 200, body = Page<RecipientView>)))]
    pub fn recipients() {}
    #[utoipa::path(get, path = "/api/staff/persons/{id}/mailings", params(("id" = String, Path), ("trainingId" = Option<String>, Query)),
        responses((status = 200, body = Vec<PersonMailing>, description = "what mailings sent the person: sent, delivered, bounced, opened when")))]
    pub fn person_mailings() {}
    #[utoipa::path(get, path = "/api/staff/persons/{id}/subscription", params(("id" = String, Path)),
        responses((status = 200, body = Subscription)))]
    pub fn subscription() {}
    #[utoipa::path(get, path = "/api/staff/trainings/{id}/mailings", params(("id" = String, Path)),
        responses((status = 200, body = Vec<MailingView>)))]
    pub fn training_mailings() {}
    #[utoipa::path(get, path = "/api/staff/suppressions", params(("cursor" = Option<String>, Query)),
        responses((status = 200, body = Page<Suppression>)))]
    pub fn suppressions() {}
    #[utoipa::path(delete, path = "/api/staff/suppressions/{email}", params(("email" = String, Path)),
        responses((status = 200, description = "the address may be mailed again"), (status = 404, body = ErrorBody)))]
    pub fn remove_suppression() {}
}

#[derive(OpenApi)]
#[openapi(
    paths(documented::mailings, documented::create_mailing, documented::editor, documented::preview_audience, documented::preview_form,
        documented::mailing, documented::edit_mailing, documented::mailing_audience, documented::preview_message,
        documented::start, documented::upload, documented::attach, documented::detach, documented::control, documented::recipients, documented::person_mailings,
        documented::subscription, documented::training_mailings, documented::suppressions, documented::remove_suppression),
    modifiers(&BearerAuth)
)]
pub struct MailingDoc;
