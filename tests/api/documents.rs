//! Document templates (checked at save time, previewed as PDF, used by the generators) and the
//! documents staff generate: a contract with a gapless number, letters, a settlement's
//! statement — each a PDF in the documents bucket, linked to its objects, in their history.

use base64::Engine;
use ewokiss_adapters::document_app::document_template_in_force;
use ewokiss_adapters::dynamo::numbering;
use ewokiss_domain::documents::DocumentKind;
use futures::future::join_all;
use serde_json::{json, Value};

use crate::billing::completed_training;
use crate::helpers::{id, short_id, TestApp};
use crate::trainings::persons;

/// The text layer of a PDF (what a viewer selects and searches), with every run of white space
/// (line wraps, no-break spaces in amounts) as one space.
fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let text = pdf_extract::extract_text_from_mem(bytes).expect("the PDF's text can be extracted");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The stored PDF of a document record, read back from the bucket.
async fn stored_pdf(app: &TestApp, document: &Value) -> Vec<u8> {
    let key = document["storageKey"].as_str().expect("a storage key");
    app.staff.documents.get(key).await.expect("the PDF is in the bucket")
}

/// A unit with an address, as a contract needs one.
async fn unit_with_address(app: &TestApp, staff: &str, prefix: &str) -> Value {
    let body = json!({"kind": "inna", "name": format!("{prefix} {}", short_id()),
        "address": {"street": "ul. Szkolna 13", "postalCode": "62-002", "city": "Suchy Las"}});
    app.staff("POST", "/units", Some(staff), Some(body)).await.expect(201)
}

async fn contract_of(app: &TestApp, staff: &str, unit: &Value, subject: &str) -> String {
    let body = json!({"unitId": unit["id"], "subject": subject, "start": "2026-02-01", "cycle": "quarterly",
        "timing": "advance", "priceNet": "3 600,00", "vat": "zw"});
    let created = app.staff("POST", "/contracts", Some(staff), Some(body)).await.expect(201);
    created["contract"]["id"].as_str().unwrap().to_owned()
}

