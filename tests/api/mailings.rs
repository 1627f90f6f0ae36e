//! Mailings against the emulator: the recipients fixed at the start, fanned out on SQS, sent by
//! the mailer function one SES message each (read back from the emulator's mail store), with
//! every SQS message delivered twice; SES's events (from the mailbox simulator) recorded once
//! each; a hard bounce suppresses the address for the next mailing and opens a task the unit's
//! administrator sees; unsubscribing is honoured; only staff manage mailings.

use std::collections::HashMap;

use aws_lambda_events::event::sqs::SqsEvent;
use chrono::Utc;
use ewokiss_adapters::mail::Mailer;
use ewokiss_adapters::mailing_app::MailingSettings;
use ewokiss_domain::mailing::simulator::{simulated_events, sns_event};
use futures::StreamExt;
use serde_json::{json, Value};

use crate::helpers::{id, letters_id, short_id, TestApp};

async fn sender(app: &TestApp) -> mailer::Sender {
    let sdk = ewokiss_adapters::config::aws_sdk_config().await;
    mailer::Sender::new(
        app.table.clone(),
        Mailer::new(&sdk, "e-WOKiSS <szkolenia@wokiss.pl>".into(), std::env::var("SES_CONFIGURATION_SET").ok()),
        MailingSettings::from_env().unwrap(),
        ewokiss_adapters::documents::Documents::new(&sdk, &std::env::var("DOCUMENTS_BUCKET").unwrap()),
        // Far above what the emulator sustains: pacing is measured by the benchmark, not here.
        10_000.0,
    )
}

/// This mailing's SQS messages, as the event source would deliver them. Other tests' messages
/// stay visible for them (visibility timeout 0); ours are deleted once read.
async fn take_batches(mailing_id: &str) -> SqsEvent {
    let sdk = ewokiss_adapters::config::aws_sdk_config().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let url = std::env::var("MAILING_QUEUE_URL").unwrap();
    let mut records = Vec::new();
    let mut empty_polls = 0;
    while empty_polls < 2 {
        let received = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
        let messages = received.messages.unwrap_or_default();
        let ours: Vec<_> = messages.iter().filter(|m| m.body().unwrap_or_default().contains(mailing_id)).collect();
        if ours.is_empty() {
            empty_polls += 1;
            continue;
        }
        for m in ours {
            records.push(json!({"messageId": m.message_id(), "receiptHandle": m.receipt_handle(), "body": m.body(), "eventSource": "aws:sqs"}));
            sqs.delete_message().queue_url(&url).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
        }
    }
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

/// Runs the mailer on the mailing's batches, every message delivered twice at the same time.
async fn send_twice(app: &TestApp, mailing_id: &str) -> usize {
    let event = take_batches(mailing_id).await;
    let batches = event.records.len();
    let sender = sender(app).await;
    let (first, second) =
        tokio::join!(Box::pin(mailer::handle(&sender, event.clone())), Box::pin(mailer::handle(&sender, event)));
    assert!(first.batch_item_failures.is_empty() && second.batch_item_failures.is_empty());
    batches
}

async fn recorded_mail() -> Vec<Value> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap();
    let data: Value = reqwest::get(format!("{endpoint}/moto-api/data.json")).await.unwrap().json().await.unwrap();
    data["ses"]["Message"].as_array().cloned().unwrap_or_default()
}

fn to_address(message: &Value) -> String {
    message["destinations"]["ToAddresses"][0].as_str().unwrap_or_default().to_owned()
}

/// Delivers what SES's mailbox simulator would report for every recorded message to these
/// addresses, each SNS delivery twice (SNS retries; events may repeat).
async fn deliver_ses_events(app: &TestApp, addresses: &[String]) {
    let events = mail_events::Events { table: app.table.clone() };
    for message in recorded_mail().await.iter().filter(|m| addresses.contains(&to_address(m))) {
        let records = simulated_events(
            message["id"].as_str().unwrap(),
            message["source"].as_str().unwrap_or_default(),
            &to_address(message),
            Utc::now(),
            &[],
        );
        let sns: aws_lambda_events::event::sns::SnsEvent =
            serde_json::from_value(sns_event(&records, "arn:aws:sns:local:0:MailEventsTopic", Utc::now())).unwrap();
        for _ in 0..2 {
            Box::pin(mail_events::handle(&events, sns.clone())).await.unwrap();
        }
    }
}

