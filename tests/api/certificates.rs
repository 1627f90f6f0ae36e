//! Certificates against the emulator: a completed training with 3 present and 1 absent gives
//! exactly 3 PDFs in S3 and 3 e-mails with lasting links, whatever the redeliveries; the public
//! verification confirms a real code and rejects a made-up one; the link and the API refuse
//! what the caller may not have; a name correction is a new version with the same number.

use aws_lambda_events::event::sqs::SqsEvent;
use certificates::{handle, Generator};
use ewokiss_adapters::app::Registry;
use ewokiss_adapters::certificate_app::CertificateSettings;
use ewokiss_adapters::documents::Documents;
use ewokiss_adapters::dynamo::trainings::{get_training, update_training};
use ewokiss_adapters::queue::Queue;
use ewokiss_domain::ids::TrainingId;
use ewokiss_domain::training::Phase;
use serde_json::{json, Value};

use crate::helpers::{id, TestApp};
use crate::trainings::{persons, recruiting_training};

async fn generator(app: &TestApp) -> Generator {
    let sdk = ewokiss_adapters::config::aws_sdk_config().await;
    Generator {
        registry: Registry::new(app.table.clone()),
        documents: Documents::new(&sdk, &std::env::var("DOCUMENTS_BUCKET").unwrap()),
        queue: Queue::new(&sdk, &std::env::var("CERTIFICATE_QUEUE_URL").unwrap()),
        settings: CertificateSettings::from_env().unwrap(),
    }
}

/// Runs the function on the queued messages naming `needle` (a training or a person), every
/// message delivered twice, until the queue holds none of them; others' stay visible for them.
async fn run_generator(app: &TestApp, needle: &str) {
    let sdk = ewokiss_adapters::config::aws_sdk_config().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let url = std::env::var("CERTIFICATE_QUEUE_URL").unwrap();
    let generator = generator(app).await;
    // The queue is shared with every other test (trainings completed, persons renamed), so
    // what one receive returns is hidden for a few seconds: the next receive sees further
    // messages, and another test's messages come back for it. A training's message fans out
    // into one per attendee, which another test's receive may hide for its visibility timeout
    // (3 s): stop once ours were handled and none came for longer than that.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let quiet = std::time::Duration::from_millis(3500);
    let mut handled = 0;
    let mut last_ours = std::time::Instant::now();
    while handled == 0 || last_ours.elapsed() < quiet {
        assert!(std::time::Instant::now() < deadline, "no certificate message for {needle} within 60 s");
        let received = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .visibility_timeout(3)
            .send()
            .await
            .unwrap();
        let ours: Vec<_> = received
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.body().unwrap_or_default().contains(needle))
            .collect();
        if ours.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            continue;
        }
        last_ours = std::time::Instant::now();
        handled += ours.len();
        let records: Vec<Value> = ours
            .iter()
            .map(|m| json!({"messageId": m.message_id(), "receiptHandle": m.receipt_handle(), "body": m.body(), "eventSource": "aws:sqs"}))
            .collect();
        let event: SqsEvent = serde_json::from_value(json!({ "Records": records })).unwrap();
        for m in &ours {
            sqs.delete_message().queue_url(&url).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
        }
        let (first, second) =
            tokio::join!(Box::pin(handle(&generator, event.clone())), Box::pin(handle(&generator, event)));
        assert!(first.batch_item_failures.is_empty() && second.batch_item_failures.is_empty());
    }
}

