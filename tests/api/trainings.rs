//! Trainings and enrolment against the emulator: seats under concurrency, waiting list in
//! arrival order, promotion on cancellation, idempotent retries, the unit boundary.

use chrono::{Duration, Utc};
use futures::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{id, unique_email, TestApp};

/// A public training, recruiting, `capacity` seats, first session in 30 days.
pub(crate) async fn recruiting_training(app: &TestApp, staff: &str, capacity: u32, visibility: Value) -> Value {
    let venue = app
        .staff("POST", "/venues", Some(staff), Some(json!({"name": "Sala WOKiSS", "capacity": 200, "latitude": "52.406374", "longitude": "16.925168", "address": {"street": "ul. Wielka 1", "postalCode": "61-775", "city": "Poznań"}})))
        .await
        .expect(201);
    let day = (Utc::now() + Duration::days(30)).date_naive().to_string();
    let mut body = json!({
        "kind": "EDU-OPEN",
        "title": "Zamówienia publiczne w praktyce",
        "sessions": [{"date": day, "start": "09:00", "end": "15:00"}],
        "venueId": venue["id"],
        "capacity": capacity,
        "priceNet": "450,00",
        "vat": "zw",
    });
    for (key, value) in visibility.as_object().unwrap() {
        body[key] = value.clone();
    }
    let training = app.staff("POST", "/trainings", Some(staff), Some(body)).await.expect(201);
    app.staff("POST", &format!("/trainings/{}/phase", id(&training)), Some(staff), Some(json!({"to": "recruiting"})))
        .await
        .expect(200)
}

pub(crate) async fn persons(app: &TestApp, staff: &str, unit: &str, count: usize) -> Vec<String> {
    let creates = (0..count).map(|n| {
        let body = json!({"firstName": "Uczestnik", "lastName": format!("Kolejny{}", letters(n)), "unitId": unit, "email": unique_email()});
        app.staff("POST", "/persons", Some(staff), Some(body))
    });
    join_all(creates).await.into_iter().map(|r| id(&r.expect(201))).collect()
}

fn letters(mut n: usize) -> String {
    let mut out = String::new();
    loop {
        out.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return out;
        }
    }
}

#[tokio::test]
async fn concurrent_enrolments_never_overbook_and_queue_in_arrival_order() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Tłumna").await);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let training = recruiting_training(&app, &staff, 20, json!({})).await;
    let tid = id(&training);
    let people = persons(&app, &staff, &unit, 200).await;

    let path = format!("/trainings/{tid}/enrolments");
    let requests =
        people.iter().map(|person| app.extranet("POST", &path, Some(&admin), Some(json!({"personIds": [person]}))));
    let started = std::time::Instant::now();
    let responses = join_all(requests).await;
    if std::env::var_os("EWOKISS_PRINT_CALLS").is_some() {
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "| 200 concurrent enrolment requests, 20 seats | {seconds:.1} s | {:.0} enrolments/s |",
            200.0 / seconds
        );
    }
    let outcomes: Vec<String> =
        responses.into_iter().map(|r| r.expect(200)[0]["outcome"].as_str().unwrap().to_owned()).collect();
    assert_eq!(outcomes.iter().filter(|o| *o == "enrolled").count(), 20);
    assert_eq!(outcomes.iter().filter(|o| *o == "waitlisted").count(), 180);

    let card = app.staff("GET", &format!("/trainings/{tid}"), Some(&staff), None).await.expect(200);
    assert_eq!(card["seats"], json!({"capacity": 20, "taken": 20}));
    let enrolments = card["enrolments"].as_array().unwrap();
    assert_eq!(enrolments.iter().filter(|e| e["status"] == "enrolled").count(), 20);
    let mut seqs: Vec<u64> = enrolments.iter().filter_map(|e| e["waitlistSeq"].as_u64()).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 180, "every waiting place has its own arrival number");

    // Every request retried once changes nothing.
    let retries =
        people.iter().map(|person| app.extranet("POST", &path, Some(&admin), Some(json!({"personIds": [person]}))));
    for retry in join_all(retries).await {
        assert_eq!(retry.expect(200)[0]["outcome"], "already");
    }
    let again = app.staff("GET", &format!("/trainings/{tid}"), Some(&staff), None).await.expect(200);
    assert_eq!(again["seats"]["taken"], 20);
    assert_eq!(again["enrolments"].as_array().unwrap().len(), 200);
}

