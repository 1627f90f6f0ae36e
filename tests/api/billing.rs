//! Billing against the emulator: contracts and the monthly run (repeated, interrupted,
//! concurrent), settlements of completed trainings per unit, and who may see them.
//!
//! Other tests share the table, so every assertion is about this test's own contracts, units
//! and trainings; the run itself may also bill theirs, which is what it would do in production.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Utc};
use ewokiss_adapters::billing_app::{BillingChunk, CHUNK_SIZE};
use ewokiss_adapters::dynamo::{contracts as contract_store, numbering, settlements as settlement_store, Transaction};
use ewokiss_domain::contract::{BillingCycle, BillingTiming, Contract, ProRata, Terms};
use ewokiss_domain::ids::{ContractId, SettlementId, TrainingId, UnitId};
use ewokiss_domain::settlement::{CorrectionChange, Series, Settlement, SettlementNumber, SettlementStatus};
use ewokiss_domain::training::{Price, VatTreatment};
use futures::future::join_all;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::helpers::{id, TestApp};
use crate::trainings::{persons, recruiting_training};

fn day(raw: &str) -> NaiveDate {
    raw.parse().unwrap()
}

fn dec(raw: &str) -> Decimal {
    raw.parse().unwrap()
}

/// A contract written straight to the store (the run is under test here, not the form).
fn contract(unit_id: UnitId, start: NaiveDate, net: &str) -> Contract {
    let now = Utc::now();
    Contract {
        id: ContractId::generate(),
        unit_id,
        subject: "Obsługa prawna LEX".into(),
        start,
        end: None,
        cycle: BillingCycle::Monthly,
        timing: BillingTiming::Advance,
        pro_rata: ProRata::CalendarDays,
        terms: vec![Terms {
            effective_from: start,
            price: Price { net: dec(net), vat: VatTreatment::Rate { percent: Decimal::from(23) } },
        }],
        suspensions: Vec::new(),
        terminated_on: None,
        history: Vec::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

pub(crate) async fn load_contracts(app: &TestApp, unit_id: UnitId, count: usize, start: NaiveDate) -> Vec<ContractId> {
    let bulk = app.table.for_bulk_load();
    let contracts: Vec<Contract> = (0..count).map(|_| contract(unit_id, start, "1000.00")).collect();
    for batch in contracts.chunks(100) {
        join_all(batch.iter().map(|c| contract_store::create_contract(&bulk, c)))
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
    }
    contracts.iter().map(|c| c.id).collect()
}

/// The run's chunks, restricted to `mine` (the due index must list every one of them).
pub(crate) async fn my_chunks(app: &TestApp, mine: &[ContractId], as_of: NaiveDate) -> Vec<BillingChunk> {
    let due: BTreeSet<ContractId> =
        app.staff.http.registry.due_contract_ids(as_of).await.unwrap().into_iter().collect();
    assert!(mine.iter().all(|id| due.contains(id)), "the due index lists every contract due");
    mine.chunks(CHUNK_SIZE).map(|ids| BillingChunk { as_of, contract_ids: ids.to_vec() }).collect()
}

/// The chunks billed as the queue's trigger would: four invocations at a time.
async fn run(app: &TestApp, chunks: &[BillingChunk]) {
    use futures::StreamExt;
    let registry = &app.staff.http.registry;
    let reports: Vec<_> =
        futures::stream::iter(chunks).map(|chunk| registry.bill_chunk(chunk)).buffer_unordered(4).collect().await;
    for report in reports {
        assert!(report.unwrap().failed.is_empty());
    }
    issue_every_draft(app).await;
}

/// Issues drafts until none is left. An issuer that loses the race for the counter to another
/// test's issuer leaves its drafts to that one (which numbers them a moment later), so a test
/// that goes on to read numbers waits for the drafts list to be empty.
async fn issue_every_draft(app: &TestApp) {
    let registry = &app.staff.http.registry;
    for _ in 0..100 {
        registry.issue_drafts(ewokiss_domain::time::today()).await.unwrap();
        let drafts =
            settlement_store::settlements_in_status(&app.table, SettlementStatus::Draft, 1, None).await.unwrap();
        if drafts.items.is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("drafts are still left after 100 issuing passes");
}

/// Per contract: its charges (key → net) and the settlements they went into.
async fn billed(app: &TestApp, ids: &[ContractId]) -> BTreeMap<ContractId, Vec<(String, Decimal)>> {
    let mut all = BTreeMap::new();
    for batch in ids.chunks(50) {
        let charges = join_all(batch.iter().map(|id| contract_store::charges_of_contract(&app.table, *id))).await;
        for (id, charges) in batch.iter().zip(charges) {
            let list = charges.unwrap().into_iter().map(|c| (c.charge.charge_key(), c.charge.net)).collect();
            all.insert(*id, list);
        }
    }
    all
}

/// Every number of the series and year up to the counter is held by exactly one settlement.
async fn assert_numbers_gapless(app: &TestApp) {
    let year = ewokiss_domain::time::today().year();
    let last = numbering::last_number(&app.table, Series::Roz.code(), year).await.unwrap();
    assert!(last > 0);
    let mut holders = BTreeSet::new();
    for seqs in (1..=last).collect::<Vec<_>>().chunks(100) {
        let found = join_all(seqs.iter().map(|seq| async move {
            let number = SettlementNumber::new(Series::Roz, year, *seq).unwrap();
            settlement_store::settlement_id_by_number(&app.table, &number).await.unwrap()
        }))
        .await;
        for (seq, holder) in seqs.iter().zip(found) {
            let holder = holder.unwrap_or_else(|| panic!("number {seq} of {last} was skipped"));
            assert!(holders.insert(holder), "a settlement holds two numbers");
        }
    }
}

#[tokio::test]
async fn a_monthly_run_over_1000_contracts_bills_each_once_even_when_interrupted_or_repeated() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = UnitId::parse(&id(&app.unit(&staff, "Gmina z umowami").await)).unwrap();
    let mine = load_contracts(&app, unit, 1000, day("2027-02-01")).await;
    let as_of = day("2027-02-01");
    let chunks = my_chunks(&app, &mine, as_of).await;

    // Interrupted: half the chunks billed, one more stopped part-way, then the whole run again.
    run(&app, &chunks[..chunks.len() / 2]).await;
    let interrupted = app.staff.http.registry.bill_chunk(&chunks[chunks.len() / 2]);
    let _ = tokio::time::timeout(std::time::Duration::from_millis(30), interrupted).await;
    run(&app, &chunks).await;
    let first = billed(&app, &mine).await;
    for charges in first.values() {
        assert_eq!(charges, &vec![("2027-02#0".to_owned(), dec("1000.00"))], "one charge per contract and period");
    }
    // The due index moved on: the same day lists none of them, and running again creates nothing.
    let due: BTreeSet<ContractId> =
        app.staff.http.registry.due_contract_ids(as_of).await.unwrap().into_iter().collect();
    assert!(mine.iter().all(|id| !due.contains(id)));
    run(&app, &chunks).await;
    assert_eq!(billed(&app, &mine).await, first);

    // Each charge is on its own issued settlement with the unit's data copied.
    let settlements = settlement_store::all_settlements_of_unit(&app.table, unit).await.unwrap();
    assert_eq!(settlements.len(), 1000);
    assert!(settlements.iter().all(|s| s.status == SettlementStatus::Issued && s.number.is_some()));
    assert!(settlements.iter().all(|s| s.buyer.as_ref().is_some_and(|b| b.name.starts_with("Gmina z umowami"))));
    assert_eq!(settlements[0].totals().gross, dec("1230.00"));
    assert_numbers_gapless(&app).await;
}

#[tokio::test]
async fn a_contract_change_and_a_billing_in_between_lose_neither() {
    let app = TestApp::spawn().await;
    let staff = app.user("staff", None, None).await;
    let unit = app.unit(&staff, "Gmina Ledger").await;
    let unit_id = UnitId::parse(unit["id"].as_str().unwrap()).unwrap();
    let ids = load_contracts(&app, unit_id, 1, day("2027-01-01")).await;
    let id = ids[0];
    let registry = &app.staff.http.registry;

    // Staff read the contract (and its empty ledger); meanwhile January is billed.
    let (read, ledger) = contract_store::get_contract_with_ledger(&app.table, id).await.unwrap().unwrap();
    assert_eq!(ledger, contract_store::Ledger::default());
    assert_eq!(registry.bill_contract(id, day("2027-01-01")).await.unwrap().charges_created, 1);
    let (_, billed) = contract_store::get_contract_with_ledger(&app.table, id).await.unwrap().unwrap();
    assert_eq!((billed.seq, billed.periods.len()), (1, 1));

    // The change computed from the old read is refused: written, it would drop January's ledger.
    let mut changed = read.clone();
    changed.subject = "Obsługa prawna LEX (zmieniona)".into();
    changed.version += 1;
    let refused = contract_store::replace_contract(&app.table, &changed, read.version, &ledger).await;
    assert!(matches!(refused, Err(ewokiss_adapters::dynamo::StoreError::ConditionFailed { .. })), "{refused:?}");

    // Through the use case (the form was filled before the billing: same version) it is read
    // again and applied: January stays billed, nothing is billed twice.
    let terminated = app
        .staff(
            "POST",
            &format!("/contracts/{id}/changes"),
            Some(&staff),
            Some(json!({"kind": "terminate", "lastDay": "2027-02-28", "version": read.version})),
        )
        .await
        .expect(200);
    assert_eq!(terminated["nextDue"], "2027-02-01");
    assert_eq!(terminated["billed"].as_array().unwrap().len(), 1);
    let (after, kept) = contract_store::get_contract_with_ledger(&app.table, id).await.unwrap().unwrap();
    assert_eq!(after.terminated_on, Some(day("2027-02-28")));
    assert_eq!(kept, billed);
    assert_eq!(registry.bill_contract(id, day("2027-01-31")).await.unwrap().charges_created, 0);
    assert_eq!(registry.bill_contract(id, day("2027-03-01")).await.unwrap().charges_created, 1);
    let (_, last) = contract_store::get_contract_with_ledger(&app.table, id).await.unwrap().unwrap();
    assert_eq!((last.seq, last.periods.len()), (2, 2));
}

#[tokio::test]
async fn two_runs_at_once_create_no_duplicates_and_no_gaps_and_catch_up_missed_months() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = UnitId::parse(&id(&app.unit(&staff, "Powiat z umowami").await)).unwrap();
    // Signed on 15 January, first billed on 1 March: January (17/31) and February are caught up.
    let mine = load_contracts(&app, unit, 100, day("2027-01-15")).await;
    let as_of = day("2027-03-01");
    let chunks = my_chunks(&app, &mine, as_of).await;
    tokio::join!(run(&app, &chunks), run(&app, &chunks));
    let expected = vec![
        ("2027-01#0".to_owned(), dec("548.39")), // 1000 × 17/31 = 548.387 → 548.39
        ("2027-02#0".to_owned(), dec("1000.00")),
        ("2027-03#0".to_owned(), dec("1000.00")),
    ];
    for charges in billed(&app, &mine).await.values() {
        let mut charges = charges.clone();
        charges.sort();
        assert_eq!(charges, expected);
    }
    let settlements = settlement_store::all_settlements_of_unit(&app.table, unit).await.unwrap();
    assert_eq!(settlements.len(), 300);
    assert!(settlements.iter().all(|s| s.status == SettlementStatus::Issued));
    assert_numbers_gapless(&app).await;
}

#[tokio::test]
async fn staff_manage_a_contract_preview_and_run_through_the_queue_and_a_termination_is_credited() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = app.unit(&staff, "Gmina z umową kwartalną").await;
    // Quarterly 3 000,00 signed on 15 February 2027, by days: Q1 = 45 of 90 days = 1 500,00.
    let created = app
        .staff(
            "POST",
            "/contracts",
            Some(&staff),
            Some(json!({"unitId": unit["id"], "subject": "Obsługa prawna", "start": "2027-02-15", "cycle": "quarterly", "timing": "advance", "priceNet": "3 000,00", "vat": "23"})),
        )
        .await
        .expect(201);
    let cid = created["contract"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["nextDue"], "2027-02-15");
    let bad =
        app.staff("POST", "/contracts", Some(&staff), Some(json!({"unitId": unit["id"], "cycle": "weekly"}))).await;
    assert_eq!(bad.status, 422);
    assert!(bad.fields().contains(&"cycle".to_owned()) && bad.fields().contains(&"start".to_owned()));

    let preview = app.staff("GET", "/billing/preview?asOf=2027-02-15", Some(&staff), None).await.expect(200);
    let mine: Vec<&Value> =
        preview["charges"].as_array().unwrap().iter().filter(|c| c["contractId"] == cid.as_str()).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["net"], "1500.00");
    // The preview's totals (other tests' contracts are due too): the charges' sum, split per VAT.
    let charges_net: Decimal =
        preview["charges"].as_array().unwrap().iter().map(|c| dec(c["net"].as_str().unwrap())).sum();
    assert_eq!(dec(preview["totals"]["net"].as_str().unwrap()), charges_net);
    assert_eq!(preview["totals"]["net"], preview["totalNet"]);
    let by_vat = preview["totals"]["byVat"].as_array().unwrap();
    assert!(by_vat.iter().any(|t| t["code"] == "23"));
    let gross: Decimal = by_vat.iter().map(|t| dec(t["gross"].as_str().unwrap())).sum();
    assert_eq!(dec(preview["totals"]["gross"].as_str().unwrap()), gross);

    // The staff button queues the run; the billing function (here: its handler) bills the chunks.
    let queued = app.staff("POST", "/billing/run", Some(&staff), Some(json!({"asOf": "2027-02-15"}))).await.expect(200);
    assert!(queued["contracts"].as_u64().unwrap() >= 1);
    drain_billing_queue(&app).await;
    let view = app.staff("GET", &format!("/contracts/{cid}"), Some(&staff), None).await.expect(200);
    assert_eq!(view["charges"].as_array().unwrap().len(), 1);
    assert_eq!(view["charges"][0]["net"], "1500.00");
    assert_eq!(view["nextDue"], "2027-04-01");

    // Terminated on 15 March after Q1 was billed in advance: 16 unused days are credited
    // (3 000 × 74/90 − 3 000 × 90/90 boundaries: 1 500,00 billed, 966,67 owed → −533,33).
    let terminated = app
        .staff(
            "POST",
            &format!("/contracts/{cid}/changes"),
            Some(&staff),
            Some(json!({"kind": "terminate", "lastDay": "2027-03-15", "version": view["contract"]["version"]})),
        )
        .await
        .expect(200);
    assert_eq!(terminated["nextDue"], "2027-02-15", "the correction is due at once");
    let stale = app
        .staff(
            "POST",
            &format!("/contracts/{cid}/changes"),
            Some(&staff),
            Some(json!({"kind": "suspend", "from": "2027-03-01", "version": 1})),
        )
        .await;
    assert_eq!(stale.status, 409);
    app.staff.http.registry.bill_contract(ContractId::parse(&cid).unwrap(), day("2027-03-16")).await.unwrap();
    issue_every_draft(&app).await;
    let view = app.staff("GET", &format!("/contracts/{cid}"), Some(&staff), None).await.expect(200);
    let nets: Vec<&str> = view["charges"].as_array().unwrap().iter().map(|c| c["net"].as_str().unwrap()).collect();
    assert_eq!(nets, ["1500.00", "-533.33"]);
    assert_eq!(view["nextDue"], Value::Null, "terminated and fully billed");
    let unit_settlements =
        app.staff("GET", &format!("/units/{}/settlements", id(&unit)), Some(&staff), None).await.expect(200);
    let list = unit_settlements["settlements"].as_array().unwrap();
    let correction = list.iter().find(|s| s["kind"]["type"] == "correction").expect("a correction document");
    assert!(correction["number"].as_str().unwrap().starts_with("KOR/"));
    let original = list.iter().find(|s| s["kind"]["type"] == "regular").unwrap();
    assert_eq!(correction["kind"]["ofNumber"], original["number"]);
    assert_eq!(original["correctedBy"][0], correction["id"]);
    // Outstanding: 1 845,00 gross billed − 656,00 credited (533,33 + 122,67 VAT).
    assert_eq!(unit_settlements["receivables"]["outstanding"], "1189.00");
}

