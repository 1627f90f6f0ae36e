//! Inbound mail against the emulator: a message put into the inbound bucket is handled by the
//! `inbound-mail` function exactly as S3 would invoke it (the event fixture of the function),
//! then read, assigned and answered through the staff API.

use aws_lambda_events::event::s3::S3Event;
use base64::Engine;
use ewokiss_adapters::config::aws_sdk_config;
use ewokiss_adapters::documents::Documents;
use ewokiss_domain::inbound::ReplyToken;
use inbound_mail::{handle, Outcome, Receiver};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{env, id, short_id, unique_email, TestApp};
use crate::trainings::recruiting_training;

/// A one-page PDF as a client would attach it.
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
const SUBJECT: &str = "Zgłoszenie na szkolenie – pytanie o fakturę";
const TEXT: &str = "Dzień dobry,\nw załączeniu przesyłam zgłoszenie pani Żanety Łęckiej na szkolenie.\nProszę o fakturę na gminę.\nZ poważaniem\nGrzegorz Brzęczyszczykiewicz";

/// Quoted-printable (RFC 2045 6.7) with soft line breaks, as mail clients send Polish text.
fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let mut width = 0;
        for byte in line.bytes() {
            let piece = if byte.is_ascii_alphanumeric() || b" ,.!?-:".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("={byte:02X}")
            };
            if width + piece.len() > 72 {
                out.push_str("=\r\n");
                width = 0;
            }
            width += piece.len();
            out.push_str(&piece);
        }
        out.push_str("\r\n");
    }
    out
}

fn encoded_word(text: &str) -> String {
    format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(text))
}

/// A message from `from` to `to` with a Polish subject (RFC 2047), a Polish quoted-printable
/// body and a PDF whose name is RFC 2231-encoded.
fn polish_eml(from: &str, to: &str, message_id: &str) -> Vec<u8> {
    let pdf = base64::engine::general_purpose::STANDARD.encode(PDF);
    format!(
        "From: {name} <{from}>\r\n\
To: {to}\r\n\
Subject: {subject}\r\n\
Date: Fri, 20 Nov 2026 10:15:00 +0100\r\n\
Message-ID: <{message_id}>\r\n\
In-Reply-To: <invitation-1@wokiss.pl>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"=_granica\"\r\n\
\r\n\
--=_granica\r\n\
Content-Type: text/plain; charset=UTF-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
{body}\
--=_granica\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename*=UTF-8''zg%C5%82oszenie%20%C5%81%C4%99cka.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
{pdf}\r\n\
--=_granica--\r\n",
        name = encoded_word("Grzegorz Brzęczyszczykiewicz"),
        subject = encoded_word(SUBJECT),
        body = quoted_printable(TEXT),
    )
    .into_bytes()
}

struct Inbound {
    receiver: Receiver,
    bucket: String,
}

impl Inbound {
    async fn new(app: &TestApp) -> Self {
        let sdk = aws_sdk_config().await;
        let bucket = env("INBOUND_BUCKET");
        let receiver = Receiver {
            table: app.table.clone(),
            files: Documents::new(&sdk, &bucket),
            bucket: bucket.clone(),
            address: env("INBOUND_ADDRESS"),
        };
        Self { receiver, bucket }
    }

    /// Puts a raw message where the SES receipt rule would and returns its key.
    async fn deliver(&self, raw: Vec<u8>) -> String {
        let key = format!("inbound/raw/{}", Uuid::new_v4().simple());
        self.receiver.files.put(&key, raw, "message/rfc822").await.expect("the emulator's bucket takes it");
        key
    }

    /// Invokes the function with S3's event for `key`, built from the function's fixture.
    async fn notify(&self, key: &str) -> Vec<Outcome> {
        let fixture = include_str!("../../functions/inbound-mail/events/s3-put.json");
        let mut event: Value = serde_json::from_str(fixture).unwrap();
        let record = &mut event["Records"][0];
        record["eventTime"] = json!(chrono::Utc::now());
        record["s3"]["bucket"]["name"] = json!(self.bucket);
        // S3 URL-encodes the key in its events.
        record["s3"]["object"]["key"] = json!(key.replace('/', "%2F"));
        let event: S3Event = serde_json::from_value(event).unwrap();
        handle(&self.receiver, event).await.expect("storage works")
    }
}

