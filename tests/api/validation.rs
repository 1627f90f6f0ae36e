//! Bad input: a 400/422 naming each field in Polish and English, never a 500, nothing stored.

use serde_json::json;

use crate::helpers::{id, TestApp};

#[tokio::test]
async fn invalid_values_are_named_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let name = format!("Gmina Błędna {}", crate::helpers::short_id());
    let body = json!({"kind": "gmina_wiejska", "name": name, "nip": "123-456-78-90", "regon": "123456789", "teryt": "3099999", "email": "nie-email", "address": {"postalCode": "6-2035"}});
    let refused = app.staff("POST", "/units", Some(&staff), Some(body)).await;
    assert_eq!(refused.status, 422);
    let mut fields = refused.fields();
    fields.sort();
    assert_eq!(fields, ["address.postalCode", "email", "nip", "regon", "teryt"]);
    for field in refused.body["fields"].as_array().unwrap() {
        assert!(!field["pl"].as_str().unwrap().is_empty() && !field["en"].as_str().unwrap().is_empty());
        assert_ne!(field["pl"], field["en"]);
    }
    let search = app
        .staff("GET", &format!("/search?q={}", name.split(' ').nth(2).unwrap()), Some(&staff), None)
        .await
        .expect(200);
    assert!(search["units"].as_array().unwrap().is_empty(), "a refused unit leaves no trace");
}

#[tokio::test]
async fn malformed_requests_get_400_with_the_field() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let not_json = app.staff_raw("POST", "/units", &staff, "{\"name\": ".into()).await;
    assert_eq!(not_json.status, 400);
    assert_eq!(not_json.body["fields"][0]["code"], "invalid_json");
    let wrong_type = app.staff("POST", "/units", Some(&staff), Some(json!({"kind": "inna", "name": 42}))).await;
    assert_eq!(wrong_type.status, 400);
    assert_eq!(wrong_type.fields(), ["name"]);
    let nested = app
        .staff(
            "POST",
            "/units",
            Some(&staff),
            Some(json!({"kind": "inna", "name": "X", "address": {"city": ["Poznań"]}})),
        )
        .await;
    assert_eq!(nested.fields(), ["address.city"]);
    let unknown = app
        .staff("POST", "/persons", Some(&staff), Some(json!({"firstName": "A", "lastName": "B", "salary": 1})))
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.body["fields"][0]["code"], "unknown_field");
    let empty = app.staff_raw("POST", "/persons", &staff, String::new()).await;
    assert_eq!(empty.status, 400);
    let huge = app.staff_raw("POST", "/units", &staff, format!("{{\"name\": \"{}\"}}", "x".repeat(70_000))).await;
    assert_eq!(huge.status, 413);
    assert_eq!(app.staff("GET", "/units/not-a-uuid", Some(&staff), None).await.status, 400);
    assert_eq!(app.staff("GET", &format!("/units/{}", uuid::Uuid::new_v4()), Some(&staff), None).await.status, 404);
    assert_eq!(app.staff("GET", &format!("/persons/{}", uuid::Uuid::new_v4()), Some(&staff), None).await.status, 404);
    assert_eq!(app.staff("GET", "/units?cursor=garbage", Some(&staff), None).await.status, 400);
    assert_eq!(app.staff("GET", "/units?limit=1000", Some(&staff), None).await.status, 400);
    assert_eq!(app.staff("DELETE", "/units", Some(&staff), None).await.status, 405);
    assert_eq!(app.staff("GET", "/nowhere", Some(&staff), None).await.status, 404);
}

#[tokio::test]
async fn paging_walks_a_list_with_cursors() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Stronicowana").await);
    for n in 0..5 {
        app.person(&staff, &unit, "Osoba", &format!("Numer{}", ["a", "b", "c", "d", "e"][n])).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/units/{unit}/persons?limit=2&cursor={c}"),
            None => format!("/units/{unit}/persons?limit=2"),
        };
        let page = app.staff("GET", &path, Some(&staff), None).await.expect(200);
        seen.extend(page["items"].as_array().unwrap().iter().map(|p| p["lastName"].as_str().unwrap().to_owned()));
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["Numera", "Numerb", "Numerc", "Numerd", "Numere"]);
    // A cursor of one list is not accepted by another.
    let other = id(&app.unit(&staff, "Gmina Inna").await);
    let first = app.staff("GET", &format!("/units/{unit}/persons?limit=2"), Some(&staff), None).await.expect(200);
    let foreign = app
        .staff("GET", &format!("/units/{other}/persons?cursor={}", first["next"].as_str().unwrap()), Some(&staff), None)
        .await;
    assert_eq!(foreign.status, 400);
}