#[tokio::test]
async fn a_cancellation_promotes_the_first_on_the_waiting_list() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Rezerwowa").await);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let training = recruiting_training(&app, &staff, 1, json!({})).await;
    let tid = id(&training);
    let people = persons(&app, &staff, &unit, 3).await;
    // One by one: the arrival order is known.
    for person in &people {
        app.extranet(
            "POST",
            &format!("/trainings/{tid}/enrolments"),
            Some(&admin),
            Some(json!({"personIds": [person]})),
        )
        .await
        .expect(200);
    }
    let cancelled = app
        .extranet(
            "POST",
            &format!("/trainings/{tid}/enrolments/{}/cancel", people[0]),
            Some(&admin),
            Some(json!({"reason": "choroba"})),
        )
        .await
        .expect(200);
    assert_eq!(cancelled["status"], "cancelled");
    let card = app.staff("GET", &format!("/trainings/{tid}"), Some(&staff), None).await.expect(200);
    let status_of = |person: &str| {
        card["enrolments"].as_array().unwrap().iter().find(|e| e["personId"] == person).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(status_of(&people[1]), "enrolled", "the first in line takes the seat");
    assert_eq!(status_of(&people[2]), "waitlisted");
    assert_eq!(card["seats"]["taken"], 1);

    // Each step is in the outbox for the notification sender, once.
    let pending = ewokiss_adapters::dynamo::trainings::pending_notifications(&app.table, 1000).await.unwrap();
    let kinds_for = |person: &str| {
        pending
            .iter()
            .filter(|n| n.person_id.to_string() == person)
            .map(|n| format!("{:?}", n.kind))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds_for(&people[0]), ["Enrolled", "Cancelled"]);
    assert_eq!(kinds_for(&people[1]), ["Waitlisted", "Promoted"]);
    // And in the person's history.
    let history = app.staff("GET", &format!("/persons/{}/history", people[1]), Some(&staff), None).await.expect(200);
    assert_eq!(history["items"][0]["kind"], "enrolment");
    assert!(history["items"][0]["subject"].as_str().unwrap().starts_with("Przeniesienie z listy rezerwowej"));
    // Cancelling twice is refused.
    let twice =
        app.extranet("POST", &format!("/trainings/{tid}/enrolments/{}/cancel", people[0]), Some(&admin), None).await;
    assert_eq!(twice.status, 422);
}

#[tokio::test]
async fn enrolment_stays_within_the_unit_and_the_visibility() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit_a = id(&app.unit(&staff, "Gmina A").await);
    let unit_b = id(&app.unit(&staff, "Gmina B").await);
    let admin_a = app.user("unit-admin", Some(&unit_a), None).await;
    let admin_b = app.user("unit-admin", Some(&unit_b), None).await;
    let person_a = persons(&app, &staff, &unit_a, 1).await.remove(0);
    let person_b = persons(&app, &staff, &unit_b, 1).await.remove(0);
    let participant_a = app.user("participant", Some(&unit_a), Some(&person_a)).await;

    let closed_for_b =
        recruiting_training(&app, &staff, 10, json!({"visibility": "units", "visibleUnitIds": [unit_b]})).await;
    let closed = id(&closed_for_b);
    // A sees neither the training in the list nor by id, and cannot enrol into it.
    let offers = app.extranet("GET", "/trainings", Some(&admin_a), None).await.expect(200);
    assert!(offers.as_array().unwrap().iter().all(|t| t["id"] != closed.as_str()));
    assert_eq!(app.extranet("GET", &format!("/trainings/{closed}"), Some(&admin_a), None).await.status, 404);
    let refused = app
        .extranet(
            "POST",
            &format!("/trainings/{closed}/enrolments"),
            Some(&admin_a),
            Some(json!({"personIds": [person_a]})),
        )
        .await;
    assert_eq!(refused.status, 404);
    // B does.
    let offers_b = app.extranet("GET", "/trainings", Some(&admin_b), None).await.expect(200);
    assert!(offers_b.as_array().unwrap().iter().any(|t| t["id"] == closed.as_str()));

    let open = id(&recruiting_training(&app, &staff, 10, json!({})).await);
    // A cannot enrol B's person, nor cancel or see B's enrolment.
    let foreign = app
        .extranet(
            "POST",
            &format!("/trainings/{open}/enrolments"),
            Some(&admin_a),
            Some(json!({"personIds": [person_b]})),
        )
        .await
        .expect(200);
    assert_eq!(foreign[0]["outcome"], "refused");
    app.extranet(
        "POST",
        &format!("/trainings/{open}/enrolments"),
        Some(&admin_b),
        Some(json!({"personIds": [person_b]})),
    )
    .await
    .expect(200);
    assert_eq!(
        app.extranet("POST", &format!("/trainings/{open}/enrolments/{person_b}/cancel"), Some(&admin_a), None)
            .await
            .status,
        404
    );
    let listed = app.extranet("GET", "/enrolments", Some(&admin_a), None).await.expect(200);
    assert!(listed["items"].as_array().unwrap().is_empty());
    // A participant enrols themself, not a colleague.
    let own =
        app.extranet("POST", &format!("/trainings/{open}/enrolments"), Some(&participant_a), None).await.expect(200);
    assert_eq!(own[0]["outcome"], "enrolled");
    let other = app
        .extranet(
            "POST",
            &format!("/trainings/{open}/enrolments"),
            Some(&participant_a),
            Some(json!({"personIds": [person_b]})),
        )
        .await;
    assert_eq!(other.status, 403);
    let mine = app.extranet("GET", "/enrolments", Some(&participant_a), None).await.expect(200);
    assert_eq!(mine["items"][0]["trainingId"], open.as_str());
    // The administrator of A sees the participant's enrolment in the unit's list.
    let unit_list = app.extranet("GET", "/enrolments", Some(&admin_a), None).await.expect(200);
    assert_eq!(unit_list["items"][0]["personId"], person_a.as_str());
}

