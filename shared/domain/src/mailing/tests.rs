use std::time::Duration;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::events::{parse_ses_event, SesEventKind};
use super::pacing::{backoff, Pacer};
use super::recipient::{DeliveryFacts, DeliveryOutcome};
use super::simulator::simulated_events;
use super::*;
use crate::history::UserRef;
use crate::ids::MailingId;

fn input() -> MailingInput {
    let template = context::default_mailing_template();
    MailingInput {
        name: Some("Newsletter grudzień — Łódź, Żnin, Ślesin".into()),
        kind: Some("newsletter".into()),
        subject: Some("Zaproszenie: {{ training.title }} — {{ unit.name }}".into()),
        text: Some(template.text),
        html: Some(template.html),
        audience: Some(AudienceInput {
            source: Some("units".into()),
            units: Some(crate::training::InvitedListInput {
                criteria: Some(crate::training::InviteCriteriaInput {
                    powiaty: Some(vec!["3021".into()]),
                    unit_kinds: Some(vec!["gmina_wiejska".into()]),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            positions: Some(vec!["skarbnik".into()]),
            ..Default::default()
        }),
        sender_name: Some("WOKiSS — Szkolenia".into()),
        sender_address: Some("szkolenia@wokiss.pl".into()),
        training_id: None,
    }
}

fn staff() -> UserRef {
    UserRef { id: "staff-1".into(), name: "Anna Nowak".into() }
}

#[test]
fn a_mailing_renders_polish_characters_in_subject_and_bodies() {
    let draft = input().parse("wokiss.pl").unwrap();
    let mut context = MailingContext::sample();
    context.person.first_name = "Żaneta".into();
    context.person.last_name = "Łęcka-Ćwiklińska".into();
    context.unit.name = "Gmina Śrem".into();
    let message = draft.template.render(&context).unwrap();
    assert_eq!(message.subject, "Zaproszenie: Zamówienia publiczne w praktyce — Gmina Śrem");
    assert!(message.text.contains("Dzień dobry Żaneta Łęcka-Ćwiklińska"));
    assert!(message.html.contains("Dzień dobry Żaneta Łęcka-Ćwiklińska"));
    assert!(message.html.contains("Nie chcę otrzymywać takich wiadomości"));
    context.mailing.unsubscribe_url = String::new();
    let service = draft.template.render(&context).unwrap();
    assert!(!service.html.contains("Nie chcę otrzymywać"), "no unsubscribe line without a link");
}

#[test]
fn template_errors_are_caught_when_the_mailing_is_saved() {
    let mut unknown = input();
    unknown.subject = Some("{{ person.pesel }}".into());
    let errors = unknown.parse("wokiss.pl").unwrap_err();
    let error = errors.0.iter().find(|e| e.field == "subject").unwrap();
    assert_eq!(error.code, "unknown_placeholder");
    assert!(error.pl.contains("person.pesel"));
    let mut syntax = input();
    syntax.html = Some("<p>{% for %}</p>".into());
    let errors = syntax.parse("wokiss.pl").unwrap_err();
    assert!(errors.0.iter().any(|e| e.field == "html"), "{errors:?}");
}

#[test]
fn an_unfinished_form_still_previews_its_message_but_not_a_broken_template() {
    let unfinished = MailingInput {
        name: None,
        sender_address: None,
        audience: Some(AudienceInput { source: Some("training".into()), ..Default::default() }),
        ..input()
    };
    assert!(unfinished.clone().parse("wokiss.pl").is_err(), "not savable");
    let message = unfinished.parse_message().unwrap();
    assert_eq!(message.name, "");
    assert_eq!(message.kind, MailingKind::Newsletter);
    assert_eq!(message.template.subject, input().subject.unwrap());

    let broken =
        MailingInput { text: Some("Dzień dobry {{ person.pesel }}".into()), kind: Some("spam".into()), ..input() };
    let fields: Vec<String> = broken.parse_message().unwrap_err().0.into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["kind", "text"]);
}

#[test]
fn fields_are_checked_together_and_named() {
    let bad = MailingInput {
        name: Some(" ".into()),
        kind: Some("spam".into()),
        sender_address: Some("biuro@gmail.com".into()),
        audience: Some(AudienceInput { source: Some("training".into()), ..Default::default() }),
        ..input()
    };
    let fields: Vec<String> = bad.parse("wokiss.pl").unwrap_err().0.into_iter().map(|e| e.field).collect();
    for field in ["name", "kind", "senderAddress", "audience.source"] {
        assert!(fields.contains(&field.to_owned()), "{field} missing from {fields:?}");
    }
    let distance_without_training = MailingInput {
        audience: Some(AudienceInput {
            units: Some(crate::training::InvitedListInput {
                criteria: Some(crate::training::InviteCriteriaInput {
                    max_distance_km: Some("30".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..input()
    };
    let errors = distance_without_training.parse("wokiss.pl").unwrap_err();
    assert_eq!(errors.0[0].field, "audience.units.criteria.maxDistanceKm");
}

#[test]
fn the_status_machine_allows_only_its_transitions() {
    let now = Utc::now();
    let draft = Mailing::create(MailingId::generate(), input().parse("wokiss.pl").unwrap(), staff(), now);
    assert!(!draft.sends_now());
    assert!(draft.apply(MailingAction::Pause, now).is_err());
    let preparing = draft.apply(MailingAction::Start, now).unwrap();
    assert_eq!(preparing.status, MailingStatus::Preparing);
    assert!(preparing.apply(MailingAction::Start, now).is_err(), "started twice");
    assert!(preparing.edit(input().parse("wokiss.pl").unwrap(), now).is_err(), "no edits once started");
    let sending = preparing.recipients_fixed(now).unwrap();
    assert!(sending.sends_now());
    let paused = sending.apply(MailingAction::Pause, now).unwrap();
    assert!(!paused.sends_now());
    let resumed = paused.apply(MailingAction::Resume, now).unwrap();
    let cancelled = resumed.apply(MailingAction::Cancel, now).unwrap();
    assert_eq!(cancelled.status, MailingStatus::Cancelled);
    assert!(cancelled.apply(MailingAction::Resume, now).is_err());
    assert_eq!(cancelled.version, draft.version + 5);
}

#[test]
fn progress_counts_final_recipients() {
    let progress = Progress { total: 500, sent: 480, suppressed: 15, failed: 4, unsubscribed: 1, ..Default::default() };
    assert!(progress.is_done());
    assert_eq!(progress.percent(), 100);
    let half = Progress { total: 3, sent: 1, ..Default::default() };
    assert_eq!(half.percent(), 33);
    assert!(!Progress::default().is_done());
}

#[test]
fn person_filter_by_position_and_activity() {
    use crate::person::{Person, PersonStatus};
    let filter = PersonFilter { positions: vec!["Skarbnik".into()], include_inactive: false };
    let json = serde_json::json!({
        "id": "0190d5a4-0000-7000-8000-000000000001", "firstName": "Ewa", "lastName": "Kowal",
        "position": "Zastępca Skarbnika Gminy", "unitId": "0190d5a4-0000-7000-8000-000000000002",
        "unitPath": [], "status": "active", "employmentId": "0190d5a4-0000-7000-8000-000000000003",
        "version": 1, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"
    });
    let mut person: Person = serde_json::from_value(json).unwrap();
    assert!(filter.accepts(&person), "the word matches inside the title, any case");
    person.status = PersonStatus::Left;
    assert!(!filter.accepts(&person));
    assert!(PersonFilter { include_inactive: true, ..filter.clone() }.accepts(&person));
    person.status = PersonStatus::Active;
    person.position = Some("Sekretarz".into());
    assert!(!filter.accepts(&person));
    assert!(PersonFilter::default().accepts(&person));
}

#[test]
fn ses_events_are_parsed_in_both_shapes() {
    let bounce = r#"{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",
        "bouncedRecipients":[{"emailAddress":"jan@gmina.pl"}],"timestamp":"2026-11-27T10:00:05.000Z"},
        "mail":{"timestamp":"2026-11-27T10:00:00.000Z","messageId":"m-1","destination":["jan@gmina.pl"],
        "tags":{"mailing":["abc"],"ses:configuration-set":["ewokiss"]}}}"#;
    let event = parse_ses_event(bounce).unwrap();
    assert_eq!(event.message_id, "m-1");
    assert!(event.kind.suppresses_address());
    assert_eq!(event.recipients, vec!["jan@gmina.pl"]);
    assert_eq!(event.tag("mailing"), Some("abc"));
    assert_eq!(event.at, Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 5).unwrap());
    let delivery = r#"{"notificationType":"Delivery","mail":{"timestamp":"2026-11-27T10:00:00Z","messageId":"m-2"},
        "delivery":{"timestamp":"2026-11-27T10:00:02Z"}}"#;
    assert_eq!(parse_ses_event(delivery).unwrap().kind, SesEventKind::Delivery);
    let transient = bounce.replace("Permanent", "Transient");
    assert!(!parse_ses_event(&transient).unwrap().kind.suppresses_address());
    assert!(parse_ses_event("{}").is_err());
    assert!(parse_ses_event(
        r#"{"eventType":"Subscription","mail":{"timestamp":"2026-11-27T10:00:00Z","messageId":"x"}}"#
    )
    .is_err());
}

#[test]
fn the_simulator_follows_the_mailbox_addresses() {
    let at = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
    let kinds = |to: &str| -> Vec<SesEventKind> {
        simulated_events("m", "szkolenia@wokiss.pl", to, at, &[("mailing".into(), "x".into())])
            .iter()
            .map(|json| parse_ses_event(json).unwrap().kind)
            .collect()
    };
    assert_eq!(kinds("success@simulator.amazonses.com"), vec![SesEventKind::Send, SesEventKind::Delivery]);
    let bounce = kinds("bounce+anna@simulator.amazonses.com");
    assert!(matches!(&bounce[1], SesEventKind::Bounce { bounce_type, .. } if bounce_type == "Permanent"));
    assert!(kinds("complaint@simulator.amazonses.com").contains(&SesEventKind::Complaint));
    assert!(kinds("suppressionlist@simulator.amazonses.com")[1].suppresses_address());
    assert_eq!(kinds("ooto@simulator.amazonses.com")[1], SesEventKind::Delivery);
    assert_eq!(kinds("jan.kowalski@kornik.pl"), vec![SesEventKind::Send, SesEventKind::Delivery]);
    assert!(kinds("success+opened@simulator.amazonses.com").contains(&SesEventKind::Open));
}

fn arbitrary_kind() -> impl Strategy<Value = SesEventKind> {
    prop_oneof![
        Just(SesEventKind::Send),
        Just(SesEventKind::Delivery),
        Just(SesEventKind::Open),
        Just(SesEventKind::Click { link: "https://e.wokiss.pl".into() }),
        Just(SesEventKind::Complaint),
        Just(SesEventKind::Bounce { bounce_type: "Permanent".into(), sub_type: "General".into() }),
        Just(SesEventKind::DeliveryDelay { delay_type: "MailboxFull".into() }),
    ]
}

proptest! {
    /// Replayed and reordered events leave the same facts and the same outcome.
    #[test]
    fn delivery_facts_do_not_depend_on_order_or_replays(
        events in prop::collection::vec((arbitrary_kind(), 0i64..10_000), 1..12),
        seed in any::<u64>(),
    ) {
        let base = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
        let mut in_order = DeliveryFacts::default();
        let mut firsts: Vec<(SesEventKind, i64)> = Vec::new();
        for (kind, offset) in &events {
            if !firsts.iter().any(|(k, _)| std::mem::discriminant(k) == std::mem::discriminant(kind)) {
                firsts.push((kind.clone(), *offset));
            }
            in_order.record(kind, base + chrono::Duration::seconds(*offset));
        }
        // Replay everything, shuffled, twice more: nothing changes.
        let mut shuffled = events.clone();
        let len = shuffled.len();
        for i in 0..len {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % len as u64) as usize;
            shuffled.swap(i, j);
        }
        let mut replayed = in_order.clone();
        for (kind, offset) in shuffled.iter().chain(shuffled.iter()) {
            prop_assert!(!replayed.record(kind, base + chrono::Duration::seconds(*offset)));
        }
        prop_assert_eq!(&replayed, &in_order);
        // Any order gives the same outcome.
        let mut reordered = DeliveryFacts::default();
        for (kind, offset) in &shuffled {
            reordered.record(kind, base + chrono::Duration::seconds(*offset));
        }
        prop_assert_eq!(reordered.outcome(), in_order.outcome());
    }

    /// n sends take at least (n − 1) intervals, and a sender that keeps up is never slower.
    #[test]
    fn the_pacer_keeps_the_rate(rate in 1u32..500, sends in 2usize..300, work_us in 0u64..5_000) {
        let mut pacer = Pacer::new(f64::from(rate));
        let mut elapsed = Duration::ZERO;
        for _ in 0..sends {
            elapsed += pacer.wait_before_next(elapsed);
            elapsed += Duration::from_micros(work_us);
        }
        let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
        let ideal = interval * (sends as u32 - 1);
        prop_assert!(elapsed + Duration::from_micros(1) >= ideal);
        let slowest = ideal + Duration::from_micros(work_us) * sends as u32;
        prop_assert!(elapsed <= slowest + Duration::from_micros(1));
    }

    /// With a burst allowance, no window of any length holds more than its share plus the burst.
    #[test]
    fn a_burst_never_exceeds_its_allowance(rate in 1u32..200, idle_ms in prop::collection::vec(0u64..3_000, 2..200)) {
        let burst = Duration::from_secs(1);
        let mut pacer = Pacer::with_burst(f64::from(rate), burst);
        let mut elapsed = Duration::ZERO;
        let mut sent_at = Vec::new();
        for idle in idle_ms {
            elapsed += pacer.wait_before_next(elapsed);
            sent_at.push(elapsed);
            elapsed += Duration::from_millis(idle);
        }
        let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
        for (i, start) in sent_at.iter().enumerate() {
            for (j, end) in sent_at.iter().enumerate().skip(i) {
                let window = *end - *start;
                let allowed = (window + burst).as_secs_f64() / interval.as_secs_f64() + 1.0001;
                prop_assert!(((j - i + 1) as f64) <= allowed, "{} sends in {:?}", j - i + 1, window);
            }
        }
    }

    #[test]
    fn backoff_grows_and_is_capped(attempt in 1u32..40, jitter in 0.0f64..1.0) {
        let wait = backoff(attempt, jitter);
        prop_assert!(wait <= Duration::from_secs(10));
        prop_assert!(wait >= Duration::from_millis(100));
        prop_assert!(backoff(attempt + 1, jitter) >= wait);
    }
}

#[test]
fn a_delivery_after_an_open_does_not_undo_it() {
    let at = Utc::now();
    let mut facts = DeliveryFacts::default();
    facts.record(&SesEventKind::Open, at);
    facts.record(&SesEventKind::Delivery, at - chrono::Duration::seconds(30));
    assert_eq!(facts.outcome(), DeliveryOutcome::Opened);
    facts.record(&SesEventKind::Bounce { bounce_type: "Permanent".into(), sub_type: "General".into() }, at);
    assert_eq!(facts.outcome(), DeliveryOutcome::Bounced);
}

#[test]
fn attachments_are_checked_by_type_count_and_size() {
    let now = Utc::now();
    let draft = Mailing::create(MailingId::generate(), input().parse("wokiss.pl").unwrap(), staff(), now);
    let key = |id: uuid::Uuid, name: &str| format!("mailings/x/{id}-{name}");
    let new = uuid::Uuid::new_v4;
    let (with_one, attachment) = draft.attach(new(), "Program szkolenia — Łódź.pdf", 120_000, key, now).unwrap();
    assert_eq!(attachment.content_type, "application/pdf");
    assert_eq!(with_one.attachments.len(), 1);
    assert!(with_one.attach(attachment.id, "znowu.pdf", 5, key, now).is_err(), "the same upload twice");
    assert_eq!(draft.attach(new(), "wirus.exe", 10, key, now).unwrap_err().0[0].code, "file_type");
    assert_eq!(draft.attach(new(), "duży.pdf", 8 * 1024 * 1024, key, now).unwrap_err().0[0].code, "too_large");
    assert_eq!(draft.attach(new(), "pusty.pdf", 0, key, now).unwrap_err().0[0].code, "empty");
    let (safe, _) = draft.attach(new(), "../../etc/pass\"wd.txt", 5, key, now).unwrap();
    assert!(!safe.attachments[0].file_name.contains('/'));
    let without = with_one.detach(attachment.id, now).unwrap();
    assert!(without.attachments.is_empty());
    let started = with_one.apply(MailingAction::Start, now).unwrap();
    assert!(started.attach(new(), "b.pdf", 5, key, now).is_err());
    assert!(started.detach(attachment.id, now).is_err());
}
