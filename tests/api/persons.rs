//! Persons: duplicates, e-mail uniqueness under concurrency, leaving, moving, audit trail, and
//! the extranet's changes being visible to staff at once.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{id, unique_email, TestApp};

#[tokio::test]
async fn an_email_is_held_by_one_active_person_even_under_concurrent_creates() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Współbieżna").await);
    let email = unique_email();
    let attempts = (0..12).map(|n| {
        let body = json!({"firstName": "Jan", "lastName": format!("Kowalski{}", ["", "ek", "ak"][n % 3]), "email": email.to_uppercase(), "unitId": unit, "confirmDuplicate": true});
        app.staff("POST", "/persons", Some(&staff), Some(body))
    });
    let results = join_all(attempts).await;
    let created: Vec<_> = results.iter().filter(|r| r.status == 201).collect();
    assert_eq!(created.len(), 1, "exactly one create wins");
    for refused in results.iter().filter(|r| r.status != 201) {
        assert_eq!(refused.status, 409);
        assert_eq!(refused.body["duplicates"][0]["kind"], "email");
        assert_eq!(refused.body["duplicates"][0]["personId"], created[0].body["id"]);
    }
    // Once the holder leaves, the address is free for a successor.
    let holder = id(&created[0].body);
    app.staff("POST", &format!("/persons/{holder}/leave"), Some(&staff), Some(json!({}))).await.expect(200);
    let successor = json!({"firstName": "Anna", "lastName": "Następczyni", "email": email, "unitId": unit});
    app.staff("POST", "/persons", Some(&staff), Some(successor)).await.expect(201);
}

#[tokio::test]
async fn same_name_in_the_unit_is_reported_and_may_be_confirmed() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Imienników").await);
    let first = app.person(&staff, &unit, "Jan", "Kowalski").await;
    // Case and diacritics do not hide a duplicate.
    let body = json!({"firstName": "JAN", "lastName": "kowalski", "unitId": unit});
    let duplicate = app.staff("POST", "/persons", Some(&staff), Some(body.clone())).await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.body["duplicates"][0]["kind"], "name");
    assert_eq!(duplicate.body["duplicates"][0]["personId"], first["id"]);
    assert_eq!(duplicate.body["duplicates"][0]["href"], format!("/persons/{}", id(&first)));
    let mut confirmed = body;
    confirmed["confirmDuplicate"] = json!(true);
    app.staff("POST", "/persons", Some(&staff), Some(confirmed)).await.expect(201);
}

#[tokio::test]
async fn an_administrators_new_employee_is_in_the_staff_crm_at_once_with_audit() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Aktualna").await);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let email = unique_email();
    let created = app
        .extranet("POST", "/persons", Some(&admin), Some(json!({"firstName": "Grażyna", "lastName": "Żółtowska", "position": "Skarbnik", "email": email, "phone": "61 817 04 11"})))
        .await
        .expect(201);
    let listed = app.staff("GET", &format!("/units/{unit}/persons"), Some(&staff), None).await.expect(200);
    assert!(listed["items"].as_array().unwrap().iter().any(|p| p["id"] == created["id"]));
    let card = app.staff("GET", &format!("/persons/{}", id(&created)), Some(&staff), None).await.expect(200);
    assert_eq!(card["phone"], "+48 618 170 411");
    assert_eq!(card["email"], email.as_str());

    // Who changed what: the administrator created, staff changed the phone.
    let edit = json!({"phone": "600 111 222", "version": 1});
    app.staff("PATCH", &format!("/persons/{}", id(&created)), Some(&staff), Some(edit)).await.expect(200);
    let audit = app.staff("GET", &format!("/persons/{}/audit", id(&created)), Some(&staff), None).await.expect(200);
    let entries = audit["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["action"], "update");
    assert_eq!(
        entries[0]["changes"],
        json!([{"field": "phone", "before": "+48 618 170 411", "after": "+48 600 111 222"}])
    );
    assert_eq!(entries[1]["action"], "create");
    assert_eq!(entries[1]["actor"]["name"], "Test unit-admin");
    // A stale version is refused and changes nothing.
    let stale = app
        .staff(
            "PATCH",
            &format!("/persons/{}", id(&created)),
            Some(&staff),
            Some(json!({"phone": "600 999 999", "version": 1})),
        )
        .await;
    assert_eq!(stale.status, 409);
    assert_eq!(stale.body["error"], "stale_version");
}