/// A training in powiat units A and B that took place yesterday: A's three persons present,
/// B's one absent; completed through the API. Returns (training id, A's persons, B's person, A, B).
async fn completed_training(app: &TestApp, staff: &str) -> (String, Vec<String>, String, String, String) {
    let unit_a = id(&app.unit(staff, "Gmina Zaświadczeń").await);
    let unit_b = id(&app.unit(staff, "Gmina Obca").await);
    let training = recruiting_training(app, staff, 10, json!({})).await;
    let tid = id(&training);
    let people = persons(app, staff, &unit_a, 3).await;
    let absent = persons(app, staff, &unit_b, 1).await.remove(0);
    let mut all = people.clone();
    all.push(absent.clone());
    app.staff("POST", &format!("/trainings/{tid}/enrolments"), Some(staff), Some(json!({"personIds": all})))
        .await
        .expect(200);
    let training_id = TrainingId::parse(&tid).unwrap();
    let before = get_training(&app.table, training_id).await.unwrap().unwrap();
    let mut after = before.clone();
    after.sessions[0].date = ewokiss_domain::time::today() - chrono::Duration::days(1);
    after.phase = Phase::Running;
    after.version += 1;
    update_training(&app.table, &before, &after, None).await.unwrap();
    for person in &all {
        let body = json!({"personId": person, "session": 0, "present": *person != absent});
        app.staff("POST", &format!("/trainings/{tid}/attendance"), Some(staff), Some(body)).await.expect(200);
    }
    app.staff("POST", &format!("/trainings/{tid}/phase"), Some(staff), Some(json!({"to": "completed"})))
        .await
        .expect(200);
    (tid, people, absent, unit_a, unit_b)
}

async fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn a_completed_training_gives_one_certificate_per_attendee_however_often_it_is_processed() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let (tid, present, absent, unit_a, unit_b) = completed_training(&app, &staff).await;
    // The completion queued the training; staff queueing it again changes nothing.
    app.staff("POST", &format!("/trainings/{tid}/certificates"), Some(&staff), None).await.expect(200);
    run_generator(&app, &tid).await;

    let list = app.staff("GET", &format!("/trainings/{tid}/certificates"), Some(&staff), None).await.expect(200);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 3, "three present, one absent");
    assert!(list.iter().all(|c| c["personId"] != absent.as_str() && c["status"] == "issued"));
    let mut numbers: Vec<String> = list.iter().map(|c| c["number"].as_str().unwrap().to_owned()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 3, "distinct numbers");

    // Exactly three PDFs, each naming its holder.
    let sdk = ewokiss_adapters::config::aws_sdk_config().await;
    let documents = Documents::new(&sdk, &std::env::var("DOCUMENTS_BUCKET").unwrap());
    for certificate in &list {
        let key = format!(
            "certificates/{}/{:06}/{}-v1.pdf",
            &certificate["number"].as_str().unwrap()[11..],
            certificate["number"].as_str().unwrap()[4..10].parse::<u32>().unwrap(),
            certificate["id"].as_str().unwrap()
        );
        let bytes = documents.get(&key).await.unwrap();
        pdf_text(&bytes).await;
    }

    // The e-mails went through the outbox: the notifications function sends one per holder.
    // Their ids derive from (kind, enrolment, person, version).
    let mut ours = Vec::new();
    for certificate in &list {
        let expected = ewokiss_domain::notification::Notification::new(
            ewokiss_domain::notification::NotificationKind::CertificateIssued,
            TrainingId::parse(&tid).unwrap(),
            ewokiss_domain::ids::EnrolmentId::parse(certificate["enrolmentId"].as_str().unwrap()).unwrap(),
            ewokiss_domain::ids::PersonId::parse(certificate["personId"].as_str().unwrap()).unwrap(),
            1,
            ewokiss_domain::history::UserRef { id: "t".into(), name: "t".into() },
            chrono::Utc::now(),
        );
        ours.push(
            ewokiss_adapters::dynamo::outbox::get(&app.table, expected.id).await.unwrap().expect("queued e-mail"),
        );
    }
    assert_eq!(ours.len(), 3);
    let notifier = notifications::Notifier {
        table: app.table.clone(),
        mailer: ewokiss_adapters::mail::Mailer::new(&sdk, "e-WOKiSS <szkolenia@wokiss.pl>".into(), None),
        copy_unit_admin: false,
        certificates: CertificateSettings::from_env().unwrap(),
    };
    let mut links = Vec::new();
    for notification in &ours {
        let outcome = notifier.send(notification.id).await.unwrap();
        assert!(matches!(outcome, notifications::Outcome::Sent(_)), "{outcome:?}");
        let person =
            app.staff("GET", &format!("/persons/{}", notification.person_id), Some(&staff), None).await.expect(200);
        let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap();
        let data: Value = reqwest::get(format!("{endpoint}/moto-api/data.json")).await.unwrap().json().await.unwrap();
        let mail = data["ses"]["Message"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|m| m["destinations"]["ToAddresses"][0] == person["email"])
            .unwrap()
            .clone();
        // The HTML body escapes the URL's characters (as it must); a mail client reads them back.
        let body = mail["body"].as_str().unwrap().replace("&#x2f;", "/").replace("&#x3d;", "=").replace("&amp;", "&");
        let link = body.split("href=\"").find(|part| part.contains("certificates/download")).unwrap();
        links.push(link.split('"').next().unwrap().to_owned());
    }

    // The e-mailed link answers with a redirect to the PDF, without logging in.
    let token = links[0].split("token=").nth(1).unwrap().to_owned();
    let redirect = app.extranet("GET", &format!("/public/certificates/download?token={token}"), None, None).await;
    assert_eq!(redirect.status, 302);
    // One character of the signature changed (to one it is not), so the bytes really differ.
    let middle = token.len() / 2;
    let swapped = if &token[middle..=middle] == "A" { "B" } else { "A" };
    let tampered = format!("{}{swapped}{}", &token[..middle], &token[middle + 1..]);
    let refused = app.extranet("GET", &format!("/public/certificates/download?token={tampered}"), None, None).await;
    assert_eq!(refused.status, 400);

    // Verification confirms a real code (number, holder, training — nothing more).
    let code = list[0]["code"].as_str().unwrap();
    let verified = app.extranet("GET", &format!("/public/certificates/verify/{code}"), None, None).await.expect(200);
    assert_eq!(verified["number"], list[0]["number"]);
    assert!(verified.get("personId").is_none() && verified.get("unitId").is_none());
    app.extranet("GET", "/public/certificates/verify/ABCD-EFGH-JKMN", None, None).await.expect(404);

    // Unit A's administrator sees A's three and zips them; B's administrator gets none of them.
    let admin_a = app.user("unit-admin", Some(&unit_a), None).await;
    let admin_b = app.user("unit-admin", Some(&unit_b), None).await;
    let seen = app.extranet("GET", &format!("/certificates?trainingId={tid}"), Some(&admin_a), None).await.expect(200);
    assert_eq!(seen.as_array().unwrap().len(), 3);
    let zip =
        app.extranet("GET", &format!("/trainings/{tid}/certificates.zip"), Some(&admin_a), None).await.expect(200);
    let bytes = reqwest::get(zip["url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    let archive = zip_entries(&bytes);
    assert_eq!(archive, 3);
    let none = app.extranet("GET", &format!("/certificates?trainingId={tid}"), Some(&admin_b), None).await.expect(200);
    assert!(none.as_array().unwrap().is_empty());
    let certificate_id = list[0]["id"].as_str().unwrap();
    app.extranet("GET", &format!("/certificates/{certificate_id}/download"), Some(&admin_b), None).await.expect(404);
    app.extranet("GET", &format!("/trainings/{tid}/certificates.zip"), Some(&admin_b), None).await.expect(404);
    // The holder downloads their own; a participant of another person gets nothing.
    let holder = list[0]["personId"].as_str().unwrap();
    let participant = app.user("participant", Some(&unit_a), Some(holder)).await;
    let own = app.extranet("GET", "/certificates", Some(&participant), None).await.expect(200);
    assert_eq!(own.as_array().unwrap().len(), 1);
    app.extranet("GET", &format!("/certificates/{certificate_id}/download"), Some(&participant), None)
        .await
        .expect(200);
    let other = present.iter().find(|p| p.as_str() != holder).unwrap();
    let stranger = app.user("participant", Some(&unit_a), Some(other)).await;
    app.extranet("GET", &format!("/certificates/{certificate_id}/download"), Some(&stranger), None).await.expect(404);
}

fn zip_entries(bytes: &[u8]) -> usize {
    // Count local file headers (PK\x03\x04): the archive is stored, so headers are plain.
    bytes.windows(4).filter(|w| *w == [0x50, 0x4b, 0x03, 0x04]).count()
}

#[tokio::test]
async fn a_name_correction_is_a_new_version_with_the_same_number() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let (tid, present, _, unit_a, _) = completed_training(&app, &staff).await;
    run_generator(&app, &tid).await;
    let list = app.staff("GET", &format!("/persons/{}/certificates", present[0]), Some(&staff), None).await.expect(200);
    let first = list[0].clone();
    let cid = first["id"].as_str().unwrap();
    // Unchanged name: nothing to correct.
    app.staff("POST", &format!("/certificates/{cid}/corrections"), Some(&staff), None).await.expect(422);
    // Staff correct the person's name: the certificate follows by itself.
    let person = app.staff("GET", &format!("/persons/{}", present[0]), Some(&staff), None).await.expect(200);
    let edit = json!({"lastName": "Nowakowska-Źrebięta", "version": person["version"]});
    app.staff("PATCH", &format!("/persons/{}", present[0]), Some(&staff), Some(edit)).await.expect(200);
    run_generator(&app, &present[0]).await;
    let corrected = app.staff("GET", &format!("/certificates/{cid}"), Some(&staff), None).await.expect(200);
    assert_eq!(corrected["version"], 2);
    assert_eq!(corrected["status"], "issued");
    assert_eq!(corrected["number"], first["number"]);
    assert_eq!(corrected["code"], first["code"]);
    assert!(corrected["holderName"].as_str().unwrap().ends_with("Nowakowska-Źrebięta"));
    let versions = app.staff("GET", &format!("/certificates/{cid}/versions"), Some(&staff), None).await.expect(200);
    assert_eq!(versions.as_array().unwrap().len(), 2, "the history keeps both");
    assert_eq!(versions[0]["holderName"], first["holderName"]);
    // Each version keeps its own PDF: version 1's is still there, under its own name.
    let old =
        app.staff("GET", &format!("/certificates/{cid}/versions/1/download"), Some(&staff), None).await.expect(200);
    let current =
        app.staff("GET", &format!("/certificates/{cid}/versions/2/download"), Some(&staff), None).await.expect(200);
    assert!(old["fileName"].as_str().unwrap().ends_with("-wersja-1.pdf"), "{old}");
    assert_eq!(
        current["fileName"],
        app.staff("GET", &format!("/certificates/{cid}/download"), Some(&staff), None).await.expect(200)["fileName"]
    );
    let old_pdf = reqwest::get(old["url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    let current_pdf = reqwest::get(current["url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    assert!(old_pdf.starts_with(b"%PDF") && current_pdf.starts_with(b"%PDF"));
    assert_ne!(old_pdf, current_pdf, "two files, not one");
    app.staff("GET", &format!("/certificates/{cid}/versions/3/download"), Some(&staff), None).await.expect(404);
    app.staff("GET", &format!("/certificates/{cid}/versions/x/download"), Some(&staff), None).await.expect(400);
    let code = first["code"].as_str().unwrap();
    let verified = app.extranet("GET", &format!("/public/certificates/verify/{code}"), None, None).await.expect(200);
    assert_eq!(verified["holderName"], corrected["holderName"]);
    // Redelivered, it changes nothing.
    app.staff("POST", &format!("/certificates/{cid}/corrections"), Some(&staff), None).await.expect(422);

    // The unit's administrator corrects another holder's name in the extranet: the same.
    let admin = app.user("unit-admin", Some(&unit_a), None).await;
    let other = &present[1];
    let before = app.staff("GET", &format!("/persons/{other}/certificates"), Some(&staff), None).await.expect(200);
    let person = app.extranet("GET", &format!("/persons/{other}"), Some(&admin), None).await.expect(200);
    let edit = json!({"firstName": "Łucja", "version": person["version"]});
    app.extranet("PATCH", &format!("/persons/{other}"), Some(&admin), Some(edit)).await.expect(200);
    run_generator(&app, other).await;
    let after = app.staff("GET", &format!("/persons/{other}/certificates"), Some(&staff), None).await.expect(200);
    assert_eq!(after[0]["id"], before[0]["id"]);
    assert_eq!(after[0]["version"], 2);
    assert_eq!(after[0]["number"], before[0]["number"]);
    assert!(after[0]["holderName"].as_str().unwrap().starts_with("Łucja "), "{}", after[0]);
}