fn token() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn staff_edit_document_templates_checked_at_save_time_previewed_as_pdf_and_used_by_generators() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let list = app.staff("GET", "/document-templates", Some(&staff), None).await.expect(200);
    let slots = list.as_array().unwrap();
    let kinds: Vec<(&str, Option<&str>)> =
        slots.iter().map(|s| (s["kind"].as_str().unwrap(), s["trainingKind"].as_str())).collect();
    for kind in ["letter", "contract", "settlement_statement"] {
        assert!(kinds.contains(&(kind, None)), "{kind}");
    }
    assert!(kinds.contains(&("certificate", None)) && kinds.contains(&("certificate", Some("LEX-SEMINAR"))));
    let contract = slots.iter().find(|s| s["kind"] == "contract").unwrap();
    assert!(contract["placeholders"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "unit.name" && p["sample"] == "Gmina Suchy Las"));
    assert!(contract["template"]["body"].as_str().unwrap().contains("{{ contract.number }}"));

    // Refused at save time, naming the field: an unknown placeholder, then a markup mistake.
    let unknown = json!({"title": "Umowa {{ contract.number }}", "body": "Strona: {{ unit.nazwa }}", "version": 0});
    let refused = app.staff("PUT", "/document-templates/contract", Some(&staff), Some(unknown)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.fields(), ["body"]);
    assert_eq!(refused.body["fields"][0]["code"], "unknown_placeholder");
    assert!(refused.body["fields"][0]["pl"].as_str().unwrap().contains("unit.nazwa"));
    let qr_in_contract = json!({"title": "Umowa", "body": "[[qr]]", "version": 0});
    let refused = app.staff("PUT", "/document-templates/contract", Some(&staff), Some(qr_in_contract)).await;
    assert_eq!((refused.status, refused.fields()), (422, vec!["body".to_owned()]));
    let syntax = json!({"title": "{% if %}", "body": "x", "version": 0});
    let refused = app.staff("PUT", "/document-templates/letter", Some(&staff), Some(syntax)).await;
    assert_eq!((refused.status, refused.fields()), (422, vec!["title".to_owned()]));
    let any = json!({"title": "x", "body": "x", "version": 0});
    let refused =
        app.staff("PUT", "/document-templates/certificate?trainingKind=NOPE", Some(&staff), Some(any.clone())).await;
    assert_eq!((refused.status, refused.fields()), (422, vec!["trainingKind".to_owned()]));
    let refused =
        app.staff("PUT", "/document-templates/letter?trainingKind=LEX-SEMINAR", Some(&staff), Some(any.clone())).await;
    assert_eq!((refused.status, refused.fields()), (422, vec!["trainingKind".to_owned()]));
    assert_eq!(app.staff("PUT", "/document-templates/invoice", Some(&staff), Some(any)).await.status, 404);

    // The live preview: the draft rendered with the samples, a real PDF.
    let draft = json!({"kind": "contract", "title": "Umowa {{ contract.number }} – {{ unit.name }}",
        "body": "# UMOWA nr {{ contract.number }}\nzawarta z **{{ unit.name }}**, ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"});
    let preview = app.staff("POST", "/document-templates/preview", Some(&staff), Some(draft)).await.expect(200);
    let pdf = base64::engine::general_purpose::STANDARD.decode(preview["pdfBase64"].as_str().unwrap()).unwrap();
    assert_eq!(preview["sizeBytes"].as_u64().unwrap() as usize, pdf.len());
    assert_eq!(preview["title"], "Umowa UM/0017/2026 – Gmina Suchy Las");
    let text = pdf_text(&pdf);
    assert!(text.contains("UMOWA nr UM/0017/2026") && text.contains("Gmina Suchy Las"), "{text}");
    assert!(text.contains("ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"), "{text}");
    let bad = json!({"kind": "letter", "title": "x", "body": "{{ letter.temat }}"});
    let refused = app.staff("POST", "/document-templates/preview", Some(&staff), Some(bad)).await;
    assert_eq!((refused.status, refused.fields()), (422, vec!["body".to_owned()]));
    let refused = app.staff("POST", "/document-templates/preview", Some(&staff), Some(json!({"title": "x"}))).await;
    assert_eq!((refused.status, refused.fields()), (422, vec!["kind".to_owned()]));
    // The default templates preview too, and stay well under the response limits.
    for slot in slots {
        let body = json!({"kind": slot["kind"], "title": slot["template"]["title"], "body": slot["template"]["body"]});
        let preview = app.staff("POST", "/document-templates/preview", Some(&staff), Some(body)).await.expect(200);
        assert!(preview["sizeBytes"].as_u64().unwrap() < 100_000, "{}: {}", slot["kind"], preview["sizeBytes"]);
    }

    // A certificate template of one training kind: saved, in force for that kind only; a
    // second save from the old version is a conflict; deleting it restores the default.
    let mut lex =
        slots.iter().find(|s| s["kind"] == "certificate" && s["trainingKind"] == "LEX-SEMINAR").unwrap().clone();
    assert_eq!((lex["custom"].as_bool(), lex["version"].as_u64()), (Some(false), Some(0)));
    let body =
        lex["template"]["body"].as_str().unwrap().replace("ZAŚWIADCZENIE", "ZAŚWIADCZENIE O UDZIALE W SEMINARIUM");
    lex = json!({"title": lex["template"]["title"], "body": body, "version": 0});
    let path = "/document-templates/certificate?trainingKind=LEX-SEMINAR";
    let saved = app.staff("PUT", path, Some(&staff), Some(lex.clone())).await.expect(200);
    assert_eq!((saved["custom"].as_bool(), saved["version"].as_u64()), (Some(true), Some(1)));
    assert_eq!(saved["updatedBy"]["name"], "Test staff");
    assert_eq!(app.staff("PUT", path, Some(&staff), Some(lex)).await.status, 409);
    let in_force =
        document_template_in_force(&app.table, DocumentKind::Certificate, Some("LEX-SEMINAR")).await.unwrap();
    assert!(in_force.body.contains("O UDZIALE W SEMINARIUM"));
    assert_eq!(in_force.training_kind.as_deref(), Some("LEX-SEMINAR"));
    let other = document_template_in_force(&app.table, DocumentKind::Certificate, Some("EDU-OPEN")).await.unwrap();
    assert_eq!(other, ewokiss_domain::documents::default_template(DocumentKind::Certificate));
    let reset = app.staff("DELETE", path, Some(&staff), None).await.expect(200);
    assert_eq!((reset["custom"].as_bool(), reset["version"].as_u64()), (Some(false), Some(0)));
    let after = document_template_in_force(&app.table, DocumentKind::Certificate, Some("LEX-SEMINAR")).await.unwrap();
    assert!(!after.body.contains("O UDZIALE W SEMINARIUM"));
}

