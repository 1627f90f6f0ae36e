//! The unit boundary: an administrator reaches the own unit and its sub-units only; a
//! participant only the own record. Every extranet endpoint is tried with another unit's ids.

use serde_json::json;

use crate::helpers::{id, unique_email, TestApp};

#[tokio::test]
async fn an_administrator_cannot_touch_another_units_persons() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit_a = id(&app.unit(&staff, "Gmina A").await);
    let unit_b = id(&app.unit(&staff, "Gmina B").await);
    let person_b = id(&app.person(&staff, &unit_b, "Barbara", "Bączkowska").await);
    let admin_a = app.user("unit-admin", Some(&unit_a), None).await;
    let a = Some(admin_a.as_str());

    // Reading, by id or by listing: 404, existence not revealed.
    assert_eq!(app.extranet("GET", &format!("/persons/{person_b}"), a, None).await.status, 404);
    assert_eq!(app.extranet("GET", &format!("/persons/{person_b}/employments"), a, None).await.status, 404);
    assert_eq!(app.extranet("GET", &format!("/persons?unitId={unit_b}"), a, None).await.status, 404);
    // Changing: 404 as well, and nothing changes.
    let edit = json!({"phone": "600 000 001", "version": 1});
    assert_eq!(app.extranet("PATCH", &format!("/persons/{person_b}"), a, Some(edit)).await.status, 404);
    assert_eq!(app.extranet("POST", &format!("/persons/{person_b}/leave"), a, Some(json!({}))).await.status, 404);
    assert_eq!(
        app.extranet("POST", &format!("/persons/{person_b}/move"), a, Some(json!({"unitId": unit_a}))).await.status,
        404
    );
    let still = app.staff("GET", &format!("/persons/{person_b}"), Some(&staff), None).await.expect(200);
    assert_eq!(still["version"], 1);
    assert_eq!(still["status"], "active");

    // Creating a person in unit B, or moving an own person to unit B: refused.
    let create = json!({"firstName": "Adam", "lastName": "Obcy", "unitId": unit_b});
    let refused = app.extranet("POST", "/persons", a, Some(create)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.fields(), ["unitId"]);
    let own = app
        .extranet(
            "POST",
            "/persons",
            a,
            Some(json!({"firstName": "Adam", "lastName": "Swój", "email": unique_email()})),
        )
        .await
        .expect(201);
    let moved = app.extranet("POST", &format!("/persons/{}/move", id(&own)), a, Some(json!({"unitId": unit_b}))).await;
    assert_eq!(moved.status, 422);
    assert_eq!(moved.fields(), ["unitId"]);
    // And B's list never shows up in A's.
    let listed = app.extranet("GET", "/persons", a, None).await.expect(200);
    assert!(listed["items"].as_array().unwrap().iter().all(|p| p["unitId"] == unit_a.as_str()));
}

#[tokio::test]
async fn an_administrator_manages_the_own_subtree() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let gmina = id(&app.unit(&staff, "Gmina Drzewo").await);
    let school = id(&app.sub_unit(&staff, &gmina, "Szkoła Podstawowa").await);
    let admin = app.user("unit-admin", Some(&gmina), None).await;
    let a = Some(admin.as_str());

    let me = app.extranet("GET", "/me", a, None).await.expect(200);
    assert_eq!(me["unit"]["id"], gmina.as_str());
    assert_eq!(me["subUnits"][0]["id"], school.as_str());

    let teacher = app
        .extranet(
            "POST",
            "/persons",
            a,
            Some(json!({"firstName": "Łucja", "lastName": "Nauczycielska", "unitId": school, "email": unique_email()})),
        )
        .await
        .expect(201);
    let clerk = app
        .extranet("POST", "/persons", a, Some(json!({"firstName": "Jan", "lastName": "Urzędniczy"})))
        .await
        .expect(201);
    assert_eq!(clerk["unitId"], gmina.as_str());
    // The whole subtree by default, one unit when asked.
    let all = app.extranet("GET", "/persons", a, None).await.expect(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let school_only = app.extranet("GET", &format!("/persons?unitId={school}"), a, None).await.expect(200);
    assert_eq!(school_only["items"][0]["id"], teacher["id"]);
    // The school's administrator does not reach the gmina above it.
    let school_admin = app.user("unit-admin", Some(&school), None).await;
    assert_eq!(app.extranet("GET", &format!("/persons/{}", id(&clerk)), Some(&school_admin), None).await.status, 404);
    assert_eq!(app.extranet("GET", &format!("/persons/{}", id(&teacher)), Some(&school_admin), None).await.status, 200);
}

#[tokio::test]
async fn a_participant_sees_and_edits_only_the_own_record() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Uczestnicka").await);
    let me = app.person(&staff, &unit, "Zofia", "Uczestniczka").await;
    let colleague = app.person(&staff, &unit, "Jerzy", "Kolega").await;
    let participant = app.user("participant", Some(&unit), Some(&id(&me))).await;
    let p = Some(participant.as_str());

    let own = app.extranet("GET", "/me", p, None).await.expect(200);
    assert_eq!(own["person"]["id"], me["id"]);
    assert_eq!(app.extranet("GET", &format!("/persons/{}", id(&me)), p, None).await.status, 200);
    assert_eq!(app.extranet("GET", &format!("/persons/{}", id(&colleague)), p, None).await.status, 404);
    assert_eq!(app.extranet("GET", "/persons", p, None).await.status, 403);
    assert_eq!(app.extranet("POST", "/persons", p, Some(json!({"firstName": "X", "lastName": "Y"}))).await.status, 403);
    assert_eq!(app.extranet("POST", &format!("/persons/{}/leave", id(&me)), p, None).await.status, 403);

    // Own phone: yes. Own e-mail (the login identity): no.
    let phone = app
        .extranet("PATCH", &format!("/persons/{}", id(&me)), p, Some(json!({"phone": "+48 600 700 800", "version": 1})))
        .await
        .expect(200);
    assert_eq!(phone["phone"], "+48 600 700 800");
    let email = app
        .extranet("PATCH", &format!("/persons/{}", id(&me)), p, Some(json!({"email": unique_email(), "version": 2})))
        .await;
    assert_eq!(email.status, 422);
    assert_eq!(email.fields(), ["email"]);
    let colleague_edit = json!({"phone": "600 000 002", "version": 1});
    assert_eq!(
        app.extranet("PATCH", &format!("/persons/{}", id(&colleague)), p, Some(colleague_edit)).await.status,
        404
    );
}