fn mailing_body(name: &str, audience: Value) -> Value {
    json!({
        "name": name,
        "kind": "newsletter",
        "subject": "{{ mailing.name }} dla {{ person.first_name }}",
        "text": "Dzień dobry {{ person.first_name }} {{ person.last_name }} ({{ unit.name }}),\nzapraszamy. Rezygnacja: {{ mailing.unsubscribe_url }}",
        "html": "<p>Dzień dobry {{ person.first_name }} {{ person.last_name }} ({{ unit.name }}),</p><p>zapraszamy.</p><p><a href=\"{{ mailing.unsubscribe_url }}\">Wypisz</a></p>",
        "senderName": "WOKiSS — Szkolenia",
        "senderAddress": "szkolenia@wokiss.pl",
        "audience": audience
    })
}

/// `count` persons in a new unit, with addresses made by `address(i)`; returns the unit id.
async fn unit_with_persons(app: &TestApp, staff: &str, count: usize, address: impl Fn(usize) -> String) -> String {
    let unit = id(&app.unit(staff, "Gmina Wysyłkowa").await);
    let tag = letters_id();
    let bodies: Vec<Value> = (0..count)
        .map(|i| {
            let suffix: String = format!("{i:04}").chars().map(|c| char::from(b'a' + (c as u8 - b'0'))).collect();
            json!({"firstName": "Żaneta", "lastName": format!("Łęcka-{tag}{suffix}"), "unitId": unit, "email": address(i), "position": "Skarbnik"})
        })
        .collect();
    let created: Vec<u16> = futures::stream::iter(bodies)
        .map(|body| async move { app.staff("POST", "/persons", Some(staff), Some(body)).await.status })
        .buffer_unordered(8)
        .collect()
        .await;
    assert!(created.iter().all(|status| *status == 201), "{created:?}");
    unit
}

#[tokio::test]
async fn a_mailing_to_500_sends_exactly_500_personal_messages_even_with_every_batch_delivered_twice() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let domain = format!("m{}.gmina-test.pl", short_id());
    let unit = unit_with_persons(&app, &staff, 500, |i| format!("osoba{i}@{domain}")).await;
    let name = format!("Newsletter {}", short_id());
    let body = mailing_body(&name, json!({"source": "units", "units": {"unitIds": [unit]}}));
    let mailing = app.staff("POST", "/mailings", Some(&staff), Some(body)).await.expect(201);
    let mailing_id = id(&mailing);
    assert_eq!(mailing["status"], "draft");

    let audience = app.staff("GET", &format!("/mailings/{mailing_id}/audience"), Some(&staff), None).await.expect(200);
    assert_eq!(audience["total"], 500);
    let person = audience["sample"][0]["personId"].as_str().unwrap().to_owned();
    let preview = app
        .staff("POST", &format!("/mailings/{mailing_id}/preview"), Some(&staff), Some(json!({"personId": person})))
        .await
        .expect(200);
    assert!(preview["subject"].as_str().unwrap().ends_with("dla Żaneta"), "{preview}");

    let started = app.staff("POST", &format!("/mailings/{mailing_id}/start"), Some(&staff), None).await.expect(200);
    assert_eq!(started["status"], "sending");
    assert_eq!(started["progress"]["total"], 500);
    assert_eq!(started["batches"], 10);
    app.staff("POST", &format!("/mailings/{mailing_id}/start"), Some(&staff), None).await.expect(409);

    assert_eq!(send_twice(&app, &mailing_id).await, 10);

    let mail: Vec<Value> = recorded_mail().await.into_iter().filter(|m| to_address(m).ends_with(&domain)).collect();
    assert_eq!(mail.len(), 500, "exactly one e-mail per recipient");
    let mut per_address: HashMap<String, usize> = HashMap::new();
    for message in &mail {
        *per_address.entry(to_address(message)).or_default() += 1;
        assert!(message["source"].as_str().unwrap().contains("szkolenia@wokiss.pl"));
    }
    assert_eq!(per_address.len(), 500);
    // Personalised: each body names its own recipient (the last name carries the index).
    let recipients =
        app.staff("GET", &format!("/mailings/{mailing_id}/recipients"), Some(&staff), None).await.expect(200);
    for recipient in recipients["items"].as_array().unwrap() {
        let message = mail.iter().find(|m| to_address(m) == recipient["email"].as_str().unwrap()).unwrap();
        let body = message["body"].as_str().unwrap();
        assert!(body.contains(&format!("Dzień dobry Żaneta {}", recipient["lastName"].as_str().unwrap())), "{body}");
        assert_eq!(recipient["status"], "sent");
        assert!(recipient["messageId"].is_string());
    }
    let done = app.staff("GET", &format!("/mailings/{mailing_id}"), Some(&staff), None).await.expect(200);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["progress"]["sent"], 500);
    assert_eq!(done["percent"], 100);

    // The send is in the person's history with its SES message id.
    let history = app.staff("GET", &format!("/persons/{person}/history"), Some(&staff), None).await.expect(200);
    let sent = history["items"].as_array().unwrap().iter().find(|e| e["kind"] == "email").expect("send recorded");
    assert!(sent["body"].as_str().unwrap().contains("SES message id"));
}