#[tokio::test]
async fn leaving_and_moving_keep_the_employment_history() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let gmina = id(&app.unit(&staff, "Gmina Ruchoma").await);
    let school = id(&app.sub_unit(&staff, &gmina, "Przedszkole").await);
    let admin = app.user("unit-admin", Some(&gmina), None).await;
    let person = app.person(&staff, &gmina, "Paweł", "Wędrowny").await;
    let pid = id(&person);

    let moved = app
        .extranet(
            "POST",
            &format!("/persons/{pid}/move"),
            Some(&admin),
            Some(json!({"unitId": school, "position": "Dyrektor"})),
        )
        .await
        .expect(200);
    assert_eq!(moved["unitId"], school.as_str());
    assert_eq!(moved["position"], "Dyrektor");
    let employments = app.staff("GET", &format!("/persons/{pid}/employments"), Some(&staff), None).await.expect(200);
    let employments = employments.as_array().unwrap();
    assert_eq!(employments.len(), 2);
    assert_eq!(employments[0]["unitId"], school.as_str());
    assert!(employments[0].get("until").is_none());
    assert_eq!(employments[1]["unitId"], gmina.as_str());
    assert!(employments[1]["until"].is_string());
    // The gmina's own list no longer has them; the school's does.
    let gmina_persons = app.staff("GET", &format!("/units/{gmina}/persons"), Some(&staff), None).await.expect(200);
    assert!(gmina_persons["items"].as_array().unwrap().iter().all(|p| p["id"] != pid.as_str()));
    let school_persons = app.staff("GET", &format!("/units/{school}/persons"), Some(&staff), None).await.expect(200);
    assert_eq!(school_persons["items"][0]["id"], pid.as_str());

    let left = app
        .extranet("POST", &format!("/persons/{pid}/leave"), Some(&admin), Some(json!({"on": "2026-12-31"})))
        .await
        .expect(200);
    assert_eq!(left["status"], "left");
    assert_eq!(left["leftOn"], "2026-12-31");
    // Twice is refused; former employees show only when asked.
    let again = app.extranet("POST", &format!("/persons/{pid}/leave"), Some(&admin), None).await;
    assert_eq!(again.status, 422);
    let active = app.staff("GET", &format!("/units/{school}/persons"), Some(&staff), None).await.expect(200);
    assert!(active["items"].as_array().unwrap().is_empty());
    let with_left =
        app.staff("GET", &format!("/units/{school}/persons?includeLeft=true"), Some(&staff), None).await.expect(200);
    assert_eq!(with_left["items"][0]["status"], "left");
    let employments = app.staff("GET", &format!("/persons/{pid}/employments"), Some(&staff), None).await.expect(200);
    assert_eq!(employments[0]["until"], "2026-12-31");
}

#[tokio::test]
async fn the_same_create_sent_twice_makes_one_person() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Powtórek").await);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let body = json!({"firstName": "Ewa", "lastName": "Podwójna", "email": unique_email()});
    app.extranet("POST", "/persons", Some(&admin), Some(body.clone())).await.expect(201);
    // A retried request (same e-mail) is recognised, not stored twice.
    let retry = app.extranet("POST", "/persons", Some(&admin), Some(body)).await;
    assert_eq!(retry.status, 409);
    let listed = app.extranet("GET", "/persons", Some(&admin), None).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}