/// Lambda's SQS trigger, played by the test: receive the billing queue's messages and hand
/// them to the billing function's handler until the queue is empty.
async fn drain_billing_queue(app: &TestApp) {
    let sdk = ewokiss_adapters::config::aws_sdk_config().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let url = std::env::var("BILLING_QUEUE_URL").unwrap();
    let billing = billing::Billing {
        registry: ewokiss_adapters::app::Registry::new(app.table.clone()),
        queue: ewokiss_adapters::queue::Queue::new(&sdk, &url),
    };
    loop {
        let received =
            sqs.receive_message().queue_url(&url).max_number_of_messages(10).wait_time_seconds(1).send().await.unwrap();
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            return;
        }
        let records: Vec<Value> = messages
            .iter()
            .map(|m| json!({"messageId": m.message_id(), "receiptHandle": m.receipt_handle(), "body": m.body(), "eventSource": "aws:sqs"}))
            .collect();
        let event = serde_json::from_value(json!({ "Records": records })).unwrap();
        let response = billing::bill_batch(&billing, event).await;
        assert!(response.batch_item_failures.is_empty());
        for m in &messages {
            sqs.delete_message().queue_url(&url).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
        }
    }
}

/// A training in the past, completed with attendance marked: `present` per person.
pub(crate) async fn completed_training(app: &TestApp, staff: &str, people: &[(String, bool)], body: Value) -> String {
    use ewokiss_adapters::dynamo::trainings::{get_training, update_training};
    use ewokiss_domain::training::Phase;
    let training = recruiting_training(app, staff, 20, body).await;
    let tid = id(&training);
    let ids: Vec<&String> = people.iter().map(|(p, _)| p).collect();
    app.staff("POST", &format!("/trainings/{tid}/enrolments"), Some(staff), Some(json!({"personIds": ids})))
        .await
        .expect(200);
    let training_id = TrainingId::parse(&tid).unwrap();
    let before = get_training(&app.table, training_id).await.unwrap().unwrap();
    let mut after = before.clone();
    after.sessions[0].date = ewokiss_domain::time::today() - chrono::Duration::days(1);
    after.phase = Phase::Running;
    after.version += 1;
    update_training(&app.table, &before, &after, None).await.unwrap();
    for (person, present) in people {
        let body = json!({"personId": person, "session": 0, "present": present});
        app.staff("POST", &format!("/trainings/{tid}/attendance"), Some(staff), Some(body)).await.expect(200);
    }
    app.staff("POST", &format!("/trainings/{tid}/phase"), Some(staff), Some(json!({"to": "completed"})))
        .await
        .expect(200);
    tid
}

