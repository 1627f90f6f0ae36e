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