#[tokio::test]
async fn a_bounce_suppresses_the_address_opens_a_task_for_the_unit_and_the_next_mailing_skips_it() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let tag = short_id();
    let addresses: Vec<String> = ["success", "bounce", "complaint", "success"]
        .iter()
        .enumerate()
        .map(|(i, mailbox)| format!("{mailbox}+{tag}{i}@simulator.amazonses.com"))
        .collect();
    let list = addresses.clone();
    let unit = unit_with_persons(&app, &staff, 4, move |i| list[i].clone()).await;
    let (admin, _) = app.user_with_email("unit-admin", Some(&unit), None).await;
    let other_unit = id(&app.unit(&staff, "Gmina Obca").await);
    let (other_admin, _) = app.user_with_email("unit-admin", Some(&other_unit), None).await;

    let audience = json!({"source": "units", "units": {"unitIds": [unit]}});
    let first = app
        .staff("POST", "/mailings", Some(&staff), Some(mailing_body("Pierwsza", audience.clone())))
        .await
        .expect(201);
    let first_id = id(&first);
    app.staff("POST", &format!("/mailings/{first_id}/start"), Some(&staff), None).await.expect(200);
    send_twice(&app, &first_id).await;
    deliver_ses_events(&app, &addresses).await;

    let mailing = app.staff("GET", &format!("/mailings/{first_id}"), Some(&staff), None).await.expect(200);
    let progress = &mailing["progress"];
    assert_eq!((progress["sent"].as_u64(), progress["bounced"].as_u64()), (Some(4), Some(1)), "{progress}");
    assert_eq!(progress["delivered"], 3, "success ×2 and the complaint's delivery; replays not counted");
    assert_eq!(progress["complained"], 1);
    let recipients =
        app.staff("GET", &format!("/mailings/{first_id}/recipients"), Some(&staff), None).await.expect(200);
    let bounced = recipients["items"].as_array().unwrap().iter().find(|r| r["email"] == addresses[1].as_str()).unwrap();
    assert_eq!(bounced["outcome"], "bounced");
    let bounced_person = bounced["personId"].as_str().unwrap().to_owned();

    // The person's history: sent, then bounced (once, although SNS delivered it twice).
    let history = app.staff("GET", &format!("/persons/{bounced_person}/history"), Some(&staff), None).await.expect(200);
    let kinds: Vec<&str> = history["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "email_bounced").count(), 1, "{kinds:?}");
    assert!(kinds.contains(&"email"));
    // One click: what did this person get, and what happened.
    let answer = app.staff("GET", &format!("/persons/{bounced_person}/mailings"), Some(&staff), None).await.expect(200);
    assert_eq!(answer[0]["mailingName"], "Pierwsza");
    assert!(answer[0]["sentAt"].is_string() && answer[0]["delivery"]["bouncedAt"].is_string());

    // Suppressed; a task for staff and for the unit's administrator — not for another unit's.
    let suppressed = app.staff("GET", "/suppressions?limit=500", Some(&staff), None).await.expect(200);
    let listed: Vec<&str> =
        suppressed["items"].as_array().unwrap().iter().map(|s| s["email"].as_str().unwrap()).collect();
    assert!(listed.contains(&addresses[1].as_str()) && listed.contains(&addresses[2].as_str()));
    let tasks = app.extranet("GET", &format!("/units/{unit}/tasks"), Some(&admin), None).await.expect(200);
    let titles: Vec<&str> = tasks.as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.iter().any(|t| t.contains(addresses[1].as_str())));
    app.extranet("GET", &format!("/units/{unit}/tasks"), Some(&other_admin), None).await.expect(404);
    let staff_tasks = app.staff("GET", &format!("/units/{unit}/tasks"), Some(&staff), None).await.expect(200);
    assert_eq!(staff_tasks.as_array().unwrap().len(), 2);

    // The next mailing skips the suppressed addresses and says so.
    let second = app.staff("POST", "/mailings", Some(&staff), Some(mailing_body("Druga", audience))).await.expect(201);
    let second_id = id(&second);
    app.staff("POST", &format!("/mailings/{second_id}/start"), Some(&staff), None).await.expect(200);
    send_twice(&app, &second_id).await;
    let done = app.staff("GET", &format!("/mailings/{second_id}"), Some(&staff), None).await.expect(200);
    assert_eq!((done["progress"]["sent"].as_u64(), done["progress"]["suppressed"].as_u64()), (Some(2), Some(2)));
    assert_eq!(done["status"], "completed");
    let skipped = app
        .staff("GET", &format!("/mailings/{second_id}/recipients?status=suppressed"), Some(&staff), None)
        .await
        .expect(200);
    assert_eq!(skipped["items"].as_array().unwrap().len(), 2);
    let to_bounce = recorded_mail().await.into_iter().filter(|m| to_address(m) == addresses[1]).count();
    assert_eq!(to_bounce, 1, "the bounced address got only the first mailing");

    // Staff clear an address; it may be mailed again.
    let path = format!("/suppressions/{}", addresses[1].replace('+', "%2B").replace('@', "%40"));
    app.staff("DELETE", &path, Some(&staff), None).await.expect(200);
    app.staff("DELETE", &path, Some(&staff), None).await.expect(404);
}

