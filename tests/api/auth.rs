//! Token verification with real tokens from the emulator's Cognito.

use base64::Engine;
use serde_json::json;

use crate::helpers::TestApp;

fn b64(value: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused_with_401() {
    let app = TestApp::spawn().await;
    assert_eq!(app.staff("GET", "/units", None, None).await.status, 401);
    assert_eq!(app.extranet("GET", "/me", None, None).await.status, 401);
    assert_eq!(app.staff("GET", "/units", Some("not-a-jwt"), None).await.status, 401);

    let token = app.staff_token().await;
    assert_eq!(app.staff("GET", "/units", Some(&token), None).await.status, 200);

    // The same token with its payload changed (groups widened) no longer verifies.
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["cognito:groups"] = json!(["staff", "unit-admin"]);
    let tampered = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
    assert_eq!(app.staff("GET", "/units", Some(&tampered), None).await.status, 401);

    // An unsigned token ("alg": "none") and a symmetric one are refused: RS256 only.
    let none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), parts[1]);
    assert_eq!(app.staff("GET", "/units", Some(&none), None).await.status, 401);
    let hs256 = format!("{}.{}.{}", b64(&json!({"alg": "HS256", "typ": "JWT", "kid": "dummy"})), parts[1], parts[2]);
    assert_eq!(app.staff("GET", "/units", Some(&hs256), None).await.status, 401);
}

#[tokio::test]
async fn a_token_for_another_audience_or_issuer_is_refused() {
    let app = TestApp::spawn().await;
    let token = app.staff_token().await;
    let parts: Vec<&str> = token.split('.').collect();
    let payload: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    // The signature covers the claims, so a changed `aud`/`iss` fails on the signature even
    // before the audience check; both must end in 401.
    for (claim, value) in
        [("aud", "another-client"), ("iss", "https://cognito-idp.eu-central-1.amazonaws.com/other-pool")]
    {
        let mut changed = payload.clone();
        changed[claim] = json!(value);
        let forged = format!("{}.{}.{}", parts[0], b64(&changed), parts[2]);
        assert_eq!(app.staff("GET", "/units", Some(&forged), None).await.status, 401, "{claim}");
    }
}

#[tokio::test]
async fn roles_are_kept_apart() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = app.unit(&staff, "Gmina Rolowa").await;
    let unit_id = unit["id"].as_str().unwrap();
    let admin = app.user("unit-admin", Some(unit_id), None).await;
    // The staff CRM is closed to administrators; the extranet to staff.
    assert_eq!(app.staff("GET", "/units", Some(&admin), None).await.status, 403);
    assert_eq!(app.staff("GET", &format!("/units/{unit_id}"), Some(&admin), None).await.status, 403);
    assert_eq!(app.extranet("GET", "/me", Some(&staff), None).await.status, 403);
    // A token without a known group, or an administrator without a unit claim, is refused.
    let nobody = app.user("participant", None, None).await;
    assert_eq!(app.extranet("GET", "/me", Some(&nobody), None).await.status, 403);
    let admin_without_unit = app.user("unit-admin", None, None).await;
    assert_eq!(app.extranet("GET", "/persons", Some(&admin_without_unit), None).await.status, 403);
}

/// Every staff endpoint refuses an administrator's and a participant's token.
#[tokio::test]
async fn every_staff_endpoint_refuses_other_roles() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = crate::helpers::id(&app.unit(&staff, "Gmina Zamknięta").await);
    let person = crate::helpers::id(&app.person(&staff, &unit, "Ewa", "Chroniona").await);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let participant = app.user("participant", Some(&unit), Some(&person)).await;
    let task = uuid::Uuid::new_v4();
    let routes = [
        ("GET", "/me".to_owned()),
        ("GET", "/users".to_owned()),
        ("GET", "/powiaty".to_owned()),
        ("GET", "/units".to_owned()),
        ("POST", "/units".to_owned()),
        ("GET", format!("/units/{unit}")),
        ("PATCH", format!("/units/{unit}")),
        ("GET", format!("/units/{unit}/children")),
        ("GET", format!("/units/{unit}/persons")),
        ("GET", format!("/units/{unit}/history")),
        ("POST", format!("/units/{unit}/history")),
        ("GET", format!("/units/{unit}/tasks")),
        ("GET", format!("/units/{unit}/audit")),
        ("POST", "/persons".to_owned()),
        ("GET", format!("/persons/{person}")),
        ("PATCH", format!("/persons/{person}")),
        ("POST", format!("/persons/{person}/leave")),
        ("POST", format!("/persons/{person}/move")),
        ("GET", format!("/persons/{person}/employments")),
        ("GET", format!("/persons/{person}/history")),
        ("POST", format!("/persons/{person}/history")),
        ("GET", format!("/persons/{person}/audit")),
        ("GET", format!("/persons/{person}/tasks")),
        ("GET", "/search?q=ewa".to_owned()),
        ("GET", "/tasks".to_owned()),
        ("POST", "/tasks".to_owned()),
        ("PATCH", format!("/tasks/{task}")),
        ("GET", format!("/certificates/{task}/versions/1/download")),
    ];
    for token in [&admin, &participant] {
        for (method, path) in &routes {
            let response = app.staff(method, path, Some(token), Some(json!({}))).await;
            assert_eq!(response.status, 403, "{method} /api/staff{path}");
        }
    }
    let unchanged = app.staff("GET", &format!("/persons/{person}"), Some(&staff), None).await.expect(200);
    assert_eq!(unchanged["version"], 1);
}