#[tokio::test]
async fn phases_follow_the_rules() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let draft = app
        .staff(
            "POST",
            "/trainings",
            Some(&staff),
            Some(json!({"kind": "EDU-OPEN", "title": "Bez terminu", "priceNet": "0", "vat": "zw"})),
        )
        .await
        .expect(201);
    assert_eq!(draft["phase"], "planned");
    // No recruiting without a date and a venue.
    let refused = app
        .staff("POST", &format!("/trainings/{}/phase", id(&draft)), Some(&staff), Some(json!({"to": "recruiting"})))
        .await;
    assert_eq!(refused.status, 422);
    // Skipping a phase is refused; cancelling is allowed and final.
    let skip = app
        .staff("POST", &format!("/trainings/{}/phase", id(&draft)), Some(&staff), Some(json!({"to": "completed"})))
        .await;
    assert_eq!(skip.status, 422);
    let cancelled = app
        .staff("POST", &format!("/trainings/{}/phase", id(&draft)), Some(&staff), Some(json!({"to": "cancelled"})))
        .await
        .expect(200);
    assert_eq!(cancelled["phase"], "cancelled");
    let history = app.staff("GET", &format!("/trainings/{}/history", id(&draft)), Some(&staff), None).await.expect(200);
    assert_eq!(history["items"][0]["subject"], "Zmiana fazy: planned → cancelled");
    let bad = app
        .staff(
            "POST",
            "/trainings",
            Some(&staff),
            Some(json!({"kind": "XYZ", "title": "", "priceNet": "abc", "vat": "17"})),
        )
        .await;
    assert_eq!(bad.status, 422);
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(fields, ["kind", "priceNet", "title", "vat"]);
}