#[tokio::test]
async fn unsubscribing_is_honoured_by_newsletters_but_not_service_messages() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let domain = format!("u{}.gmina-test.pl", short_id());
    let unit = unit_with_persons(&app, &staff, 2, |i| format!("osoba{i}@{domain}")).await;
    let audience = json!({"source": "units", "units": {"unitIds": [unit]}});
    let first = app
        .staff("POST", "/mailings", Some(&staff), Some(mailing_body("Newsletter", audience.clone())))
        .await
        .expect(201);
    app.staff("POST", &format!("/mailings/{}/start", id(&first)), Some(&staff), None).await.expect(200);
    send_twice(&app, &id(&first)).await;

    let mail: Vec<Value> = recorded_mail().await.into_iter().filter(|m| to_address(m).ends_with(&domain)).collect();
    let leaving = mail.iter().find(|m| to_address(m) == format!("osoba0@{domain}")).unwrap();
    let body = leaving["body"].as_str().unwrap();
    let token = body.split("token=").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let tampered = format!("{}x", &token);
    app.extranet("POST", &format!("/public/unsubscribe?token={tampered}"), None, None).await.expect(400);
    let done = app.extranet("POST", "/public/unsubscribe", None, Some(json!({"token": token}))).await.expect(200);
    assert_eq!((done["unsubscribed"].as_bool(), done["already"].as_bool()), (Some(true), Some(false)));
    let again = app.extranet("POST", &format!("/public/unsubscribe?token={token}"), None, None).await.expect(200);
    assert_eq!(again["already"], true);

    let second = app
        .staff("POST", "/mailings", Some(&staff), Some(mailing_body("Newsletter 2", audience.clone())))
        .await
        .expect(201);
    app.staff("POST", &format!("/mailings/{}/start", id(&second)), Some(&staff), None).await.expect(200);
    send_twice(&app, &id(&second)).await;
    let view = app.staff("GET", &format!("/mailings/{}", id(&second)), Some(&staff), None).await.expect(200);
    assert_eq!((view["progress"]["sent"].as_u64(), view["progress"]["unsubscribed"].as_u64()), (Some(1), Some(1)));

    let mut service = mailing_body("Zmiana adresu biura", audience);
    service["kind"] = json!("service");
    let third = app.staff("POST", "/mailings", Some(&staff), Some(service)).await.expect(201);
    app.staff("POST", &format!("/mailings/{}/start", id(&third)), Some(&staff), None).await.expect(200);
    send_twice(&app, &id(&third)).await;
    let view = app.staff("GET", &format!("/mailings/{}", id(&third)), Some(&staff), None).await.expect(200);
    assert_eq!(view["progress"]["sent"], 2, "service messages reach everyone");
    let service_mail = recorded_mail()
        .await
        .into_iter()
        .filter(|m| to_address(m).ends_with(&domain))
        .filter(|m| m["subject"].as_str().unwrap_or("").starts_with("Zmiana adresu biura"))
        .count();
    assert_eq!(service_mail, 2);
}