#[tokio::test]
async fn settling_a_training_makes_one_settlement_per_unit_across_its_trainings_once() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let (gmina, powiat) = (app.unit(&staff, "Gmina rozliczana").await, app.unit(&staff, "Powiat rozliczany").await);
    let (g, p) = (id(&gmina), id(&powiat));
    let gmina_people = persons(&app, &staff, &g, 2).await;
    let powiat_people = persons(&app, &staff, &p, 1).await;
    // Two trainings: the gmina sends both persons to the first (one absent: a no-show is
    // charged) and one to the second; the powiat one person to the first.
    let first = completed_training(
        &app,
        &staff,
        &[(gmina_people[0].clone(), true), (gmina_people[1].clone(), false), (powiat_people[0].clone(), true)],
        json!({}),
    )
    .await;
    let second = completed_training(
        &app,
        &staff,
        &[(gmina_people[0].clone(), true)],
        json!({"priceNet": "200,00", "vat": "23"}),
    )
    .await;

    let preview =
        app.staff("POST", "/settlements/preview", Some(&staff), Some(json!({"trainingId": first}))).await.expect(200);
    let drafts = preview["drafts"].as_array().unwrap();
    let of = |unit: &str| drafts.iter().find(|d| d["unitId"] == unit).unwrap().clone();
    assert_eq!(of(&g)["lines"].as_array().unwrap().len(), 3, "both trainings on the gmina's one settlement");
    assert_eq!(of(&p)["lines"].as_array().unwrap().len(), 1);
    assert!(of(&g)["lines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["description"].as_str().unwrap().contains("nieobecność")));
    // 2 × 450,00 zw + 200,00 + 23 % = 900,00 + 246,00.
    assert_eq!(of(&g)["totals"]["gross"], "1146.00");
    // All drafts together: the powiat's 450,00 zw too.
    assert_eq!(
        (preview["totals"]["net"].clone(), preview["totals"]["gross"].clone()),
        (json!("1550.00"), json!("1596.00"))
    );
    assert_eq!(preview["totals"]["byVat"].as_array().unwrap().len(), 2);

    // "Wystaw transakcję": moving the training to settled settles its units.
    let settled = app
        .staff("POST", &format!("/trainings/{first}/phase"), Some(&staff), Some(json!({"to": "settled"})))
        .await
        .expect(200);
    assert_eq!(settled["phase"], "settled");
    let gmina_settlements = app.staff("GET", &format!("/units/{g}/settlements"), Some(&staff), None).await.expect(200);
    let list = gmina_settlements["settlements"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "issued");
    // Staff's list of issued documents (every unit's, a page at a time) answers too.
    let issued = app.staff("GET", "/settlements?status=issued", Some(&staff), None).await.expect(200);
    assert!(!issued["items"].as_array().unwrap().is_empty(), "{issued}");
    assert_eq!(list[0]["buyer"]["name"], gmina["name"]);
    assert_eq!(gmina_settlements["receivables"]["outstanding"], "1146.00");
    // The second training's only line went onto that settlement: it is settled too.
    let card = app.staff("GET", &format!("/trainings/{second}"), Some(&staff), None).await.expect(200);
    assert_eq!(card["training"]["phase"], "settled");

    // Nothing is settled twice: settling again finds nothing, the phase cannot be entered again.
    let again = app.staff("POST", "/settlements/settle", Some(&staff), Some(json!({"unitId": g}))).await.expect(200);
    assert_eq!(again["settlements"].as_array().unwrap().len(), 0);
    let twice =
        app.staff("POST", &format!("/trainings/{first}/phase"), Some(&staff), Some(json!({"to": "settled"}))).await;
    assert_eq!(twice.status, 422);
    let not_completed = recruiting_training(&app, &staff, 5, json!({})).await;
    let refused =
        app.staff("POST", "/settlements/preview", Some(&staff), Some(json!({"trainingId": id(&not_completed)}))).await;
    assert_eq!(refused.status, 409);
    let ambiguous =
        app.staff("POST", "/settlements/preview", Some(&staff), Some(json!({"trainingId": first, "unitId": g}))).await;
    assert_eq!(ambiguous.status, 422);
}

#[tokio::test]
async fn only_staff_bill_and_an_administrator_sees_only_the_own_units_settlements() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let (a, b) = (app.unit(&staff, "Gmina A rozliczeń").await, app.unit(&staff, "Gmina B rozliczeń").await);
    let people_a = persons(&app, &staff, &id(&a), 1).await;
    let people_b = persons(&app, &staff, &id(&b), 1).await;
    let training =
        completed_training(&app, &staff, &[(people_a[0].clone(), true), (people_b[0].clone(), true)], json!({})).await;
    app.staff("POST", "/settlements/settle", Some(&staff), Some(json!({"trainingId": training}))).await.expect(200);

    let admin_a = app.user("unit-admin", Some(&id(&a)), None).await;
    let own = app.extranet("GET", "/settlements", Some(&admin_a), None).await.expect(200);
    let own_list = own["settlements"].as_array().unwrap();
    assert_eq!(own_list.len(), 1);
    assert!(own_list.iter().all(|s| s["unitId"] == id(&a).as_str()));
    let mine = own_list[0]["id"].as_str().unwrap();
    app.extranet("GET", &format!("/settlements/{mine}"), Some(&admin_a), None).await.expect(200);
    let staff_view = app.staff("GET", &format!("/units/{}/settlements", id(&b)), Some(&staff), None).await.expect(200);
    let theirs = staff_view["settlements"][0]["id"].as_str().unwrap();
    assert_eq!(app.extranet("GET", &format!("/settlements/{theirs}"), Some(&admin_a), None).await.status, 404);

    let participant = app.user("participant", Some(&id(&a)), Some(&people_a[0])).await;
    assert_eq!(app.extranet("GET", "/settlements", Some(&participant), None).await.status, 403);
    for (method, path, body) in [
        ("GET", "/billing/preview".to_owned(), None),
        ("POST", "/billing/run".to_owned(), Some(json!({}))),
        ("POST", "/settlements/preview".to_owned(), Some(json!({"trainingId": training}))),
        ("POST", "/settlements/settle".to_owned(), Some(json!({"trainingId": training}))),
        ("GET", format!("/units/{}/settlements", id(&a)), None),
        ("GET", "/contracts".to_owned(), None),
        ("POST", "/contracts".to_owned(), Some(json!({}))),
    ] {
        assert_eq!(app.staff(method, &path, Some(&admin_a), body).await.status, 403, "{method} {path}");
    }
}

