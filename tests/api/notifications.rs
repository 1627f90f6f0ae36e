//! The notification sender against the emulator: outbox entries written by enrolment become
//! one SES e-mail each, read back from the emulator's mail store; a repeated SQS delivery sends
//! nothing more; each sent e-mail is in the person's history with its SES message id.

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use chrono::{Duration, Utc};
use ewokiss_adapters::dynamo::trainings::pending_notifications;
use ewokiss_adapters::mail::Mailer;
use notifications::{handle, Notifier};
use serde_json::{json, Value};

use crate::helpers::{id, unique_email, TestApp};

fn sqs_event(outbox_ids: &[String]) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = outbox_ids
        .iter()
        .map(|outbox| {
            let mut message = SqsMessage::default();
            message.message_id = Some(format!("msg-{outbox}"));
            message.body = Some(json!({"outboxId": outbox}).to_string());
            message
        })
        .collect();
    event
}

async fn sent_to(address: &str) -> Vec<Value> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap();
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
async fn each_outbox_entry_becomes_one_personal_email_even_when_delivered_twice() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Powiadamiana").await);
    let (admin, admin_email) = app.user_with_email("unit-admin", Some(&unit), None).await;
    let (first_email, second_email) = (unique_email(), unique_email());
    let first = app
        .staff(
            "POST",
            "/persons",
            Some(&staff),
            Some(json!({"firstName": "Łucja", "lastName": "Żabińska", "email": first_email, "unitId": unit})),
        )
        .await
        .expect(201);
    let second = app
        .staff("POST", "/persons", Some(&staff), Some(json!({"firstName": "Grzegorz", "lastName": "Brzęczyszczykiewicz", "email": second_email, "unitId": unit})))
        .await
        .expect(201);
    let venue = app.staff("POST", "/venues", Some(&staff), Some(json!({"name": "Sala Kominkowa", "capacity": 30, "latitude": "52.4", "longitude": "16.9", "address": {"street": "ul. Wielka 1", "postalCode": "61-775", "city": "Poznań"}}))).await.expect(201);
    let day = (Utc::now() + Duration::days(20)).date_naive();
    let training = app
        .staff("POST", "/trainings", Some(&staff), Some(json!({"kind": "EDU-OPEN", "title": "Ochrona danych osobowych w gminie", "sessions": [{"date": day.to_string(), "start": "10:00", "end": "14:00"}], "venueId": venue["id"], "capacity": 1, "priceNet": "300", "vat": "zw"})))
        .await
        .expect(201);
    let tid = id(&training);
    app.staff("POST", &format!("/trainings/{tid}/phase"), Some(&staff), Some(json!({"to": "recruiting"})))
        .await
        .expect(200);
    let body = json!({"personIds": [id(&first), id(&second)]});
    let results =
        app.extranet("POST", &format!("/trainings/{tid}/enrolments"), Some(&admin), Some(body)).await.expect(200);
    assert_eq!(results[0]["outcome"], "enrolled");
    assert_eq!(results[1]["outcome"], "waitlisted");

    let pending: Vec<String> = pending_notifications(&app.table, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.training_id.to_string() == tid)
        .map(|n| n.id.to_string())
        .collect();
    assert_eq!(pending.len(), 2);

    let sdk = ewokiss_adapters::config::aws_sdk_config().await;
    let notifier = Notifier {
        table: app.table.clone(),
        mailer: Mailer::new(&sdk, "e-WOKiSS <szkolenia@wokiss.pl>".into(), None),
        copy_unit_admin: true,
        certificates: ewokiss_adapters::links::CertificateSettings::from_env().unwrap(),
    };
    let response = handle(&notifier, sqs_event(&pending)).await;
    assert!(response.batch_item_failures.is_empty());
    // SQS delivers at least once: the same batch again sends nothing.
    let again = handle(&notifier, sqs_event(&pending)).await;
    assert!(again.batch_item_failures.is_empty());

    let to_first = sent_to(&first_email).await;
    assert_eq!(to_first.len(), 1);
    assert_eq!(to_first[0]["subject"], "Potwierdzenie zapisu: Ochrona danych osobowych w gminie");
    let html = to_first[0]["body"].as_str().unwrap();
    assert!(html.contains("Łucja Żabińska"), "personalised: {html}");
    assert!(html.contains(&day.format("%d.%m.%Y").to_string()));
    assert!(html.contains("Sala Kominkowa, ul. Wielka 1, 61-775 Poznań"));
    // The administrator who enrolled them gets a copy of each, marked as such.
    let copies = sent_to(&admin_email).await;
    assert_eq!(copies.len(), 2);
    assert!(copies.iter().all(|m| m["subject"].as_str().unwrap().starts_with("[Kopia dla administratora] ")));
    let to_second = sent_to(&second_email).await;
    assert_eq!(to_second.len(), 1);
    assert_eq!(to_second[0]["subject"], "Lista rezerwowa: Ochrona danych osobowych w gminie");
    assert!(to_second[0]["body"].as_str().unwrap().contains("pozycja 1"));

    // The e-mail is in the person's history with its SES message id; the entry left the queue.
    let history = app.staff("GET", &format!("/persons/{}/history", id(&first)), Some(&staff), None).await.expect(200);
    let email_event =
        history["items"].as_array().unwrap().iter().find(|e| e["kind"] == "email").expect("an e-mail event");
    assert!(email_event["body"].as_str().unwrap().contains(to_first[0]["id"].as_str().unwrap()));
    let still_pending = pending_notifications(&app.table, 1000).await.unwrap();
    assert!(still_pending.iter().all(|n| n.training_id.to_string() != tid));

    // A cancellation promotes the second person, who is told once.
    app.extranet("POST", &format!("/trainings/{tid}/enrolments/{}/cancel", id(&first)), Some(&admin), None)
        .await
        .expect(200);
    let next: Vec<String> = pending_notifications(&app.table, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.training_id.to_string() == tid)
        .map(|n| n.id.to_string())
        .collect();
    assert_eq!(next.len(), 2, "cancelled + promoted");
    handle(&notifier, sqs_event(&next)).await;
    let promoted: Vec<_> = sent_to(&second_email)
        .await
        .into_iter()
        .filter(|m| m["subject"].as_str().unwrap().starts_with("Zwolniło się miejsce"))
        .collect();
    assert_eq!(promoted.len(), 1);
}

#[tokio::test]
async fn a_malformed_message_is_reported_as_failed_for_the_dead_letter_queue() {
    let app = TestApp::spawn().await;
    let sdk = ewokiss_adapters::config::aws_sdk_config().await;
    let notifier = Notifier {
        table: app.table.clone(),
        mailer: Mailer::new(&sdk, "szkolenia@wokiss.pl".into(), None),
        copy_unit_admin: true,
        certificates: ewokiss_adapters::links::CertificateSettings::from_env().unwrap(),
    };
    let mut event = SqsEvent::default();
    let mut message = SqsMessage::default();
    message.message_id = Some("bad-1".into());
    message.body = Some("not json".into());
    event.records.push(message);
    let response = handle(&notifier, event).await;
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(response.batch_item_failures[0].item_identifier, "bad-1");
    // An id that is not in the outbox is nothing to send (already handled): no failure.
    let unknown = handle(&notifier, sqs_event(&[uuid::Uuid::new_v4().to_string()])).await;
    assert!(unknown.batch_item_failures.is_empty());
}
