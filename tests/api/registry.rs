//! Units, search, contact history and tasks through the staff API; DynamoDB calls counted.

use serde_json::json;

use crate::helpers::{id, letters_id, TestApp};

#[tokio::test]
async fn search_ignores_case_and_polish_diacritics() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let tag = letters_id();
    let unit = app
        .staff(
            "POST",
            "/units",
            Some(&staff),
            Some(json!({"kind": "inna", "name": format!("Łódzkie Stowarzyszenie Gmin {tag}")})),
        )
        .await
        .expect(201);
    let person = app.person(&staff, &id(&unit), "Stanisław", &format!("Żółkiewski-{tag}")).await;

    let found = app.staff("GET", &format!("/search?q=zolkiewski-{tag}"), Some(&staff), None).await.expect(200);
    assert!(found["persons"].as_array().unwrap().iter().any(|p| p["id"] == person["id"]));
    let prefix = app.staff("GET", "/search?q=ZOLK", Some(&staff), None).await.expect(200);
    assert!(prefix["persons"].as_array().unwrap().iter().any(|p| p["id"] == person["id"]));
    // Several words: each must start a word of the name, in any order.
    let two_words = app.staff("GET", &format!("/search?q=stan%20{tag}"), Some(&staff), None).await.expect(200);
    assert_eq!(two_words["persons"].as_array().unwrap().len(), 1);
    let units = app.staff("GET", &format!("/search?q=lodzkie%20{tag}"), Some(&staff), None).await.expect(200);
    assert_eq!(units["units"][0]["id"], unit["id"]);
    // A renamed person is found by the new name only.
    let edit = json!({"lastName": format!("Wiśniowiecki-{tag}"), "version": 1});
    app.staff("PATCH", &format!("/persons/{}", id(&person)), Some(&staff), Some(edit)).await.expect(200);
    let old = app.staff("GET", &format!("/search?q=zolkiewski-{tag}"), Some(&staff), None).await.expect(200);
    assert!(old["persons"].as_array().unwrap().is_empty());
    let new = app.staff("GET", &format!("/search?q=wisniowiecki-{tag}"), Some(&staff), None).await.expect(200);
    assert_eq!(new["persons"][0]["label"], format!("Stanisław Wiśniowiecki-{tag}"));
    // Too short a query is a clear 422.
    let short = app.staff("GET", "/search?q=z", Some(&staff), None).await;
    assert_eq!(short.status, 422);
    assert_eq!(short.fields(), ["q"]);
}

#[tokio::test]
async fn units_form_a_tree_and_are_filtered() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let gmina = app
        .staff(
            "POST",
            "/units",
            Some(&staff),
            Some(json!({"kind": "gmina_miejsko_wiejska", "name": "Gmina Kórnik", "teryt": "3021093", "nip": "777-000-19-67", "memberSince": "1991-01-01", "address": {"postalCode": "62035", "city": "Kórnik"}})),
        )
        .await
        .expect(201);
    assert_eq!(gmina["powiatTeryt"], "3021");
    assert_eq!(gmina["isMember"], true);
    assert_eq!(gmina["address"]["postalCode"], "62-035");
    // The TERYT code identifies one unit only.
    let again = app
        .staff(
            "POST",
            "/units",
            Some(&staff),
            Some(json!({"kind": "gmina_miejsko_wiejska", "name": "Kórnik bis", "teryt": "3021093"})),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["duplicates"][0]["unitId"], gmina["id"]);

    let school = app.sub_unit(&staff, &id(&gmina), "Szkoła Podstawowa nr 1 w Kórniku").await;
    assert_eq!(school["powiatTeryt"], "3021");
    let children = app.staff("GET", &format!("/units/{}/children", id(&gmina)), Some(&staff), None).await.expect(200);
    assert_eq!(children[0]["id"], school["id"]);

    let in_powiat = app
        .staff("GET", "/units?powiat=3021&kind=gmina_miejsko_wiejska&member=true", Some(&staff), None)
        .await
        .expect(200);
    assert!(in_powiat["items"].as_array().unwrap().iter().any(|u| u["id"] == gmina["id"]));
    let non_members = app.staff("GET", "/units?powiat=3021&member=false", Some(&staff), None).await.expect(200);
    assert!(non_members["items"].as_array().unwrap().iter().all(|u| u["id"] != gmina["id"]));
    assert_eq!(app.staff("GET", "/units?powiat=9999", Some(&staff), None).await.status, 400);

    // Membership ends: the audit trail shows before and after.
    let edit = json!({"memberUntil": "2020-12-31", "version": 1});
    let ended = app.staff("PATCH", &format!("/units/{}", id(&gmina)), Some(&staff), Some(edit)).await.expect(200);
    assert_eq!(ended["isMember"], false);
    let audit = app.staff("GET", &format!("/units/{}/audit", id(&gmina)), Some(&staff), None).await.expect(200);
    assert_eq!(audit["items"][0]["changes"], json!([{"field": "memberUntil", "before": null, "after": "2020-12-31"}]));
}