/// DynamoDB calls of the enrolment paths, and the enrolment rate the local stack sustains
/// (printed for docs/BENCHMARKS.md with EWOKISS_PRINT_CALLS=1).
#[tokio::test]
async fn enrolment_paths_are_cheap() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Licząca").await);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let tid = id(&recruiting_training(&app, &staff, 1, json!({})).await);
    let people = persons(&app, &staff, &unit, 3).await;
    let enrol = format!("/trainings/{tid}/enrolments");
    let cancel = format!("/trainings/{tid}/enrolments/{}/cancel", people[0]);
    let steps = [
        ("POST enrolments (one person, a seat)", "POST", enrol.as_str(), Some(json!({"personIds": [people[0]]}))),
        ("POST enrolments (one person, waiting list)", "POST", enrol.as_str(), Some(json!({"personIds": [people[1]]}))),
        ("POST enrolments (repeated request)", "POST", enrol.as_str(), Some(json!({"personIds": [people[1]]}))),
        ("POST cancel (frees a seat, promotes the next)", "POST", cancel.as_str(), None),
        ("GET /api/extranet/trainings", "GET", "/trainings", None),
        ("GET /api/extranet/enrolments", "GET", "/enrolments", None),
    ];
    let mut measured = Vec::new();
    for (label, method, path, body) in steps {
        let before = app.table.calls.total();
        app.extranet(method, path, Some(&admin), body).await.expect(200);
        measured.push((label.to_owned(), app.table.calls.total() - before));
    }

    if std::env::var_os("EWOKISS_PRINT_CALLS").is_some() {
        println!("| enrolment path | DynamoDB calls |\n| --- | ---: |");
        for (label, calls) in &measured {
            println!("| {label} | {calls} |");
        }
    }
    // Writes read the training, the caller's unit and the person, then write in one transaction;
    // the waiting list also takes an arrival number; a cancellation also promotes.
    let limit = |label: &str| match label {
        l if l.starts_with("POST cancel") => 7,
        l if l.contains("waiting list") => 6,
        l if l.contains("repeated") => 5,
        l if l.starts_with("POST") => 4,
        _ => 3,
    };
    for (label, calls) in measured {
        assert!(calls <= limit(&label), "{label}: {calls} DynamoDB calls");
    }
}

#[tokio::test]
async fn an_administrator_hands_a_seat_to_a_colleague() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Zastępcza").await);
    let other_unit = id(&app.unit(&staff, "Gmina Obca").await);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let tid = id(&recruiting_training(&app, &staff, 5, json!({})).await);
    let people = persons(&app, &staff, &unit, 2).await;
    let stranger = persons(&app, &staff, &other_unit, 1).await.remove(0);
    app.extranet(
        "POST",
        &format!("/trainings/{tid}/enrolments"),
        Some(&admin),
        Some(json!({"personIds": [people[0]]})),
    )
    .await
    .expect(200);

    // Only a colleague of the same unit may take the seat.
    let refused = app
        .extranet(
            "POST",
            &format!("/trainings/{tid}/enrolments/{}/substitute", people[0]),
            Some(&admin),
            Some(json!({"personId": stranger})),
        )
        .await;
    assert_eq!(refused.status, 422);
    let swapped = app
        .extranet(
            "POST",
            &format!("/trainings/{tid}/enrolments/{}/substitute", people[0]),
            Some(&admin),
            Some(json!({"personId": people[1]})),
        )
        .await
        .expect(200);
    assert_eq!(swapped["personId"], people[1].as_str());
    assert_eq!(swapped["substitutedFrom"], people[0].as_str());

    let card = app.staff("GET", &format!("/trainings/{tid}"), Some(&staff), None).await.expect(200);
    let enrolments = card["enrolments"].as_array().unwrap();
    assert_eq!(enrolments.len(), 1, "the seat moved, it was not duplicated");
    assert_eq!(card["seats"]["taken"], 1);
    // Both persons' histories show the substitution.
    for person in &people {
        let history = app.staff("GET", &format!("/persons/{person}/history"), Some(&staff), None).await.expect(200);
        assert!(history["items"][0]["subject"].as_str().unwrap().starts_with("Zastępstwo za"), "{person}");
    }
}