#[tokio::test]
async fn an_export_hands_each_settlement_over_once_and_payments_come_back_idempotently() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let (unit, ours) = unit_with_an_issued_settlement(&app, &staff, "Gmina Eksportowa").await;
    let number = ours["number"].as_str().unwrap().to_owned();

    // Other tests export at the same time: ours is in the batch this export closed, or in one
    // another test's export closed first (then this one may find nothing left: 409).
    let export = app.staff("POST", "/exports", Some(&staff), None).await;
    assert!(export.status == 200 || export.status == 409, "export: {} {}", export.status, export.body);
    let after = app.staff("GET", &format!("/settlements/{}", id(&ours)), Some(&staff), None).await.expect(200);
    assert_eq!(after["status"], "exported");
    let batch_path = format!("/exports/{}", after["exportBatchId"].as_str().unwrap());
    let batch = app.staff("GET", &batch_path, Some(&staff), None).await.expect(200);
    assert_eq!(batch["status"], "ready");
    // The files: ERP XL XML with the document and the customer, the CSV, its FA(3) draft.
    let files = batch["files"].as_array().unwrap();
    let xml_name = files
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .find(|n| n.ends_with(".xml") && !n.starts_with("FA3"))
        .unwrap();
    let link =
        app.staff("GET", &format!("/exports/{}/files/{xml_name}", id(&batch)), Some(&staff), None).await.expect(200);
    let xml = reqwest::get(link["url"].as_str().unwrap()).await.unwrap().text().await.unwrap();
    assert!(
        xml.contains(&number) && xml.contains(unit["name"].as_str().unwrap()),
        "the batch names the document and its customer"
    );
    assert!(files.iter().any(|f| f["name"] == format!("FA3-{}.xml", number.replace('/', "-"))));

    // Not exported again: a second export leaves ours where it is.
    let second = app.staff("POST", "/exports", Some(&staff), None).await;
    assert!(second.status == 409 || second.status == 200 || second.status == 422);
    let still = app.staff("GET", &format!("/settlements/{}", id(&ours)), Some(&staff), None).await.expect(200);
    assert_eq!(still["exportBatchId"], batch["id"]);

    // The payment report: paid in full (300,00 + 23 % = 369,00), an unknown document, a bad row.
    let csv = format!(
        "NumerObcy;NumerFaktury;ZaplaconoRazem;DataZaplaty\n{number};FS/77/2026;369,00;2026-11-20\nROZ/999999/2026;FS/78/2026;10,00;2026-11-20\n{number};FS/77/2026;dużo;2026-11-21\n"
    );
    let report = app.staff("POST", "/payments", Some(&staff), Some(json!({"csv": csv}))).await.expect(200);
    assert_eq!(report["applied"], 1);
    assert_eq!(report["unknown"][0]["documentNumber"], "ROZ/999999/2026");
    assert_eq!(report["errors"].as_array().unwrap().len(), 1);
    let again = app.staff("POST", "/payments", Some(&staff), Some(json!({"csv": csv}))).await.expect(200);
    assert_eq!((again["applied"].clone(), again["unchanged"].clone()), (json!(0), json!(1)));
    let paid = app.staff("GET", &format!("/settlements/{}", id(&ours)), Some(&staff), None).await.expect(200);
    assert_eq!(paid["status"], "invoiced");
    assert_eq!(paid["invoiceNumber"], "FS/77/2026");
    let receivables =
        app.staff("GET", &format!("/units/{}/settlements", id(&unit)), Some(&staff), None).await.expect(200);
    assert_eq!(receivables["receivables"]["outstanding"], "0.00");
    assert_eq!(paid["paymentStatus"], "paid");

    let admin = app.user("unit-admin", Some(&id(&unit)), None).await;
    assert_eq!(app.staff("POST", "/exports", Some(&admin), None).await.status, 403);
    assert_eq!(app.staff("POST", "/payments", Some(&admin), Some(json!({"csv": csv}))).await.status, 403);
}