#[tokio::test]
async fn contact_history_links_units_persons_and_tasks() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    app.staff("GET", "/me", Some(&staff), None).await.expect(200);
    let unit = id(&app.unit(&staff, "Gmina Historyczna").await);
    let person = id(&app.person(&staff, &unit, "Halina", "Kontaktowa").await);

    let call =
        json!({"kind": "call", "subject": "Pytanie o szkolenie", "body": "Oddzwonić jutro.", "personIds": [person]});
    let event = app.staff("POST", &format!("/units/{unit}/history"), Some(&staff), Some(call)).await.expect(201);
    let note = json!({"kind": "note", "subject": "Nowy numer telefonu"});
    app.staff("POST", &format!("/persons/{person}/history"), Some(&staff), Some(note)).await.expect(201);

    let unit_history = app.staff("GET", &format!("/units/{unit}/history"), Some(&staff), None).await.expect(200);
    let subjects: Vec<_> =
        unit_history["items"].as_array().unwrap().iter().map(|e| e["subject"].as_str().unwrap().to_owned()).collect();
    assert_eq!(subjects, ["Nowy numer telefonu", "Pytanie o szkolenie"], "newest first, person events included");
    let person_history = app.staff("GET", &format!("/persons/{person}/history"), Some(&staff), None).await.expect(200);
    assert_eq!(person_history["items"].as_array().unwrap().len(), 2);
    assert_eq!(person_history["items"][1]["id"], event["id"]);

    // A person of another unit cannot be attached to this unit's event.
    let other_unit = id(&app.unit(&staff, "Gmina Obca").await);
    let stranger = id(&app.person(&staff, &other_unit, "Obcy", "Człowiek").await);
    let wrong = json!({"kind": "meeting", "subject": "x", "personIds": [stranger]});
    let refused = app.staff("POST", &format!("/units/{unit}/history"), Some(&staff), Some(wrong)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.fields(), ["personIds[0]"]);

    // A task linked to the unit, assigned to me, then done.
    let task = json!({"title": "Wysłać ofertę", "dueOn": "2026-12-15", "assigneeId": "me", "links": [{"kind": "unit", "id": unit}]});
    let task = app.staff("POST", "/tasks", Some(&staff), Some(task)).await.expect(201);
    let mine = app.staff("GET", "/tasks?assignee=me&status=open", Some(&staff), None).await.expect(200);
    assert_eq!(mine["items"][0]["id"], task["id"]);
    let on_unit = app.staff("GET", &format!("/units/{unit}/tasks"), Some(&staff), None).await.expect(200);
    assert_eq!(on_unit[0]["links"][0]["label"], task["links"][0]["label"]);
    app.staff("PATCH", &format!("/tasks/{}", id(&task)), Some(&staff), Some(json!({"status": "done", "version": 1})))
        .await
        .expect(200);
    let open = app.staff("GET", "/tasks?assignee=me&status=open", Some(&staff), None).await.expect(200);
    assert!(open["items"].as_array().unwrap().is_empty());
    let on_unit = app.staff("GET", &format!("/units/{unit}/tasks"), Some(&staff), None).await.expect(200);
    assert_eq!(on_unit[0]["status"], "done");
    let users = app.staff("GET", "/users", Some(&staff), None).await.expect(200);
    assert!(users.as_array().unwrap().iter().any(|u| u["name"] == "Test staff"));
}

/// Every read path costs at most three DynamoDB calls (counted by the client's interceptor).
#[tokio::test]
async fn read_paths_cost_at_most_three_dynamodb_calls() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Oszczędna").await);
    let person = id(&app.person(&staff, &unit, "Tadeusz", "Liczący").await);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let staff_paths = [
        "/units".to_owned(),
        format!("/units/{unit}"),
        format!("/units/{unit}/children"),
        format!("/units/{unit}/persons"),
        format!("/units/{unit}/history"),
        format!("/units/{unit}/audit"),
        format!("/units/{unit}/tasks"),
        format!("/persons/{person}"),
        format!("/persons/{person}/employments"),
        format!("/persons/{person}/history"),
        "/search?q=liczacy".to_owned(),
        "/tasks".to_owned(),
    ];
    let participant = app.user("participant", Some(&unit), Some(&person)).await;
    let mut measured = Vec::new();
    for path in &staff_paths {
        let before = app.table.calls.total();
        app.staff("GET", path, Some(&staff), None).await.expect(200);
        measured.push((format!("GET /api/staff{path}"), app.table.calls.total() - before));
    }
    for (who, token, path) in [
        ("admin", &admin, "/me".to_owned()),
        ("admin", &admin, "/persons".to_owned()),
        ("admin", &admin, format!("/persons/{person}")),
        ("participant", &participant, "/me".to_owned()),
    ] {
        let before = app.table.calls.total();
        app.extranet("GET", &path, Some(token), None).await.expect(200);
        measured.push((format!("GET /api/extranet{path} ({who})"), app.table.calls.total() - before));
    }
    if std::env::var_os("EWOKISS_PRINT_CALLS").is_some() {
        println!("| request path | DynamoDB calls |\n| --- | ---: |");
        for (path, calls) in &measured {
            let path = path.replace(&unit, "{unit}").replace(&person, "{person}");
            println!("| {path} | {calls} |");
        }
    }
    for (path, calls) in measured {
        assert!(calls <= 3, "{path} made {calls} DynamoDB calls");
    }
}
