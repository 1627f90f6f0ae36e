//! Received mail (poczta przychodząca): the inbox, one message with its attachments, linking a
//! message to the person who wrote it, and replying. Staff only, like every staff route.

use ewokiss_adapters::dynamo::inbound::SentReply;
use ewokiss_adapters::dynamo::Page;
use ewokiss_adapters::http::{bool_param, ok, page_limit, parse_body, query_param, ApiError, ErrorBody};
use ewokiss_adapters::inbound_app::{inbound_id, InboundSummary, InboundView};
use ewokiss_domain::access::Actor;
use ewokiss_domain::inbound::{AssignInput, InboundMail, ReplyInput};
use lambda_http::http::Method;
use lambda_http::Request;

use crate::{App, Reply};

pub(crate) async fn routes(app: &App, a: &Actor, method: Method, segments: &[&str], request: &Request) -> Reply {
    match (method, segments) {
        (Method::GET, ["inbound"]) => list(app, a, request).await,
        (Method::GET, ["inbound", id]) => message(app, a, id).await,
        (Method::POST, ["inbound", id, "assign"]) => assign(app, a, id, request).await,
        (Method::POST, ["inbound", id, "reply"]) => reply(app, a, id, request).await,
        (_, ["inbound"] | ["inbound", _] | ["inbound", _, "assign" | "reply"]) => Err(ApiError::MethodNotAllowed),
        _ => Err(ApiError::NotFound),
    }
}

/// Received messages, newest first; `unassigned=true` lists only those whose sender is not a
/// known person (they wait for staff to link them).
#[utoipa::path(get, path = "/api/staff/inbound",
    params(("unassigned" = Option<bool>, Query), ("limit" = Option<i32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<InboundSummary>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn list(app: &App, a: &Actor, request: &Request) -> Reply {
    let unassigned = bool_param(request, "unassigned")?.unwrap_or(false);
    let cursor = query_param(request, "cursor");
    ok(&app.http.registry.inbound_list(a, unassigned, page_limit(request)?, cursor.as_deref()).await?)
}

/// One message: sender, recipients, text, attachments with download links (valid 5 minutes),
/// a link to the original .eml, and the replies sent from the CRM.
#[utoipa::path(get, path = "/api/staff/inbound/{id}", params(("id" = String, Path)),
    responses((status = 200, body = InboundView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn message(app: &App, a: &Actor, id: &str) -> Reply {
    ok(&app.http.registry.inbound_message(a, &app.inbox, inbound_id(id)?).await?)
}

/// Links a message to the person who wrote it: it leaves the unassigned list and appears in
/// the person's, the unit's (and the training's) contact history. Repeating it is harmless.
#[utoipa::path(post, path = "/api/staff/inbound/{id}/assign", params(("id" = String, Path)), request_body = AssignInput,
    responses((status = 200, body = InboundMail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already linked to another person (`already_assigned`)"),
        (status = 422, body = ErrorBody, description = "`personId` missing, malformed or unknown")))]
pub(crate) async fn assign(app: &App, a: &Actor, id: &str, request: &Request) -> Reply {
    let id = inbound_id(id)?;
    ok(&app.http.registry.assign_inbound(a, id, parse_body::<AssignInput>(request)?).await?)
}

/// Sends a plain-text reply to the message's sender from the association's address, threaded
/// under the message (In-Reply-To, References; Reply-To carries the training's reply token),
/// and records it as an e-mail in the person's, unit's and training's history. The same reply
/// (subject and text) posted again is not sent again: the first result is returned.
#[utoipa::path(post, path = "/api/staff/inbound/{id}/reply", params(("id" = String, Path)), request_body = ReplyInput,
    responses((status = 200, body = SentReply), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`inbound_unassigned` (link it to a person first), `no_address`, `reply_in_progress` or `mail_rejected`"),
        (status = 422, body = ErrorBody, description = "`text` missing or too long, `subject` too long"),
        (status = 503, body = ErrorBody, description = "SES unavailable; nothing was sent, try again")))]
pub(crate) async fn reply(app: &App, a: &Actor, id: &str, request: &Request) -> Reply {
    let id = inbound_id(id)?;
    ok(&app.http.registry.reply_inbound(a, &app.inbox, id, parse_body::<ReplyInput>(request)?).await?)
}