fn stored_id(outcomes: &[Outcome], assigned: bool) -> String {
    match outcomes {
        [Outcome::Stored { id, assigned: a }] if *a == assigned => id.to_string(),
        other => panic!("expected one stored message (assigned: {assigned}), got {other:?}"),
    }
}

async fn person_with_email(app: &TestApp, staff: &str, unit: &str, email: &str) -> Value {
    let body = json!({"firstName": "Grzegorz", "lastName": "Brzęczyszczykiewicz", "unitId": unit, "email": email});
    app.staff("POST", "/persons", Some(staff), Some(body)).await.expect(201)
}

fn events_of_kind<'a>(history: &'a Value, kind: &str) -> Vec<&'a Value> {
    history["items"].as_array().unwrap().iter().filter(|e| e["kind"] == kind).collect()
}

fn links_to(event: &Value, kind: &str, object: &str) -> bool {
    event["links"].as_array().unwrap().iter().any(|l| l["kind"] == kind && l["id"] == object)
}

#[tokio::test]
async fn a_reply_to_a_training_lands_in_the_persons_and_trainings_history_with_its_attachment() {
    let app = TestApp::spawn().await;
    let inbound = Inbound::new(&app).await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Odpisująca").await);
    let email = unique_email();
    let person = id(&person_with_email(&app, &staff, &unit, &email).await);
    let training = id(&recruiting_training(&app, &staff, 20, json!({})).await);
    let token = ReplyToken::for_training(Uuid::parse_str(&training).unwrap());
    let to = format!("Biuro WOKiSS <{}>", token.address("biuro@wokiss.pl"));
    // The sender's client wrote the address in capitals: addresses are matched as stored.
    let message_id = format!("{}@gmina-test.pl", short_id());
    let raw = polish_eml(&email.to_uppercase(), &to, &message_id);

    let key = inbound.deliver(raw.clone()).await;
    let message = stored_id(&inbound.notify(&key).await, true);
    // S3 delivers events at least once: the same event again changes nothing.
    assert_eq!(inbound.notify(&key).await, [Outcome::AlreadyStored(message.parse().unwrap())]);
    // The same mail stored a second time by SES (same Message-ID) is recognised too.
    let again = inbound.deliver(raw).await;
    match inbound.notify(&again).await.as_slice() {
        [Outcome::Duplicate { of, .. }] => assert_eq!(of.to_string(), message),
        other => panic!("expected a duplicate, got {other:?}"),
    }

    // The person's history: one inbound e-mail, linked to the training and the unit.
    let history = app.staff("GET", &format!("/persons/{person}/history"), Some(&staff), None).await.expect(200);
    let received = events_of_kind(&history, "email_inbound");
    assert_eq!(received.len(), 1, "{history}");
    let event = received[0];
    assert_eq!(event["subject"], SUBJECT);
    assert!(event["body"]
        .as_str()
        .unwrap()
        .starts_with("Dzień dobry,\nw załączeniu przesyłam zgłoszenie pani Żanety Łęckiej"));
    assert!(links_to(event, "training", &training) && links_to(event, "unit", &unit), "{event}");
    assert!(links_to(event, "inbound_mail", &message));
    let training_history =
        app.staff("GET", &format!("/trainings/{training}/history"), Some(&staff), None).await.expect(200);
    assert_eq!(events_of_kind(&training_history, "email_inbound").len(), 1);
    let unit_history = app.staff("GET", &format!("/units/{unit}/history"), Some(&staff), None).await.expect(200);
    assert_eq!(events_of_kind(&unit_history, "email_inbound").len(), 1);

    // The inbox lists it once, assigned; the message has the decoded text and the attachment.
    let inbox = app.staff("GET", "/inbound?limit=100", Some(&staff), None).await.expect(200);
    let rows: Vec<&Value> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["subject"] == SUBJECT && m["person"]["id"] == person)
        .collect();
    assert_eq!(rows.len(), 1, "{inbox}");
    assert_eq!(rows[0]["status"], "assigned");
    assert_eq!(rows[0]["concerns"]["label"], "Zamówienia publiczne w praktyce");
    assert_eq!(rows[0]["attachments"], 1);
    let view = app.staff("GET", &format!("/inbound/{message}"), Some(&staff), None).await.expect(200);
    let mail = &view["message"];
    assert_eq!(mail["text"], TEXT);
    assert_eq!(mail["from"]["name"], "Grzegorz Brzęczyszczykiewicz");
    assert_eq!(mail["sender"], email);
    assert_eq!(mail["messageId"], message_id);
    assert_eq!(mail["inReplyTo"][0], "invitation-1@wokiss.pl");
    assert_eq!(mail["attachments"][0]["name"], "zgłoszenie Łęcka.pdf");
    assert_eq!(mail["attachments"][0]["contentType"], "application/pdf");
    assert_eq!(mail["attachments"][0]["size"], PDF.len());
    assert!(mail["problems"].as_array().unwrap().is_empty(), "{mail}");
    let link = view["attachmentLinks"][0]["url"].as_str().unwrap();
    let downloaded = reqwest::get(link).await.unwrap();
    assert!(downloaded.status().is_success());
    assert_eq!(downloaded.bytes().await.unwrap().as_ref(), PDF);
    let original = reqwest::get(view["originalUrl"].as_str().unwrap()).await.unwrap().text().await.unwrap();
    assert!(original.contains(&format!("Message-ID: <{message_id}>")));
}