#[tokio::test]
async fn a_paused_mailing_sends_nothing_until_resumed_and_then_nobody_twice() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let domain = format!("p{}.gmina-test.pl", short_id());
    let unit = unit_with_persons(&app, &staff, 60, |i| format!("osoba{i}@{domain}")).await;
    let body = mailing_body("Wstrzymywana", json!({"source": "units", "units": {"unitIds": [unit]}}));
    let mailing_id = id(&app.staff("POST", "/mailings", Some(&staff), Some(body)).await.expect(201));
    app.staff("POST", &format!("/mailings/{mailing_id}/start"), Some(&staff), None).await.expect(200);
    let paused = app.staff("POST", &format!("/mailings/{mailing_id}/pause"), Some(&staff), None).await.expect(200);
    assert_eq!(paused["status"], "paused");
    app.staff("POST", &format!("/mailings/{mailing_id}/pause"), Some(&staff), None).await.expect(409);
    send_twice(&app, &mailing_id).await;
    let sent = || async { recorded_mail().await.into_iter().filter(|m| to_address(m).ends_with(&domain)).count() };
    assert_eq!(sent().await, 0, "nothing leaves a paused mailing");

    app.staff("POST", &format!("/mailings/{mailing_id}/resume"), Some(&staff), None).await.expect(200);
    assert_eq!(send_twice(&app, &mailing_id).await, 2, "the queued recipients, queued again");
    assert_eq!(sent().await, 60);
    let done = app.staff("GET", &format!("/mailings/{mailing_id}"), Some(&staff), None).await.expect(200);
    assert_eq!(done["status"], "completed");
    app.staff("POST", &format!("/mailings/{mailing_id}/cancel"), Some(&staff), None).await.expect(409);
}

#[tokio::test]
async fn templates_are_checked_at_save_time_and_only_staff_manage_mailings() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Uprawnień").await);
    let audience = json!({"source": "units", "units": {"unitIds": [unit]}});
    let mut bad = mailing_body("Zły szablon", audience.clone());
    bad["subject"] = json!("{{ person.pesel }}");
    let refused = app.staff("POST", "/mailings", Some(&staff), Some(bad)).await.expect(422);
    assert!(refused.to_string().contains("person.pesel"), "{refused}");
    assert_eq!(app.staff("POST", "/mailings", Some(&staff), Some(json!({"name": 5}))).await.status, 400);

    let mailing = app
        .staff("POST", "/mailings", Some(&staff), Some(mailing_body("Uprawnienia", audience.clone())))
        .await
        .expect(201);
    let mailing_id = id(&mailing);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let participant = app.user("participant", Some(&unit), None).await;
    for token in [&admin, &participant] {
        for (method, path, body) in [
            ("GET", "/mailings".to_owned(), None),
            ("POST", "/mailings".to_owned(), Some(mailing_body("X", audience.clone()))),
            ("GET", format!("/mailings/{mailing_id}"), None),
            ("POST", format!("/mailings/{mailing_id}/start"), None),
            ("GET", "/suppressions".to_owned(), None),
        ] {
            let status = app.staff(method, &path, Some(token), body).await.status;
            assert_eq!(status, 403, "{method} {path}");
        }
    }
    for token in [&admin, &participant] {
        let status = app.staff("POST", "/mailings/preview", Some(token), Some(json!({"subject": "x"}))).await.status;
        assert_eq!(status, 403, "form preview");
    }
    // A participant sees no unit tasks, even of the own unit.
    app.extranet("GET", &format!("/units/{unit}/tasks"), Some(&participant), None).await.expect(403);
    // An empty audience is refused when starting, not by a crash later.
    app.staff("POST", &format!("/mailings/{mailing_id}/start"), Some(&staff), None).await.expect(409);
}