#[tokio::test]
async fn lists_show_seats_trainings_and_the_units_yearly_count() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Statystyczna").await);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let training = recruiting_training(&app, &staff, 3, json!({})).await;
    let tid = id(&training);
    let people = persons(&app, &staff, &unit, 2).await;
    app.extranet("POST", &format!("/trainings/{tid}/enrolments"), Some(&admin), Some(json!({"personIds": people})))
        .await
        .expect(200);

    let offers = app.extranet("GET", "/trainings", Some(&admin), None).await.expect(200);
    let offer = offers.as_array().unwrap().iter().find(|t| t["id"] == tid.as_str()).expect("the training is offered");
    assert_eq!(offer["seats"], json!({"capacity": 3, "taken": 2}));
    let listed = app.extranet("GET", "/enrolments", Some(&admin), None).await.expect(200);
    assert_eq!(listed["items"][0]["training"]["title"], "Zamówienia publiczne w praktyce");
    assert!(listed["items"][0]["training"]["startsOn"].is_string());

    let stats = app.staff("GET", &format!("/units/{unit}/enrolments"), Some(&staff), None).await.expect(200);
    assert_eq!(stats["enrolments"].as_array().unwrap().len(), 2);
    let year = training["sessions"][0]["date"].as_str().unwrap()[..4].to_owned();
    assert_eq!(stats["perYear"][&year], 2);
    // Another unit's administrator gets nothing of it.
    let other = id(&app.unit(&staff, "Gmina Postronna").await);
    let outsider = app.user("unit-admin", Some(&other), None).await;
    let none = app.extranet("GET", "/enrolments", Some(&outsider), None).await.expect(200);
    assert!(none["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_unit_enrolments_export_opens_in_excel() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = id(&app.unit(&staff, "Gmina Eksportowa").await);
    let admin = app.user("unit-admin", Some(&unit), None).await;
    let tid = id(&recruiting_training(&app, &staff, 3, json!({})).await);
    let people = persons(&app, &staff, &unit, 1).await;
    app.extranet("POST", &format!("/trainings/{tid}/enrolments"), Some(&admin), Some(json!({"personIds": people})))
        .await
        .expect(200);
    let csv = app.extranet("GET", "/enrolments.csv", Some(&admin), None).await;
    assert_eq!(csv.status, 200);
    let text = csv.body.as_str().expect("CSV text");
    assert!(text.starts_with('\u{feff}'));
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "Osoba;Szkolenie;Od;Do;Miejsce;Status;Zapisano");
    assert!(lines[1].starts_with("Uczestnik Kolejny"), "{}", lines[1]);
    assert!(lines[1].contains(";Zamówienia publiczne w praktyce;"));
    assert!(lines[1].contains(";enrolled;"));
    assert_eq!(app.extranet("GET", "/enrolments.csv", None, None).await.status, 401);
}

/// Completion fixes each enrolment's final status and whether the unit pays. The training's
/// dates are moved into the past in the store first: completing needs its last day behind us.
#[tokio::test]
async fn completion_fixes_attendance_and_charges() {
    use ewokiss_adapters::dynamo::trainings::{get_training, update_training};
    use ewokiss_domain::ids::TrainingId;
    use ewokiss_domain::training::Phase;

    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let member = app
        .staff("POST", "/units", Some(&staff), Some(json!({"kind": "inna", "name": format!("Członek {}", crate::helpers::short_id()), "memberSince": "2000-01-01"})))
        .await
        .expect(201);
    let outsider = app.unit(&staff, "Niezrzeszona").await;
    let (member, outsider) = (id(&member), id(&outsider));
    let training = recruiting_training(&app, &staff, 10, json!({"membersFree": true})).await;
    let tid = id(&training);
    let mut people = persons(&app, &staff, &member, 2).await;
    people.extend(persons(&app, &staff, &outsider, 1).await);
    app.staff("POST", &format!("/trainings/{tid}/enrolments"), Some(&staff), Some(json!({"personIds": people})))
        .await
        .expect(200);

    // The training took place yesterday.
    let training_id = TrainingId::parse(&tid).unwrap();
    let before = get_training(&app.table, training_id).await.unwrap().unwrap();
    let mut after = before.clone();
    after.sessions[0].date = ewokiss_domain::time::today() - chrono::Duration::days(1);
    after.phase = Phase::Running;
    after.version += 1;
    update_training(&app.table, &before, &after, None).await.unwrap();

    // Completing before attendance is marked is refused.
    let early =
        app.staff("POST", &format!("/trainings/{tid}/phase"), Some(&staff), Some(json!({"to": "completed"}))).await;
    assert_eq!(early.status, 422);
    for (person, present) in [(&people[0], true), (&people[1], false), (&people[2], true)] {
        let body = json!({"personId": person, "session": 0, "present": present});
        app.staff("POST", &format!("/trainings/{tid}/attendance"), Some(&staff), Some(body)).await.expect(200);
    }
    app.staff("POST", &format!("/trainings/{tid}/phase"), Some(&staff), Some(json!({"to": "completed"})))
        .await
        .expect(200);

    let card = app.staff("GET", &format!("/trainings/{tid}"), Some(&staff), None).await.expect(200);
    assert_eq!(card["training"]["phase"], "completed");
    let of =
        |person: &str| card["enrolments"].as_array().unwrap().iter().find(|e| e["personId"] == person).unwrap().clone();
    // The member unit's persons are within the fee, present or not; the outsider pays.
    assert_eq!(
        (of(&people[0])["status"].clone(), of(&people[0])["chargeable"].clone()),
        (json!("attended"), json!(false))
    );
    assert_eq!(
        (of(&people[1])["status"].clone(), of(&people[1])["chargeable"].clone()),
        (json!("absent"), json!(false))
    );
    assert_eq!(
        (of(&people[2])["status"].clone(), of(&people[2])["chargeable"].clone()),
        (json!("attended"), json!(true))
    );
}