#[tokio::test]
async fn an_unknown_sender_waits_in_the_unassigned_list_until_staff_name_the_person() {
    let app = TestApp::spawn().await;
    let inbound = Inbound::new(&app).await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Nieznana").await);
    let stranger = format!("nowy.pracownik.{}@gmina-test.pl", short_id());
    let key = inbound.deliver(polish_eml(&stranger, "biuro@wokiss.pl", &format!("{}@x.pl", short_id()))).await;
    let message = stored_id(&inbound.notify(&key).await, false);

    let waiting = app.staff("GET", "/inbound?unassigned=true&limit=100", Some(&staff), None).await.expect(200);
    assert!(waiting["items"].as_array().unwrap().iter().any(|m| m["id"] == message), "{waiting}");
    let view = app.staff("GET", &format!("/inbound/{message}"), Some(&staff), None).await.expect(200);
    assert_eq!(view["message"]["status"], "unassigned");
    assert!(view["message"].get("concerns").is_none(), "no reply token");

    // Bad input names the field.
    let path = format!("/inbound/{message}/assign");
    let missing = app.staff("POST", &path, Some(&staff), Some(json!({}))).await;
    assert_eq!((missing.status, missing.fields()), (422, vec!["personId".to_owned()]));
    let unknown = app.staff("POST", &path, Some(&staff), Some(json!({"personId": Uuid::new_v4()}))).await;
    assert_eq!((unknown.status, unknown.fields()), (422, vec!["personId".to_owned()]));
    let typo = app.staff("POST", &path, Some(&staff), Some(json!({"person": "x"}))).await;
    assert_eq!(typo.status, 400);
    let bad_id = app.staff("GET", "/inbound/not-an-id", Some(&staff), None).await;
    assert_eq!((bad_id.status, bad_id.fields()), (400, vec!["id".to_owned()]));
    assert_eq!(app.staff("GET", &format!("/inbound/{}", Uuid::new_v4()), Some(&staff), None).await.status, 404);

    // Staff recognise the new employee, add them and link the message.
    let person = id(&person_with_email(&app, &staff, &unit, &stranger).await);
    let assigned = app.staff("POST", &path, Some(&staff), Some(json!({"personId": person}))).await.expect(200);
    assert_eq!(assigned["status"], "assigned");
    assert_eq!(assigned["assignedBy"]["name"], "Test staff");
    // Twice is harmless; another person is a conflict.
    app.staff("POST", &path, Some(&staff), Some(json!({"personId": person}))).await.expect(200);
    let other = id(&app.person(&staff, &unit, "Anna", "Inna").await);
    let conflict = app.staff("POST", &path, Some(&staff), Some(json!({"personId": other}))).await;
    assert_eq!((conflict.status, conflict.body["error"].as_str()), (409, Some("already_assigned")));

    let waiting = app.staff("GET", "/inbound?unassigned=true&limit=100", Some(&staff), None).await.expect(200);
    assert!(!waiting["items"].as_array().unwrap().iter().any(|m| m["id"] == message));
    let history = app.staff("GET", &format!("/persons/{person}/history"), Some(&staff), None).await.expect(200);
    let received = events_of_kind(&history, "email_inbound");
    assert_eq!(received.len(), 1, "{history}");
    assert!(links_to(received[0], "unit", &unit));
}