/// A new gmina (its name `prefix` and random letters) whose one attendee of a completed
/// training (300,00 + 23 %) is settled: the unit and its issued settlement.
async fn unit_with_an_issued_settlement(app: &TestApp, staff: &str, prefix: &str) -> (Value, Value) {
    let name = format!("{prefix} {}", crate::helpers::letters_id());
    let unit = unit_with_address(app, staff, &name).await;
    let settlement = settled_attendee(app, staff, &unit, json!({"priceNet": "300,00", "vat": "23"})).await;
    (unit, settlement)
}

/// A gmina with the address and NIP a buyer needs to be exported.
async fn unit_with_address(app: &TestApp, staff: &str, name: &str) -> Value {
    app.staff(
        "POST",
        "/units",
        Some(staff),
        Some(json!({"kind": "gmina_wiejska", "name": name, "nip": "7781423560", "address": {"street": "ul. Rynek 1", "postalCode": "62-035", "city": "Kórnik"}})),
    )
    .await
    .expect(201)
}

/// One person of the unit attends a completed training (`price`: its price fields), which is
/// then settled; returns the unit's issued settlement.
async fn settled_attendee(app: &TestApp, staff: &str, unit: &Value, price: Value) -> Value {
    let people = persons(app, staff, &id(unit), 1).await;
    let training = completed_training(app, staff, &[(people[0].clone(), true)], price).await;
    let settled =
        app.staff("POST", "/settlements/settle", Some(staff), Some(json!({"trainingId": training}))).await.expect(200);
    settled["settlements"].as_array().unwrap().iter().find(|s| s["unitId"] == id(unit).as_str()).unwrap().clone()
}