#[tokio::test]
async fn a_contract_for_a_unit_gets_a_gapless_number_a_stored_pdf_a_history_entry_and_a_download_link() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = unit_with_address(&app, &staff, "Gmina Umowna Żółkiewo").await;
    let (unit_id, unit_name) = (id(&unit), unit["name"].as_str().unwrap().to_owned());
    let contract = contract_of(&app, &staff, &unit, "Stała obsługa prawna").await;
    let path = format!("/units/{unit_id}/documents/contract");

    let first_token = token();
    let body = json!({"contractId": contract, "representedBy": "Grzegorz Wójcik – Wójt Gminy", "signedOn": "2026-02-02",
        "clientToken": first_token});
    let made = app.staff("POST", &path, Some(&staff), Some(body.clone())).await.expect(201);
    assert_eq!(made["created"], true);
    let document = made["document"].clone();
    let number = document["number"].as_str().unwrap().to_owned();
    let year = chrono::Datelike::year(&ewokiss_domain::time::today());
    assert!(number.starts_with("UM/") && number.ends_with(&format!("/{year}")) && number.len() == 12, "{number}");
    assert_eq!(document["kind"], "contract");
    assert_eq!(document["title"], format!("Umowa {number} – {unit_name}"));
    assert_eq!(document["links"][0]["kind"], "unit");
    assert_eq!(document["links"][0]["id"], unit_id.as_str());
    assert_eq!(document["contractId"], contract.as_str());

    // The PDF is in the bucket with the unit's data and the contract's terms in its text.
    let pdf = stored_pdf(&app, &document).await;
    assert_eq!(document["sizeBytes"].as_u64().unwrap() as usize, pdf.len());
    let text = pdf_text(&pdf);
    for expected in [
        unit_name.as_str(),
        number.as_str(),
        "ul. Szkolna 13",
        "62-002 Suchy Las",
        "Grzegorz Wójcik",
        "Stała obsługa prawna",
        "02.02.2026",
        "kwartał",
    ] {
        assert!(text.contains(expected), "{expected} missing from: {text}");
    }

    // The same request again (a retry): the same document, nothing new.
    let again = app.staff("POST", &path, Some(&staff), Some(body)).await.expect(200);
    assert_eq!((again["created"].as_bool(), again["document"]["id"].clone()), (Some(false), document["id"].clone()));
    // A new document of the same contract keeps its number.
    let second = json!({"contractId": contract, "clientToken": token()});
    let regenerated = app.staff("POST", &path, Some(&staff), Some(second)).await.expect(201);
    assert_eq!(regenerated["document"]["number"], number.as_str());
    assert_ne!(regenerated["document"]["id"], document["id"]);

    // Listed on the unit, newest first; one history entry per document, linking the document.
    let listed = app.staff("GET", &format!("/units/{unit_id}/documents"), Some(&staff), None).await.expect(200);
    let ids: Vec<&Value> = listed["items"].as_array().unwrap().iter().map(|d| &d["id"]).collect();
    assert_eq!(ids, [&regenerated["document"]["id"], &document["id"]]);
    let history = app.staff("GET", &format!("/units/{unit_id}/history"), Some(&staff), None).await.expect(200);
    let entries: Vec<&Value> =
        history["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "document").collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["subject"], format!("Umowa: Umowa {number} – {unit_name}"));
    assert!(entries[1]["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["kind"] == "document" && l["id"] == document["id"]));

    // Downloaded through a 5-minute presigned link.
    let did = document["id"].as_str().unwrap();
    let link = app.staff("GET", &format!("/documents/{did}/download"), Some(&staff), None).await.expect(200);
    assert_eq!(link["expiresInSeconds"], 300);
    let url = link["url"].as_str().unwrap();
    assert!(url.contains("X-Amz-Expires=300") && url.contains("response-content-disposition"), "{url}");
    let fetched = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    assert_eq!(fetched.as_ref(), pdf.as_slice());
    assert_eq!(
        app.staff("GET", &format!("/documents/{}/download", uuid::Uuid::new_v4()), Some(&staff), None).await.status,
        404
    );

    // Two other contracts' first documents at the same moment: the next two numbers, no gap.
    let others = [
        unit_with_address(&app, &staff, "Gmina Umowna A").await,
        unit_with_address(&app, &staff, "Gmina Umowna B").await,
    ];
    let mut requests = Vec::new();
    for other in &others {
        let contract = contract_of(&app, &staff, other, "Szkolenia dla pracowników").await;
        requests.push((
            format!("/units/{}/documents/contract", id(other)),
            json!({"contractId": contract, "clientToken": token()}),
        ));
    }
    let made =
        join_all(requests.iter().map(|(path, body)| app.staff("POST", path, Some(&staff), Some(body.clone())))).await;
    let mut seqs: Vec<u32> = made
        .into_iter()
        .map(|r| r.expect(201)["document"]["number"].as_str().unwrap()[3..7].parse().unwrap())
        .collect();
    seqs.sort();
    let last = numbering::last_number(&app.table, "UM", year).await.unwrap();
    assert_eq!(seqs[1], seqs[0] + 1);
    assert!(seqs[0] > number[3..7].parse::<u32>().unwrap() && seqs[1] <= last);

    // Bad input names the field; a token that made another document is a conflict.
    let other_units_contract = contract_of(&app, &staff, &others[0], "Cudza umowa").await;
    let refused = app.staff("POST", &path, Some(&staff), Some(json!({"contractId": other_units_contract}))).await;
    assert_eq!((refused.status, refused.fields()), (422, vec!["contractId".to_owned()]));
    let refused =
        app.staff("POST", &path, Some(&staff), Some(json!({"contractId": uuid::Uuid::new_v4().to_string()}))).await;
    assert_eq!((refused.status, refused.fields()), (422, vec!["contractId".to_owned()]));
    let refused = app.staff("POST", &path, Some(&staff), Some(json!({"signedOn": "jutro", "clientToken": "x"}))).await;
    assert_eq!(
        (refused.status, refused.fields()),
        (422, vec!["contractId".to_owned(), "signedOn".to_owned(), "clientToken".to_owned()])
    );
    let refused = app.staff("POST", &path, Some(&staff), Some(json!({"contractId": contract, "price": 1}))).await;
    assert_eq!((refused.status, refused.fields()), (400, vec!["price".to_owned()]));
    let reused = json!({"contractId": other_units_contract, "clientToken": first_token});
    let other_path = format!("/units/{}/documents/contract", id(&others[0]));
    assert_eq!(app.staff("POST", &other_path, Some(&staff), Some(reused)).await.status, 409);
    let missing_unit = format!("/units/{}/documents/contract", uuid::Uuid::new_v4());
    assert_eq!(app.staff("POST", &missing_unit, Some(&staff), Some(json!({"contractId": contract}))).await.status, 404);
}

#[tokio::test]
async fn letters_to_a_person_and_to_a_unit_are_stored_linked_and_in_both_histories() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = unit_with_address(&app, &staff, "Gmina Listowna").await;
    let person = app.person(&staff, &id(&unit), "Łucja", "Źrebiec").await;
    let (unit_id, person_id) = (id(&unit), id(&person));

    let body = json!({"subject": "Zaproszenie na szkolenia 2027", "body": "Uprzejmie zapraszamy.\n\nDrugi akapit: żółć.",
        "reference": "WOKiSS/PO/0042/2026", "signatory": "Joanna Kórnicka", "signatoryRole": "Dyrektor Biura",
        "clientToken": token()});
    let person_letters = format!("/persons/{person_id}/documents/letter");
    let made = app.staff("POST", &person_letters, Some(&staff), Some(body.clone())).await.expect(201);
    let letter = made["document"].clone();
    assert_eq!(letter["kind"], "letter");
    assert_eq!(letter["number"], "WOKiSS/PO/0042/2026");
    let linked: Vec<(&str, &str)> = letter["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["kind"].as_str().unwrap(), l["id"].as_str().unwrap()))
        .collect();
    assert_eq!(linked, [("person", person_id.as_str()), ("unit", unit_id.as_str())]);
    let text = pdf_text(&stored_pdf(&app, &letter).await);
    for expected in [
        "Łucja Źrebiec",
        unit["name"].as_str().unwrap(),
        "Zaproszenie na szkolenia 2027",
        "Drugi akapit: żółć.",
        "WOKiSS/PO/0042/2026",
        "Joanna Kórnicka",
    ] {
        assert!(text.contains(expected), "{expected} missing from: {text}");
    }
    let again = app.staff("POST", &person_letters, Some(&staff), Some(body)).await;
    assert_eq!(again.expect(200)["document"]["id"], letter["id"]);

    for (object, object_id) in [("persons", &person_id), ("units", &unit_id)] {
        let history = app.staff("GET", &format!("/{object}/{object_id}/history"), Some(&staff), None).await.expect(200);
        let entry = &history["items"][0];
        assert_eq!(entry["kind"], "document", "{object}");
        assert_eq!(entry["subject"], "Pismo: Zaproszenie na szkolenia 2027");
        let listed =
            app.staff("GET", &format!("/{object}/{object_id}/documents"), Some(&staff), None).await.expect(200);
        assert_eq!(listed["items"][0]["id"], letter["id"], "{object}");
    }

    // A letter to the unit itself; the signatory defaults to the staff member.
    let to_unit = json!({"subject": "Aktualizacja danych", "body": "Prosimy o aktualizację danych."});
    let made = app.staff("POST", &format!("/units/{unit_id}/documents/letter"), Some(&staff), Some(to_unit)).await;
    let unit_letter = made.expect(201)["document"].clone();
    assert_eq!(unit_letter["links"].as_array().unwrap().len(), 1);
    let text = pdf_text(&stored_pdf(&app, &unit_letter).await);
    assert!(text.contains("Test staff") && text.contains("Prosimy o aktualizację danych."), "{text}");
    let listed = app.staff("GET", &format!("/units/{unit_id}/documents"), Some(&staff), None).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);

    let refused = app.staff("POST", &format!("/units/{unit_id}/documents/letter"), Some(&staff), Some(json!({}))).await;
    assert_eq!((refused.status, refused.fields()), (422, vec!["subject".to_owned(), "body".to_owned()]));
    let long = json!({"subject": "x".repeat(201), "body": "b", "date": "2026-13-01"});
    let refused = app.staff("POST", &format!("/units/{unit_id}/documents/letter"), Some(&staff), Some(long)).await;
    assert_eq!((refused.status, refused.fields()), (422, vec!["subject".to_owned(), "date".to_owned()]));
    let nobody = format!("/persons/{}/documents/letter", uuid::Uuid::new_v4());
    assert_eq!(app.staff("POST", &nobody, Some(&staff), Some(json!({"subject": "a", "body": "b"}))).await.status, 404);
}

#[tokio::test]
async fn a_settlement_statement_lists_the_lines_and_totals_of_the_settlement() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = unit_with_address(&app, &staff, "Gmina Rozliczana Zestawieniem").await;
    let people = persons(&app, &staff, &id(&unit), 2).await;
    let training =
        completed_training(&app, &staff, &[(people[0].clone(), true), (people[1].clone(), true)], json!({})).await;
    app.staff("POST", "/settlements/settle", Some(&staff), Some(json!({"trainingId": training}))).await.expect(200);
    let of_unit = app.staff("GET", &format!("/units/{}/settlements", id(&unit)), Some(&staff), None).await.expect(200);
    let settlements = of_unit["settlements"].as_array().unwrap();
    let settlement = settlements.iter().find(|s| s["number"].is_string()).expect("an issued settlement").clone();
    assert_eq!(settlements.len(), 1, "one settlement of the unit: {of_unit}");
    let (sid, number) = (id(&settlement), settlement["number"].as_str().unwrap().to_owned());

    let made =
        app.staff("POST", &format!("/settlements/{sid}/documents/statement"), Some(&staff), None).await.expect(201);
    let statement = made["document"].clone();
    assert_eq!(
        (statement["kind"].as_str(), statement["number"].as_str()),
        (Some("settlement_statement"), Some(number.as_str()))
    );
    let linked: Vec<&str> =
        statement["links"].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(linked, ["settlement", "unit"]);
    let text = pdf_text(&stored_pdf(&app, &statement).await);
    assert!(
        text.contains(&number) && text.contains(unit["name"].as_str().unwrap()) && text.contains("Razem"),
        "{text}"
    );
    for line in settlement["lines"].as_array().unwrap() {
        // A wrapped table cell may be read back around its neighbours: the last word suffices.
        let last_name = line["description"].as_str().unwrap().split_whitespace().last().unwrap().to_owned();
        assert!(text.contains(&last_name), "{last_name} missing from: {text}");
    }
    let listed = app.staff("GET", &format!("/settlements/{sid}/documents"), Some(&staff), None).await.expect(200);
    assert_eq!(listed["items"][0]["id"], statement["id"]);
    let history = app.staff("GET", &format!("/units/{}/history", id(&unit)), Some(&staff), None).await.expect(200);
    assert!(history["items"].as_array().unwrap().iter().any(|e| e["kind"] == "document"
        && e["subject"] == format!("Zestawienie rozliczenia: {}", statement["title"].as_str().unwrap())));

    let statement_path = format!("/settlements/{sid}/documents/statement");
    let bad = app.staff("POST", &statement_path, Some(&staff), Some(json!({"clientToken": "?"}))).await;
    assert_eq!((bad.status, bad.fields()), (422, vec!["clientToken".to_owned()]));
    let missing = format!("/settlements/{}/documents/statement", uuid::Uuid::new_v4());
    assert_eq!(app.staff("POST", &missing, Some(&staff), None).await.status, 404);
}