#[tokio::test]
async fn a_draft_carries_checked_attachments_that_every_message_takes_along() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let domain = format!("a{}.gmina-test.pl", short_id());
    let unit = unit_with_persons(&app, &staff, 3, |i| format!("osoba{i}@{domain}")).await;
    let body = mailing_body("Z programem", json!({"source": "units", "units": {"unitIds": [unit]}}));
    let mailing_id = id(&app.staff("POST", "/mailings", Some(&staff), Some(body)).await.expect(201));
    let upload = format!("/mailings/{mailing_id}/attachments/upload");
    let refused = app.staff("POST", &upload, Some(&staff), Some(json!({"fileName": "setup.exe"}))).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.fields(), vec!["fileName"]);
    let ticket =
        app.staff("POST", &upload, Some(&staff), Some(json!({"fileName": "Program — Łódź.pdf"}))).await.expect(200);
    let attach = format!("/mailings/{mailing_id}/attachments");
    let confirm = json!({"attachmentId": ticket["attachmentId"], "fileName": "Program — Łódź.pdf"});
    let early = app.staff("POST", &attach, Some(&staff), Some(confirm.clone())).await;
    assert_eq!(early.fields(), vec!["attachmentId"], "not uploaded yet");
    // The browser's part: PUT the file to the presigned link.
    let put = reqwest::Client::new()
        .put(ticket["uploadUrl"].as_str().unwrap())
        .header("content-type", ticket["contentType"].as_str().unwrap())
        .body(b"%PDF-1.7\n% program szkolenia\n%%EOF\n".to_vec())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let with_file = app.staff("POST", &attach, Some(&staff), Some(confirm.clone())).await.expect(201);
    let attachment = &with_file["attachments"][0];
    assert_eq!(attachment["contentType"], "application/pdf");
    assert_eq!(attachment["size"], 35);
    app.staff("POST", &attach, Some(&staff), Some(confirm)).await.expect(422);

    app.staff("POST", &format!("/mailings/{mailing_id}/start"), Some(&staff), None).await.expect(200);
    let late = app.staff("POST", &upload, Some(&staff), Some(json!({"fileName": "b.pdf"}))).await;
    assert_eq!(late.status, 422, "the attachments are fixed with the start");
    send_twice(&app, &mailing_id).await;
    let sent = recorded_mail().await.into_iter().filter(|m| to_address(m).ends_with(&domain)).count();
    assert_eq!(sent, 3, "sent with the attachment (the emulator keeps no attachments to compare)");
}

#[tokio::test]
async fn the_form_previews_its_message_before_it_is_saved_or_complete() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = unit_with_persons(&app, &staff, 1, |_| format!("podglad@m{}.gmina-test.pl", short_id())).await;
    let persons = app.staff("GET", &format!("/units/{unit}/persons"), Some(&staff), None).await.expect(200);
    let person = persons["items"][0]["id"].as_str().unwrap().to_owned();
    // Only the template typed so far: no name, no sender, no audience.
    let form = json!({
        "subject": "Zaproszenie dla {{ person.first_name }}",
        "text": "Dzień dobry {{ person.first_name }} {{ person.last_name }} ({{ unit.name }})",
        "html": "<p>Dzień dobry {{ person.first_name }}</p>"
    });
    let sample = app.staff("POST", "/mailings/preview", Some(&staff), Some(form.clone())).await.expect(200);
    let editor = app.staff("GET", "/mailings/editor", Some(&staff), None).await.expect(200);
    let sample_first_name = editor["placeholders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "person.first_name")
        .map(|p| p["sample"].as_str().unwrap().to_owned())
        .unwrap();
    assert_eq!(sample["subject"], format!("Zaproszenie dla {sample_first_name}"));
    assert_ne!(sample_first_name, "Żaneta", "the person's rendering must differ from the sample's");

    let personal =
        app.staff("POST", &format!("/mailings/preview?personId={person}"), Some(&staff), Some(form)).await.expect(200);
    assert_eq!(personal["subject"], "Zaproszenie dla Żaneta");
    assert!(personal["text"].as_str().unwrap().contains("(Gmina Wysyłkowa "), "{personal}");
    let mailings = app.staff("GET", "/mailings", Some(&staff), None).await.expect(200);
    assert!(!mailings.to_string().contains("Zaproszenie dla"), "a preview saves nothing");

    let broken = json!({"subject": "{{ person.pesel }}", "text": "Dzień dobry", "html": "<p>{% for %}</p>"});
    let refused = app.staff("POST", "/mailings/preview", Some(&staff), Some(broken)).await.expect(422);
    let fields: Vec<&str> =
        refused["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"subject") && fields.contains(&"html"), "{refused}");
    let valid = json!({"subject": "Temat", "text": "Treść", "html": "<p>Treść</p>"});
    let bad_person = app.staff("POST", "/mailings/preview?personId=nie-ma", Some(&staff), Some(valid)).await;
    assert_eq!(bad_person.status, 400);
    assert!(bad_person.body.to_string().contains("personId"), "{}", bad_person.body);
}