/// The text of one of a batch's files, by the end of its name.
async fn batch_file(app: &TestApp, staff: &str, batch: &Value, suffix: &str) -> String {
    let name = batch["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .find(|n| n.ends_with(suffix) && !n.starts_with("FA3"))
        .unwrap()
        .to_owned();
    let link = app.staff("GET", &format!("/exports/{}/files/{name}", id(batch)), Some(staff), None).await.expect(200);
    reqwest::get(link["url"].as_str().unwrap()).await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn exports_at_once_close_one_batch_whose_files_hold_exactly_its_settlements() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let mut ours = Vec::new();
    for index in 0..3 {
        let name = format!("Gmina Równoległa {index} {}", crate::helpers::letters_id());
        let unit = unit_with_address(&app, &staff, &name).await;
        ours.push(settled_attendee(&app, &staff, &unit, json!({})).await);
    }
    assert_eq!(ours.len(), 3);

    let exports = join_all((0..3).map(|_| app.staff("POST", "/exports", Some(&staff), None))).await;
    for export in &exports {
        assert!(export.status == 200 || export.status == 409, "export: {} {}", export.status, export.body);
    }
    let closed: Vec<&Value> = exports.iter().filter(|e| e.status == 200).map(|e| &e.body).collect();
    assert!(!closed.is_empty(), "one of the exports closed a batch");
    // Every batch an export answered with is closed and its files name each settlement that
    // points to it — the whole batch, not what one exporter had taken when it wrote.
    let mut batches: BTreeMap<String, Value> = BTreeMap::new();
    for settlement in &ours {
        let now = app.staff("GET", &format!("/settlements/{}", id(settlement)), Some(&staff), None).await.expect(200);
        assert_eq!(now["status"], "exported");
        let batch_id = now["exportBatchId"].as_str().unwrap().to_owned();
        if !batches.contains_key(&batch_id) {
            let batch = app.staff("GET", &format!("/exports/{batch_id}"), Some(&staff), None).await.expect(200);
            batches.insert(batch_id.clone(), batch);
        }
        let batch = &batches[&batch_id];
        assert_eq!(batch["status"], "ready");
        let csv = batch_file(&app, &staff, batch, ".csv").await;
        let number = now["number"].as_str().unwrap();
        assert!(csv.contains(number), "batch {} names {number}", batch["number"]);
    }
    for batch in &closed {
        let fresh = app.staff("GET", &format!("/exports/{}", id(batch)), Some(&staff), None).await.expect(200);
        assert_eq!((fresh["status"].clone(), fresh["files"].clone()), (json!("ready"), batch["files"].clone()));
        let xml = batch_file(&app, &staff, batch, ".xml").await;
        let documents = xml.matches("<Dokument>").count();
        assert_eq!(documents as u64, batch["documents"].as_u64().unwrap(), "the XML holds the batch's documents");
    }
}

#[tokio::test]
async fn staff_waive_a_no_show_before_settling_and_correct_a_settlement_after() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let unit = app.unit(&staff, "Gmina z nieobecnością").await;
    let people = persons(&app, &staff, &id(&unit), 2).await;
    let training =
        completed_training(&app, &staff, &[(people[0].clone(), true), (people[1].clone(), false)], json!({})).await;
    let lines_of_unit = |preview: &Value| {
        preview["drafts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["unitId"] == id(&unit).as_str())
            .map(|d| d["lines"].as_array().unwrap().len())
    };
    let waive_path = format!("/trainings/{training}/enrolments/{}/waive", people[1]);
    let waive = |waived: bool| app.staff("POST", &waive_path, Some(&staff), Some(json!({ "waived": waived })));
    let preview = app
        .staff("POST", "/settlements/preview", Some(&staff), Some(json!({"trainingId": training})))
        .await
        .expect(200);
    assert_eq!(lines_of_unit(&preview), Some(2), "the no-show is charged by default");
    assert_eq!(waive(true).await.expect(200)["chargeWaived"], true);
    let preview = app
        .staff("POST", "/settlements/preview", Some(&staff), Some(json!({"trainingId": training})))
        .await
        .expect(200);
    assert_eq!(lines_of_unit(&preview), Some(1), "a waived no-show is not charged");

    let settled =
        app.staff("POST", "/settlements/settle", Some(&staff), Some(json!({"trainingId": training}))).await.expect(200);
    let ours =
        settled["settlements"].as_array().unwrap().iter().find(|s| s["unitId"] == id(&unit).as_str()).unwrap().clone();
    let settled_path = format!("/trainings/{training}/enrolments/{}/waive", people[0]);
    let refused = app.staff("POST", &settled_path, Some(&staff), Some(json!({"waived": true}))).await;
    assert_eq!(refused.status, 409, "a settled line changes only by a correction");

    // Credited in full by a correction: a new KOR document referring to the original.
    let line_key = ours["lines"][0]["source"]["enrolmentId"].as_str().map(|e| format!("ENR#{e}")).unwrap();
    let correction = app
        .staff(
            "POST",
            &format!("/settlements/{}/corrections", id(&ours)),
            Some(&staff),
            Some(
                json!({"changes": [{"kind": "cancel", "lineKey": line_key}], "reason": "Uczestnik zwolniony z opłaty"}),
            ),
        )
        .await
        .expect(201);
    assert!(correction["number"].as_str().unwrap().starts_with("KOR/"));
    assert_eq!(correction["kind"]["ofNumber"], ours["number"]);
    assert_eq!(correction["lines"][0]["net"], "-450.00");
    assert_eq!(correction["totals"]["gross"], "-450.00");
    let bad = app
        .staff(
            "POST",
            &format!("/settlements/{}/corrections", id(&ours)),
            Some(&staff),
            Some(json!({"changes": [{"kind": "cancel", "lineKey": "ENR#nope"}], "reason": "x"})),
        )
        .await;
    assert_eq!(bad.status, 422);
    let receivables =
        app.staff("GET", &format!("/units/{}/settlements", id(&unit)), Some(&staff), None).await.expect(200);
    assert_eq!(receivables["receivables"]["outstanding"], "0.00");
}

#[tokio::test]
async fn two_corrections_of_one_document_waiting_together_are_both_issued_and_linked() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    let (_, ours) = unit_with_an_issued_settlement(&app, &staff, "Gmina Korygowana").await;
    let original_id = SettlementId::parse(&id(&ours)).unwrap();
    let original = settlement_store::get_settlement(&app.table, original_id).await.unwrap().unwrap();
    // Two corrections written as drafts before any issuer runs (e.g. two staff at once): one
    // issuing transaction may not write the original twice, so they go in two.
    let line_key = original.lines[0].line_key();
    let mut corrections = Vec::new();
    for net in ["250.00", "200.00"] {
        let change = CorrectionChange::Amend { line_key: line_key.clone(), net: dec(net), vat: None };
        let correction = Settlement::correction(&original, &[], &[change], "Rabat", Utc::now()).unwrap();
        let mut tx = Transaction::default();
        settlement_store::add_new_settlement(&mut tx, &app.table, &correction);
        app.table.transact(tx).await.unwrap();
        corrections.push(correction.id);
    }
    issue_every_draft(&app).await;
    let issued = settlement_store::get_settlements_consistent(&app.table, &corrections).await.unwrap();
    assert_eq!(issued.len(), 2);
    for correction in &issued {
        assert_eq!(correction.status, SettlementStatus::Issued);
        assert_eq!(correction.number.unwrap().series, Series::Kor);
    }
    let original = settlement_store::get_settlement(&app.table, original_id).await.unwrap().unwrap();
    let linked: BTreeSet<SettlementId> = original.corrected_by.iter().copied().collect();
    assert_eq!(linked, corrections.iter().copied().collect::<BTreeSet<_>>());
}

