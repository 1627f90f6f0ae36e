//! The daily training run against the emulator: reminders and go/no-go tasks, once each
//! however often the run is repeated.

use chrono::Duration;
use ewokiss_adapters::dynamo::registry::tasks_of_object;
use ewokiss_adapters::dynamo::trainings::pending_notifications;
use ewokiss_domain::history::ObjectKind;
use ewokiss_domain::notification::NotificationKind;
use serde_json::json;
use training_schedule::{RunInput, Schedule};

use crate::helpers::{id, unique_email, TestApp};

#[tokio::test]
async fn reminders_and_go_no_go_tasks_are_created_once() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Przypominana").await);
    let person = app
        .staff(
            "POST",
            "/persons",
            Some(&staff),
            Some(json!({"firstName": "Irena", "lastName": "Pamiętliwa", "email": unique_email(), "unitId": unit})),
        )
        .await
        .expect(201);
    let venue = app.staff("POST", "/venues", Some(&staff), Some(json!({"name": "Sala B", "capacity": 20, "latitude": "52.4", "longitude": "16.9", "address": {"city": "Poznań"}}))).await.expect(201);
    let today = ewokiss_domain::time::today();
    let start = today + Duration::days(2);
    let training = app
        .staff("POST", "/trainings", Some(&staff), Some(json!({"kind": "EDU-OPEN", "title": "Kodeks postępowania administracyjnego", "sessions": [{"date": start.to_string(), "start": "09:00", "end": "13:00"}], "venueId": venue["id"], "capacity": 20, "minParticipants": 5, "priceNet": "200", "vat": "zw"})))
        .await
        .expect(201);
    let tid = id(&training);
    app.staff("POST", &format!("/trainings/{tid}/phase"), Some(&staff), Some(json!({"to": "recruiting"})))
        .await
        .expect(200);
    app.staff("POST", &format!("/trainings/{tid}/enrolments"), Some(&staff), Some(json!({"personIds": [id(&person)]})))
        .await
        .expect(200);

    let schedule = Schedule { table: app.table.clone(), reminder_days: 2 };
    let first = schedule.run(RunInput { today: Some(today) }).await.unwrap();
    assert!(first.reminders_created >= 1);
    assert!(first.tasks_created >= 1);
    let again = schedule.run(RunInput { today: Some(today) }).await.unwrap();
    assert_eq!(again.reminders_created, 0, "a repeated run reminds nobody twice");
    assert_eq!(again.tasks_created, 0);

    let reminders: Vec<_> = pending_notifications(&app.table, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.training_id.to_string() == tid && n.kind == NotificationKind::Reminder)
        .collect();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].person_id.to_string(), id(&person));
    let tasks = tasks_of_object(&app.table, ObjectKind::Training, &tid).await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0].title.contains("Zapisanych 1 przy minimum 5"), "{}", tasks[0].title);
    assert_eq!(tasks[0].due_on, Some(start - Duration::days(1)));
    // The owner (the staff member who created the training) sees it among their open tasks.
    let mine = app.staff("GET", "/tasks?assignee=me&status=open", Some(&staff), None).await.expect(200);
    assert!(mine["items"].as_array().unwrap().iter().any(|t| t["id"] == tasks[0].id.to_string()));
}