#[tokio::test]
async fn the_invited_list_selects_units_by_criteria_and_by_hand() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let tag = crate::helpers::letters_id();
    // A member gmina in powiat poznański interested in EDU, and one that is not a member.
    let member = app
        .staff("POST", "/units", Some(&staff), Some(json!({"kind": "gmina_wiejska", "name": format!("Gmina Zaproszona {tag}"), "memberSince": "2001-01-01", "segments": ["EDU"], "address": {"city": "Dopiewo"}, "latitude": "52.3650", "longitude": "16.7600"})))
        .await
        .expect(201);
    let outsider = app
        .staff(
            "POST",
            "/units",
            Some(&staff),
            Some(json!({"kind": "gmina_wiejska", "name": format!("Gmina Pominięta {tag}"), "segments": ["EDU"]})),
        )
        .await
        .expect(201);
    let picked = app.unit(&staff, "Fundacja dodana ręcznie").await;
    let criteria = json!({"criteria": {"unitKinds": ["gmina_wiejska"], "membersOnly": true, "segments": ["EDU"]}, "unitIds": [picked["id"]]});

    let preview = app.staff("POST", "/invited/preview", Some(&staff), Some(criteria.clone())).await.expect(200);
    let ids: Vec<&str> = preview["units"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&member["id"].as_str().unwrap()));
    assert!(ids.contains(&picked["id"].as_str().unwrap()), "hand-picked units are always in");
    assert!(!ids.contains(&outsider["id"].as_str().unwrap()), "non-members are left out");

    // Kept with the training: saved through its PATCH, resolved on its card's invited list.
    let training = recruiting_training(&app, &staff, 10, json!({})).await;
    let tid = id(&training);
    let saved = app
        .staff(
            "PATCH",
            &format!("/trainings/{tid}"),
            Some(&staff),
            Some(json!({"invited": criteria, "version": training["version"]})),
        )
        .await
        .expect(200);
    assert_eq!(saved["invited"]["criteria"]["membersOnly"], true);
    let invited = app.staff("GET", &format!("/trainings/{tid}/invited"), Some(&staff), None).await.expect(200);
    let ids: Vec<&str> = invited["units"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&member["id"].as_str().unwrap()) && ids.contains(&picked["id"].as_str().unwrap()));
    assert!(!ids.contains(&outsider["id"].as_str().unwrap()));
    // A bad criterion is named.
    let bad =
        app.staff("POST", "/invited/preview", Some(&staff), Some(json!({"criteria": {"powiaty": ["9999"]}}))).await;
    assert_eq!(bad.status, 422);

    // Distance from the venue (Poznań, ul. Wielka): Dopiewo ≈ 13 km is in, a member gmina by Piła
    // (≈ 83 km) is not, and a unit without coordinates is never guessed in.
    let far = app
        .staff("POST", "/units", Some(&staff), Some(json!({"kind": "gmina_wiejska", "name": format!("Gmina Daleka {tag}"), "memberSince": "2001-01-01", "segments": ["EDU"], "latitude": "53.1510", "longitude": "16.7380"})))
        .await
        .expect(201);
    let venue = saved["venue"]["id"].as_str().unwrap();
    let near = json!({"criteria": {"unitKinds": ["gmina_wiejska"], "membersOnly": true, "segments": ["EDU"], "maxDistanceKm": "30"}});
    let within =
        app.staff("POST", &format!("/invited/preview?venueId={venue}"), Some(&staff), Some(near)).await.expect(200);
    let ids: Vec<&str> = within["units"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&member["id"].as_str().unwrap()), "Dopiewo is within 30 km");
    assert!(!ids.contains(&far["id"].as_str().unwrap()), "Piła is not");
    assert!(!ids.contains(&outsider["id"].as_str().unwrap()));
}