#[tokio::test]
async fn a_settlement_whose_buyer_lacks_an_address_is_held_back_until_its_data_is_copied_again() {
    let app = TestApp::spawn().await;
    let staff = app.staff_token().await;
    // A unit without an address: its settlement is held back (named), exported once its data is
    // completed and copied onto the settlement.
    let bare = app.unit(&staff, "Gmina bez adresu").await;
    let held = settled_attendee(&app, &staff, &bare, json!({})).await;
    let attempt = app.staff("POST", "/exports", Some(&staff), None).await;
    let named = attempt.body.to_string().contains(held["number"].as_str().unwrap());
    assert!(named, "the held-back settlement is named: {}", attempt.body);
    let still_issued = app.staff("GET", &format!("/settlements/{}", id(&held)), Some(&staff), None).await.expect(200);
    assert_eq!(still_issued["status"], "issued");
    let version =
        app.staff("GET", &format!("/units/{}", id(&bare)), Some(&staff), None).await.expect(200)["version"].clone();
    app.staff(
        "PATCH",
        &format!("/units/{}", id(&bare)),
        Some(&staff),
        Some(json!({"address": {"street": "ul. Polna 2", "postalCode": "62-070", "city": "Dopiewo"}, "version": version})),
    )
    .await
    .expect(200);
    let refreshed =
        app.staff("POST", &format!("/settlements/{}/buyer", id(&held)), Some(&staff), None).await.expect(200);
    assert_eq!(refreshed["buyer"]["city"], "Dopiewo");
    let _ = app.staff("POST", "/exports", Some(&staff), None).await;
    let exported = app.staff("GET", &format!("/settlements/{}", id(&held)), Some(&staff), None).await.expect(200);
    assert_eq!(exported["status"], "exported");
}