async fn sent_to(address: &str) -> Vec<Value> {
    let endpoint = env("AWS_ENDPOINT_URL");
    let data: Value = reqwest::get(format!("{endpoint}/moto-api/data.json")).await.unwrap().json().await.unwrap();
    data["ses"]["Message"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m["destinations"]["ToAddresses"].as_array().is_some_and(|to| to.iter().any(|a| a == address)))
        .collect()
}

#[tokio::test]
async fn staff_reply_is_sent_once_and_recorded_in_the_persons_history() {
    let app = TestApp::spawn().await;
    let inbound = Inbound::new(&app).await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Pytająca").await);
    let email = unique_email();
    let person = id(&person_with_email(&app, &staff, &unit, &email).await);
    let key = inbound.deliver(polish_eml(&email, "biuro@wokiss.pl", &format!("{}@gmina-test.pl", short_id()))).await;
    let message = stored_id(&inbound.notify(&key).await, true);

    let path = format!("/inbound/{message}/reply");
    let empty = app.staff("POST", &path, Some(&staff), Some(json!({"text": "  "}))).await;
    assert_eq!((empty.status, empty.fields()), (422, vec!["text".to_owned()]));
    let text = "Dzień dobry,\nfaktura zostanie wystawiona na gminę po szkoleniu.\nPozdrawiamy, WOKiSS";
    let reply = app.staff("POST", &path, Some(&staff), Some(json!({"text": text}))).await.expect(200);
    assert_eq!(reply["status"], "sent");
    assert_eq!(reply["subject"], format!("Re: {SUBJECT}"));
    assert_eq!(reply["to"], email);
    // A double submit returns the first result and sends nothing more.
    let again = app.staff("POST", &path, Some(&staff), Some(json!({"text": text}))).await.expect(200);
    assert_eq!(
        (again["id"].clone(), again["sesMessageId"].clone()),
        (reply["id"].clone(), reply["sesMessageId"].clone())
    );

    let sent = sent_to(&email).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["subject"], format!("Re: {SUBJECT}"));
    assert_eq!(sent[0]["body"], text);
    assert_eq!(sent[0]["source"], "WOKiSS <biuro@wokiss.pl>");
    assert_eq!(sent[0]["id"], reply["sesMessageId"]);

    let history = app.staff("GET", &format!("/persons/{person}/history"), Some(&staff), None).await.expect(200);
    let emails = events_of_kind(&history, "email");
    assert_eq!(emails.len(), 1, "{history}");
    assert_eq!(emails[0]["subject"], format!("Re: {SUBJECT}"));
    assert!(emails[0]["body"].as_str().unwrap().contains(sent[0]["id"].as_str().unwrap()));
    assert!(links_to(emails[0], "inbound_mail", &message));
    let view = app.staff("GET", &format!("/inbound/{message}"), Some(&staff), None).await.expect(200);
    assert_eq!(view["replies"].as_array().unwrap().len(), 1);

    // An unassigned message cannot be answered until it is linked to someone.
    let key = inbound.deliver(polish_eml("ktos@nieznany.pl", "biuro@wokiss.pl", &format!("{}@x.pl", short_id()))).await;
    let unassigned = stored_id(&inbound.notify(&key).await, false);
    let refused =
        app.staff("POST", &format!("/inbound/{unassigned}/reply"), Some(&staff), Some(json!({"text": text}))).await;
    assert_eq!((refused.status, refused.body["error"].as_str()), (409, Some("inbound_unassigned")));
}

#[tokio::test]
async fn a_message_that_cannot_be_parsed_is_kept_unassigned_with_its_problems() {
    let app = TestApp::spawn().await;
    let inbound = Inbound::new(&app).await;
    let staff = app.staff_token().await;
    let key = inbound.deliver(b"\x00\x01garbage without any header\xff\xfe".to_vec()).await;
    let message = stored_id(&inbound.notify(&key).await, false);
    let view = app.staff("GET", &format!("/inbound/{message}"), Some(&staff), None).await.expect(200);
    assert_eq!(view["message"]["status"], "unassigned");
    assert!(!view["message"]["problems"].as_array().unwrap().is_empty(), "{view}");
    // Objects outside the raw prefix (e.g. stored attachments) are not messages.
    let outcomes = inbound.notify("inbound/attachments/x/1-a.pdf").await;
    assert!(matches!(outcomes.as_slice(), [Outcome::Ignored(_)]), "{outcomes:?}");
}

