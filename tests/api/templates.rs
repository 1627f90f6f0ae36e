//! Editable notification templates: checked at save time, used by the sender.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn staff_edit_a_template_checked_at_save_time_and_reset_it() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let list = app.staff("GET", "/notification-templates", Some(&staff), None).await.expect(200);
    let substituted = list.as_array().unwrap().iter().find(|t| t["kind"] == "substituted").unwrap().clone();
    assert_eq!(substituted["custom"], false);
    assert!(substituted["preview"]["subject"].as_str().unwrap().contains("Zamówienia publiczne w praktyce"));
    assert!(substituted["placeholders"].as_array().unwrap().iter().any(|p| p["name"] == "training.title"));

    // An unknown placeholder is refused when saving, naming the part.
    let broken = json!({"subject": "Zapis: {{ training.cena }}", "text": "x", "html": "<p>x</p>", "version": 0});
    let refused = app.staff("PUT", "/notification-templates/substituted", Some(&staff), Some(broken)).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.fields(), ["subject"]);
    let preview = app
        .staff(
            "POST",
            "/notification-templates/preview",
            Some(&staff),
            Some(json!({"subject": "{% if %}", "text": "x", "html": "x"})),
        )
        .await;
    assert_eq!(preview.status, 422);

    let custom = json!({"subject": "Jesteś zapisana/y: {{ training.title }}", "text": "Dzień dobry {{ person.first_name }}!", "html": "<p>Dzień dobry {{ person.first_name }}!</p>", "version": 0});
    let saved =
        app.staff("PUT", "/notification-templates/substituted", Some(&staff), Some(custom.clone())).await.expect(200);
    assert_eq!(saved["custom"], true);
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["preview"]["subject"], "Jesteś zapisana/y: Zamówienia publiczne w praktyce");
    // Saving again from the old version is a conflict, not a lost update.
    assert_eq!(app.staff("PUT", "/notification-templates/substituted", Some(&staff), Some(custom)).await.status, 409);
    let (in_force, _) = ewokiss_adapters::template_app::template_in_force(
        &app.table,
        ewokiss_domain::notification::NotificationKind::Substituted,
    )
    .await
    .unwrap();
    assert_eq!(in_force.subject, "Jesteś zapisana/y: {{ training.title }}");

    let reset = app.staff("DELETE", "/notification-templates/substituted", Some(&staff), None).await.expect(200);
    assert_eq!(reset["custom"], false);
    let admin = app.user("unit-admin", Some(&uuid::Uuid::new_v4().to_string()), None).await;
    assert_eq!(app.staff("GET", "/notification-templates", Some(&admin), None).await.status, 403);
    assert_eq!(app.staff("PUT", "/notification-templates/nonsense", Some(&staff), Some(json!({}))).await.status, 404);
}