#[tokio::test]
async fn only_staff_reach_document_templates_and_generated_documents() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = unit_with_address(&app, &staff, "Gmina Bez Dostępu").await;
    let person = app.person(&staff, &id(&unit), "Adam", "Zakazany").await;
    let letter = json!({"subject": "a", "body": "b"});
    let unit_letters = format!("/units/{}/documents/letter", id(&unit));
    let document =
        app.staff("POST", &unit_letters, Some(&staff), Some(letter.clone())).await.expect(201)["document"].clone();
    let did = document["id"].as_str().unwrap();
    let admin = app.user("unit-admin", Some(&id(&unit)), None).await;
    let participant = app.user("participant", Some(&id(&unit)), Some(&id(&person))).await;
    let template = json!({"title": "x", "body": "x", "version": 0});
    let preview = json!({"kind": "letter", "title": "x", "body": "x"});
    let requests: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/document-templates".into(), None),
        ("PUT", "/document-templates/letter".into(), Some(template)),
        ("DELETE", "/document-templates/letter".into(), None),
        ("POST", "/document-templates/preview".into(), Some(preview)),
        ("POST", format!("/units/{}/documents/letter", id(&unit)), Some(letter.clone())),
        ("POST", format!("/units/{}/documents/contract", id(&unit)), Some(json!({}))),
        ("POST", format!("/persons/{}/documents/letter", id(&person)), Some(letter)),
        ("GET", format!("/units/{}/documents", id(&unit)), None),
        ("GET", format!("/persons/{}/documents", id(&person)), None),
        ("GET", format!("/documents/{did}"), None),
        ("GET", format!("/documents/{did}/download"), None),
    ];
    for (method, path, body) in &requests {
        for (who, token) in [("unit-admin", &admin), ("participant", &participant)] {
            let response = app.staff(method, path, Some(token), body.clone()).await;
            assert_eq!(response.status, 403, "{who} {method} {path}");
        }
        assert_eq!(app.staff(method, path, None, body.clone()).await.status, 401, "anonymous {method} {path}");
    }
    // Nothing was made by the refused requests.
    let listed = app.staff("GET", &format!("/units/{}/documents", id(&unit)), Some(&staff), None).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}