#[tokio::test]
async fn only_staff_reach_the_inbox() {
    let app = TestApp::spawn().await;
    let inbound = Inbound::new(&app).await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Ciekawska").await);
    let email = unique_email();
    let person = id(&person_with_email(&app, &staff, &unit, &email).await);
    let key = inbound.deliver(polish_eml(&email, "biuro@wokiss.pl", &format!("{}@x.pl", short_id()))).await;
    let message = stored_id(&inbound.notify(&key).await, true);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let participant = app.user("participant", Some(&unit), Some(&person)).await;
    for token in [&admin, &participant] {
        for (method, path, body) in [
            ("GET", "/inbound".to_owned(), None),
            ("GET", "/inbound?unassigned=true".to_owned(), None),
            ("GET", format!("/inbound/{message}"), None),
            ("POST", format!("/inbound/{message}/assign"), Some(json!({"personId": person}))),
            ("POST", format!("/inbound/{message}/reply"), Some(json!({"text": "Odpowiedź"}))),
        ] {
            let response = app.staff(method, &path, Some(token), body).await;
            assert_eq!(response.status, 403, "{method} {path}: {}", response.body);
        }
    }
    assert_eq!(app.staff("GET", "/inbound", None, None).await.status, 401);
    assert!(sent_to(&email).await.is_empty(), "nothing was sent");
}

/// DynamoDB calls of each inbound path, counted by the client's interceptor (bench/run prints
/// the table with EWOKISS_PRINT_CALLS=1); bounded here.
#[tokio::test]
async fn inbound_paths_are_cheap() {
    let app = TestApp::spawn().await;
    let inbound = Inbound::new(&app).await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Licząca").await);
    let email = unique_email();
    let person = id(&person_with_email(&app, &staff, &unit, &email).await);
    let training = id(&recruiting_training(&app, &staff, 5, json!({})).await);
    let to = ReplyToken::for_training(Uuid::parse_str(&training).unwrap()).address("biuro@wokiss.pl");
    let mut measured = Vec::new();

    let key = inbound.deliver(polish_eml(&email, &to, &format!("{}@x.pl", short_id()))).await;
    let before = app.table.calls.total();
    let known = stored_id(&inbound.notify(&key).await, true);
    measured.push(("receive (known sender, training token)", app.table.calls.total() - before, 6));
    let before = app.table.calls.total();
    inbound.notify(&key).await;
    measured.push(("receive the same event again", app.table.calls.total() - before, 1));
    let key = inbound.deliver(polish_eml("obcy@nieznany.pl", "biuro@wokiss.pl", &format!("{}@x.pl", short_id()))).await;
    let before = app.table.calls.total();
    let stranger = stored_id(&inbound.notify(&key).await, false);
    measured.push(("receive (unknown sender)", app.table.calls.total() - before, 3));

    for (label, method, path, body, bound) in [
        ("GET /api/staff/inbound", "GET", "/inbound".to_owned(), None, 1),
        ("GET /api/staff/inbound?unassigned=true", "GET", "/inbound?unassigned=true".to_owned(), None, 1),
        ("GET /api/staff/inbound/{id}", "GET", format!("/inbound/{known}"), None, 2),
        (
            "POST /api/staff/inbound/{id}/assign",
            "POST",
            format!("/inbound/{stranger}/assign"),
            Some(json!({"personId": person})),
            4,
        ),
        (
            "POST /api/staff/inbound/{id}/reply",
            "POST",
            format!("/inbound/{known}/reply"),
            Some(json!({"text": "Dziękujemy."})),
            5,
        ),
        (
            "POST /api/staff/inbound/{id}/reply (again)",
            "POST",
            format!("/inbound/{known}/reply"),
            Some(json!({"text": "Dziękujemy."})),
            4,
        ),
    ] {
        let before = app.table.calls.total();
        app.staff(method, &path, Some(&staff), body).await.expect(200);
        measured.push((label, app.table.calls.total() - before, bound));
    }
    if std::env::var_os("EWOKISS_PRINT_CALLS").is_some() {
        println!("| inbound path | DynamoDB calls |\n| --- | ---: |");
        for (label, calls, _) in &measured {
            println!("| {label} | {calls} |");
        }
    }
    for (label, calls, bound) in measured {
        assert!(calls <= bound, "{label} made {calls} DynamoDB calls (at most {bound})");
    }
}
