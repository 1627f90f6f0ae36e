//! Loads demo data that looks like the association's own: every powiat and gmina of
//! Wielkopolska from the TERYT register, some organisational units, generated persons with
//! Polish names, memberships, contact history and tasks — written through the same use cases
//! the APIs call, so keys, search entries and audit trail are the real ones.
//!
//! Usage: `seed --users-out .local/demo-users.json` (env: TABLE_NAME, AWS_* as for the functions).
//! Running it again on a seeded table changes nothing and rewrites the users file.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use ewokiss_adapters::app::Registry;
use ewokiss_adapters::config::aws_sdk_config;
use ewokiss_adapters::dynamo::registry as store;
use ewokiss_adapters::dynamo::Table;
use ewokiss_adapters::training_app::{EnrolInput, PhaseInput};
use ewokiss_domain::access::Actor;
use ewokiss_domain::history::{NewContactEvent, ObjectKind, ObjectRef};
use ewokiss_domain::ids::{PersonId, UnitId};
use ewokiss_domain::person::NewPerson;
use ewokiss_domain::search;
use ewokiss_domain::task::TaskInput;
use ewokiss_domain::teryt::{self, TerytKind};
use ewokiss_domain::training::{SessionInput, TrainingInput, VenueInput};
use ewokiss_domain::unit::{AddressInput, UnitInput};
use serde::Serialize;

const PASSWORD: &str = "Demo-Wokiss-2026";
const KORNIK: &str = "3021093";
const CZERWONAK: &str = "3021042";
const POZNAN: &str = "3064";

/// A small deterministic generator: the same demo data on every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST_F: &[&str] = &[
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Elżbieta",
    "Zofia",
    "Joanna",
    "Magdalena",
    "Monika",
    "Dorota",
    "Beata",
    "Jolanta",
    "Grażyna",
    "Łucja",
    "Bożena",
    "Urszula",
    "Halina",
];
const FIRST_M: &[&str] = &[
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Michał",
    "Marcin",
    "Grzegorz",
    "Józef",
    "Łukasz",
    "Wojciech",
    "Mariusz",
    "Zbigniew",
    "Jerzy",
    "Tadeusz",
    "Mirosław",
    "Sławomir",
    "Jarosław",
    "Maciej",
    "Bartłomiej",
];
const LAST: &[(&str, &str)] = &[
    ("Nowak", "Nowak"),
    ("Kowalski", "Kowalska"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"),
    ("Kwiatkowski", "Kwiatkowska"),
    ("Krawczyk", "Krawczyk"),
    ("Piotrowski", "Piotrowska"),
    ("Grabowski", "Grabowska"),
    ("Nowakowski", "Nowakowska"),
    ("Pawłowski", "Pawłowska"),
    ("Michalski", "Michalska"),
    ("Król", "Król"),
    ("Wieczorek", "Wieczorek"),
    ("Jabłoński", "Jabłońska"),
    ("Wróbel", "Wróbel"),
    ("Majewski", "Majewska"),
    ("Olszewski", "Olszewska"),
    ("Stępień", "Stępień"),
    ("Jaworski", "Jaworska"),
    ("Malinowski", "Malinowska"),
    ("Górski", "Górska"),
    ("Sikora", "Sikora"),
    ("Walczak", "Walczak"),
    ("Baran", "Baran"),
    ("Łuczak", "Łuczak"),
    ("Ślusarczyk", "Ślusarczyk"),
];
const POSITIONS: &[&str] = &[
    "Sekretarz",
    "Skarbnik",
    "Kierownik Referatu Oświaty",
    "Inspektor ds. kadr",
    "Kierownik USC",
    "Informatyk",
    "Inspektor ds. zamówień publicznych",
    "Główny księgowy",
    "Radca prawny",
    "Inspektor ds. funduszy unijnych",
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DemoUser {
    username: String,
    password: String,
    email: String,
    name: String,
    group: &'static str,
    unit_id: Option<String>,
    person_id: Option<String>,
    description: String,
}

/// Demo coordinates: the seat of each powiat (approximate, to ~1 km); a gmina gets its powiat's
/// seat unless listed in [`GMINA_OFFICES`]. Enough to try "units within N km of the venue".
const POWIAT_SEATS: &[(&str, &str, &str)] = &[
    ("3001", "52.9950", "16.9200"), // Chodzież
    ("3002", "52.9020", "16.5630"), // Czarnków
    ("3003", "52.5350", "17.5830"), // Gniezno
    ("3004", "51.8800", "17.0130"), // Gostyń
    ("3005", "52.2280", "16.3650"), // Grodzisk Wielkopolski
    ("3006", "51.9730", "17.5020"), // Jarocin
    ("3007", "51.7570", "18.0850"), // Kalisz
    ("3008", "51.2780", "17.9880"), // Kępno
    ("3009", "52.2000", "18.6380"), // Koło
    ("3010", "52.2230", "18.2510"), // Konin
    ("3011", "52.0870", "16.6450"), // Kościan
    ("3012", "51.6970", "17.4370"), // Krotoszyn
    ("3013", "51.8430", "16.5750"), // Leszno
    ("3014", "52.6000", "15.8980"), // Międzychód
    ("3015", "52.3180", "16.1290"), // Nowy Tomyśl
    ("3016", "52.6480", "16.8140"), // Oborniki
    ("3017", "51.6550", "17.8070"), // Ostrów Wielkopolski
    ("3018", "51.4260", "17.9330"), // Ostrzeszów
    ("3019", "53.1510", "16.7380"), // Piła
    ("3020", "51.8970", "17.7860"), // Pleszew
    ("3021", "52.4060", "16.9250"), // Poznań (seat of powiat poznański)
    ("3022", "51.6090", "16.8580"), // Rawicz
    ("3023", "52.2870", "17.8720"), // Słupca
    ("3024", "52.6120", "16.5770"), // Szamotuły
    ("3025", "52.2280", "17.2770"), // Środa Wielkopolska
    ("3026", "52.0890", "17.0150"), // Śrem
    ("3027", "52.0150", "18.5000"), // Turek
    ("3028", "52.8080", "17.1990"), // Wągrowiec
    ("3029", "52.1160", "16.1150"), // Wolsztyn
    ("3030", "52.3250", "17.5660"), // Września
    ("3031", "53.3610", "17.0400"), // Złotów
    ("3061", "51.7570", "18.0850"), // Kalisz
    ("3062", "52.2230", "18.2510"), // Konin
    ("3063", "51.8430", "16.5750"), // Leszno
    ("3064", "52.4060", "16.9250"), // Poznań
];
const GMINA_OFFICES: &[(&str, &str, &str)] = &[(KORNIK, "52.2475", "17.0969"), (CZERWONAK, "52.4720", "16.9810")];

fn demo_coordinates(teryt: &str) -> Option<(String, String)> {
    let exact = GMINA_OFFICES.iter().find(|(code, ..)| *code == teryt);
    let seat = || POWIAT_SEATS.iter().find(|(code, ..)| teryt.starts_with(code));
    exact.or_else(seat).map(|(_, lat, lon)| (lat.to_string(), lon.to_string()))
}

fn unit_name(kind: TerytKind, name: &str) -> String {
    match kind {
        TerytKind::Powiat => format!("Powiat {name}"),
        TerytKind::MiastoNaPrawachPowiatu => format!("Miasto {name}"),
        TerytKind::GminaMiejska => format!("Miasto {name}"),
        TerytKind::GminaWiejska | TerytKind::GminaMiejskoWiejska => format!("Gmina {name}"),
    }
}

/// A valid NIP/REGON-9 from 9/8 generated digits (check digit 10 → next candidate).
fn with_check_digit(rng: &mut Lcg, weights: &[u32], ten_is_zero: bool) -> String {
    loop {
        let digits: Vec<u32> =
            (0..weights.len()).map(|i| if i == 0 { 1 + rng.below(9) as u32 } else { rng.below(10) as u32 }).collect();
        let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
        let check = match sum % 11 {
            10 if ten_is_zero => 0,
            10 => continue,
            c => c,
        };
        return digits.iter().chain(std::iter::once(&check)).map(|d| char::from(b'0' + *d as u8)).collect();
    }
}

fn slug(name: &str) -> String {
    search::fold(name).replace(' ', "-")
}

fn system_actor() -> Actor {
    Actor::from_claims("system-demo".into(), "Dane demonstracyjne".into(), None, &["staff".into()], None, None)
        .expect("staff actor")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut users_out = PathBuf::from(".local/demo-users.json");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--users-out" => users_out = PathBuf::from(args.next().ok_or("--users-out needs a path")?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let table_name = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let sdk = aws_sdk_config().await;
    let table = Table::new(&sdk, &table_name);
    // Loading into an empty table: batch writes instead of transactions (same items, same keys).
    let registry = Registry::new(table.for_bulk_load());
    let actor = system_actor();

    let poznan_id = UnitId::derived("teryt", POZNAN);
    if store::get_unit(&table, poznan_id).await?.is_none() {
        let people = load(&registry, &actor).await?;
        // Enrolment takes seats through conditional transactions, which the bulk loader
        // refuses: trainings go through a registry on the plain table.
        trainings(&Registry::new(table.clone()), &actor, &people).await?;
        contracts(&registry, &actor).await?;
    } else {
        eprintln!("demo data already present in {table_name}: nothing loaded");
    }
    let users = demo_users(&table).await?;
    if let Some(dir) = users_out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&users_out, serde_json::to_vec_pretty(&users)?)?;
    eprintln!("demo users written to {}", users_out.display());
    Ok(())
}

/// Persons created by [`load`], by unit, plus the named demo persons.
#[derive(Default)]
struct DemoPeople {
    by_unit: Vec<(UnitId, PersonId)>,
    named: Vec<PersonId>,
}

impl DemoPeople {
    fn of(&self, unit: UnitId) -> Vec<PersonId> {
        self.by_unit.iter().filter(|(u, _)| *u == unit).map(|(_, p)| *p).collect()
    }
}

async fn load(registry: &Registry, actor: &Actor) -> Result<DemoPeople, Box<dyn std::error::Error>> {
    let mut people = DemoPeople::default();
    let mut rng = Lcg(20261127);
    let mut used_emails = HashSet::new();
    let mut unit_count = 0;
    let mut person_count = 0;
    let entries: Vec<_> = teryt::all()
        .iter()
        // A city with powiat rights is one unit (its 30NN011 gmina row is the same city).
        .filter(|e| {
            !(e.kind == TerytKind::GminaMiejska
                && teryt::lookup(&e.code[..4]).is_some_and(|p| p.kind == TerytKind::MiastoNaPrawachPowiatu))
        })
        .collect();
    let mut roots = Vec::new();
    for entry in &entries {
        let name = unit_name(entry.kind, entry.name);
        let member = rng.below(100) < 85;
        let since =
            NaiveDate::from_ymd_opt(1990 + rng.below(34) as i32, 1 + rng.below(12) as u32, 1).expect("valid date");
        let city = entry.name.to_string();
        let (latitude, longitude) = demo_coordinates(entry.code).unzip();
        let input = UnitInput {
            kind: Some(entry.kind.as_str().into()),
            name: Some(name.clone()),
            teryt: Some(entry.code.into()),
            nip: Some(with_check_digit(&mut rng, &[6, 5, 7, 2, 3, 4, 5, 6, 7], false)),
            regon: Some(with_check_digit(&mut rng, &[8, 9, 2, 3, 4, 5, 6, 7], true)),
            address: Some(AddressInput {
                street: Some(format!(
                    "ul. {} {}",
                    rng.pick(&["Rynek", "Główna", "Poznańska", "Kościuszki", "Wolności", "Dworcowa"]),
                    1 + rng.below(40)
                )),
                postal_code: Some(format!("6{}-{:03}", rng.below(5), rng.below(1000))),
                city: Some(city),
            }),
            email: Some(format!("sekretariat@{}.pl", slug(entry.name))),
            phone: Some(format!(
                "6{} {:03} {:02} {:02}",
                1 + rng.below(8),
                rng.below(1000),
                rng.below(100),
                rng.below(100)
            )),
            member_since: member.then(|| since.to_string()),
            latitude,
            longitude,
            segments: Some(
                ["EDU", "LEX", "PIAS+", "CWE", "ZZG/P"]
                    .iter()
                    .filter(|_| rng.below(2) == 0)
                    .map(|s| s.to_string())
                    .collect(),
            ),
            ..Default::default()
        };
        let unit = create_unit_with_id(registry, actor, input, UnitId::derived("teryt", entry.code)).await?;
        unit_count += 1;
        roots.push(unit);
    }
    // Organisational units of a few units, to show the tree.
    let mut org_units = Vec::new();
    for (code, names) in [
        (KORNIK, &["Szkoła Podstawowa nr 1 w Kórniku", "Ośrodek Pomocy Społecznej w Kórniku"][..]),
        (POZNAN, &["Zarząd Dróg Miejskich w Poznaniu", "Miejski Ośrodek Pomocy Rodzinie w Poznaniu"][..]),
        ("3021", &["Starostwo Powiatowe w Poznaniu"][..]),
        (CZERWONAK, &["Gminny Ośrodek Kultury Sokół w Czerwonaku"][..]),
    ] {
        for name in names {
            let input = UnitInput {
                kind: Some("jednostka_organizacyjna".into()),
                name: Some((*name).into()),
                parent_id: Some(UnitId::derived("teryt", code).to_string()),
                ..Default::default()
            };
            let unit = registry.create_unit(actor, input).await.map_err(|e| format!("{name}: {e:?}"))?.unit;
            unit_count += 1;
            org_units.push(unit);
        }
    }
    // Persons: a head and a few staff per unit.
    for unit in roots.iter().chain(org_units.iter()) {
        let head = match unit.kind.code() {
            "gmina_wiejska" => "Wójt",
            "gmina_miejska" | "gmina_miejsko_wiejska" => "Burmistrz",
            "miasto_na_prawach_powiatu" => "Prezydent Miasta",
            "powiat" => "Starosta",
            _ => "Dyrektor",
        };
        let count = 2 + rng.below(4);
        for index in 0..count {
            let female = rng.below(2) == 0;
            let first = if female { *rng.pick(FIRST_F) } else { *rng.pick(FIRST_M) };
            let (male_last, female_last) = *rng.pick(LAST);
            let last = if female { female_last } else { male_last };
            let domain = unit
                .email
                .as_ref()
                .and_then(|e| e.as_str().split('@').nth(1).map(str::to_owned))
                .unwrap_or_else(|| format!("{}.pl", slug(&unit.name)));
            let mut email = format!("{}.{}@{domain}", slug(first), slug(last));
            let mut n = 2;
            while !used_emails.insert(email.clone()) {
                email = format!("{}.{}{n}@{domain}", slug(first), slug(last));
                n += 1;
            }
            let input = NewPerson {
                first_name: Some(first.into()),
                last_name: Some(last.into()),
                position: Some(if index == 0 { head.to_string() } else { rng.pick(POSITIONS).to_string() }),
                email: Some(email),
                phone: Some(format!("{} {:03} {:03}", 500 + rng.below(300), rng.below(1000), rng.below(1000))),
                unit_id: Some(unit.id.to_string()),
                confirm_duplicate: true,
            };
            let view =
                registry.create_person(actor, input).await.map_err(|e| format!("person in {}: {e:?}", unit.name))?;
            people.by_unit.push((unit.id, view.person.id));
            person_count += 1;
        }
    }
    // The people the demo and the browser tests talk about.
    let kornik = UnitId::derived("teryt", KORNIK);
    let czerwonak = UnitId::derived("teryt", CZERWONAK);
    let named = [
        ("Stanisław", "Żółkiewski", "Sekretarz Gminy", "stanislaw.zolkiewski@kornik.pl", kornik),
        ("Katarzyna", "Wiśniewska-Łęcka", "Inspektor ds. oświaty", "katarzyna.lecka@kornik.pl", kornik),
        ("Henryk", "Sienkiewicz", "Skarbnik Gminy", "henryk.sienkiewicz@czerwonak.pl", czerwonak),
    ];
    for (first, last, position, email, unit) in named {
        let input = NewPerson {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            position: Some(position.into()),
            email: Some(email.into()),
            phone: Some("61 817 04 11".into()),
            unit_id: Some(unit.to_string()),
            confirm_duplicate: true,
        };
        let person = registry.create_person(actor, input).await.map_err(|e| format!("{first} {last}: {e:?}"))?.person;
        people.named.push(person.id);
        person_count += 1;
        let note = NewContactEvent {
            kind: Some("call".into()),
            subject: Some("Pytanie o szkolenie z zamówień publicznych".into()),
            body: Some("Prosi o informację o najbliższym terminie; wyślemy zaproszenie.".into()),
            person_ids: vec![],
        };
        registry
            .add_event(actor, ObjectRef { kind: ObjectKind::Person, id: person.id.to_string(), label: None }, note)
            .await
            .map_err(|e| format!("{e:?}"))?;
    }
    // Contact history and tasks across units.
    for (index, unit) in roots.iter().enumerate().filter(|(i, _)| i % 7 == 0) {
        let (kind, subject) = *rng.pick(&[
            ("note", "Uwagi po szkoleniu z RODO"),
            ("call", "Rozmowa o składce członkowskiej"),
            ("meeting", "Spotkanie w sprawie programu PIAS+"),
            ("call", "Zgłoszenie zmiany sekretarza"),
        ]);
        let event =
            NewContactEvent { kind: Some(kind.into()), subject: Some(subject.into()), body: None, person_ids: vec![] };
        registry
            .add_event(actor, ObjectRef { kind: ObjectKind::Unit, id: unit.id.to_string(), label: None }, event)
            .await
            .map_err(|e| format!("{e:?}"))?;
        if index % 21 == 0 {
            let task = TaskInput {
                title: Some(format!("Przygotować ofertę szkoleń dla: {}", unit.name)),
                due_on: Some(format!("2026-12-{:02}", 1 + rng.below(28))),
                links: Some(vec![ObjectRef { kind: ObjectKind::Unit, id: unit.id.to_string(), label: None }]),
                ..Default::default()
            };
            registry.create_task(actor, task).await.map_err(|e| format!("{e:?}"))?;
        }
    }
    eprintln!("loaded {unit_count} units and {person_count} persons");
    Ok(people)
}

/// Long-term contracts of a few units, started in the past so the billing preview of the current
/// month has something to bill (staff run it from "Rozliczenia"; nothing is billed here).
async fn contracts(registry: &Registry, actor: &Actor) -> Result<(), Box<dyn std::error::Error>> {
    let year = ewokiss_domain::time::today().year();
    let contracts = [
        (
            KORNIK,
            "Obsługa prawna LEX (abonament)",
            "monthly",
            "advance",
            "calendar_days",
            "1 200,00",
            "23",
            format!("{year}-02-15"),
        ),
        (
            KORNIK,
            "Platforma e-learningowa EDU",
            "yearly",
            "advance",
            "months",
            "6 000,00",
            "zw",
            format!("{year}-04-01"),
        ),
        (
            CZERWONAK,
            "Doradztwo PIAS+ (pakiet kwartalny)",
            "quarterly",
            "arrears",
            "calendar_days",
            "3 000,00",
            "23",
            format!("{year}-02-15"),
        ),
        (
            POZNAN,
            "Obsługa kadrowo-płacowa ZZG/P",
            "monthly",
            "advance",
            "calendar_days",
            "4 500,00",
            "23",
            format!("{year}-01-01"),
        ),
        (
            "3001",
            "Szkolenia zamknięte CWE (ryczałt półroczny)",
            "half_yearly",
            "advance",
            "calendar_days",
            "9 000,00",
            "zw",
            format!("{year}-03-10"),
        ),
        (
            "3025",
            "Obsługa prawna LEX (abonament)",
            "monthly",
            "arrears",
            "calendar_days",
            "800,00",
            "23",
            format!("{}-11-01", year - 1),
        ),
    ];
    let count = contracts.len();
    for (teryt, subject, cycle, timing, pro_rata, net, vat, start) in contracts {
        let input = ewokiss_domain::contract::ContractInput {
            unit_id: Some(UnitId::derived("teryt", teryt).to_string()),
            subject: Some(subject.into()),
            start: Some(start),
            end: None,
            cycle: Some(cycle.into()),
            timing: Some(timing.into()),
            pro_rata: Some(pro_rata.into()),
            price_net: Some(net.into()),
            vat: Some(vat.into()),
            vat_exempt_basis: None,
        };
        registry.create_contract(actor, input).await.map_err(|e| format!("contract {subject}: {e:?}"))?;
    }
    eprintln!("loaded {count} long-term contracts");
    Ok(())
}

fn session(day: NaiveDate, start: &str, end: &str) -> SessionInput {
    SessionInput { date: Some(day.to_string()), start: Some(start.into()), end: Some(end.into()), hours: None }
}

/// Venues, trainings in the phases the rules allow for dates from today on (planned,
/// recruiting, cancelled), and enrolments: one training full with a waiting list, one closed
/// for Gmina Kórnik, the demo participant on one.
async fn trainings(registry: &Registry, actor: &Actor, people: &DemoPeople) -> Result<(), Box<dyn std::error::Error>> {
    let err = |what: &str| {
        let what = what.to_owned();
        move |e: ewokiss_adapters::http::ApiError| format!("{what}: {e:?}")
    };
    let mut venues = Vec::new();
    for (name, street, postal, city, capacity, lat, lon) in [
        ("Centrum Szkoleniowe WOKiSS", "ul. Wielka 1", "61-775", "Poznań", 40, "52.407940", "16.934420"),
        ("Sala konferencyjna Hotelu Europa", "ul. Parczewskiego 1", "62-800", "Kalisz", 60, "51.757670", "18.085420"),
        ("Centrum Kultury i Sztuki w Koninie", "ul. Aleje 1 Maja 2", "62-510", "Konin", 120, "52.222780", "18.251340"),
    ] {
        let input = VenueInput {
            name: Some(name.into()),
            address: Some(AddressInput {
                street: Some(street.into()),
                postal_code: Some(postal.into()),
                city: Some(city.into()),
            }),
            capacity: Some(capacity),
            latitude: Some(lat.into()),
            longitude: Some(lon.into()),
            notes: None,
            version: None,
        };
        venues.push(registry.create_venue(actor, input).await.map_err(err(name))?);
    }
    let today = ewokiss_domain::time::warsaw_date(chrono::Utc::now());
    let day = |n: i64| today + chrono::Duration::days(n);
    let kornik = UnitId::derived("teryt", KORNIK);
    let trainer_pool = people.of(UnitId::derived("teryt", POZNAN));
    let trainer = |n: usize| trainer_pool.get(n).map(|p| vec![p.to_string()]);

    struct Plan {
        kind: &'static str,
        title: &'static str,
        description: &'static str,
        sessions: Vec<SessionInput>,
        venue: Option<usize>,
        capacity: u32,
        min: u32,
        price: &'static str,
        vat: &'static str,
        members_free: bool,
        deadlines: Option<(i64, i64)>,
        closed_for_kornik: bool,
        to: &'static [&'static str],
    }
    let plans = vec![
        Plan {
            kind: "EDU-OPEN",
            title: "Zamówienia publiczne w praktyce — zmiany 2026",
            description: "Dwudniowe szkolenie dla pracowników urzędów: planowanie, przygotowanie i udzielanie zamówień, kontrola.",
            sessions: vec![session(day(14), "09:00", "15:00"), session(day(15), "09:00", "13:00")],
            venue: Some(0),
            capacity: 24,
            min: 8,
            price: "450,00",
            vat: "zw",
            members_free: true,
            deadlines: Some((10, 7)),
            closed_for_kornik: false,
            to: &["recruiting"],
        },
        Plan {
            kind: "EDU-OPEN",
            title: "Kontrola zarządcza w jednostkach samorządu",
            description: "Warsztaty w małej grupie: samoocena, rejestr ryzyk, dokumentacja.",
            sessions: vec![session(day(21), "10:00", "15:00")],
            venue: Some(1),
            capacity: 3,
            min: 2,
            price: "390,00",
            vat: "zw",
            members_free: false,
            deadlines: Some((17, 14)),
            closed_for_kornik: false,
            to: &["recruiting"],
        },
        Plan {
            kind: "EDU-CLOSED",
            title: "Procedura budżetowa — szkolenie dla Gminy Kórnik",
            description: "Szkolenie zamknięte dla pracowników Urzędu Miejskiego w Kórniku i jednostek gminy.",
            sessions: vec![session(day(28), "09:00", "14:00")],
            venue: Some(0),
            capacity: 15,
            min: 5,
            price: "0,00",
            vat: "zw",
            members_free: true,
            deadlines: Some((21, 21)),
            closed_for_kornik: true,
            to: &["recruiting"],
        },
        Plan {
            kind: "PIAS-IT",
            title: "Cyberbezpieczeństwo w urzędzie (KSC)",
            description: "Obowiązki JST wynikające z ustawy o krajowym systemie cyberbezpieczeństwa; ćwiczenia z phishingu.",
            sessions: vec![session(day(35), "09:00", "13:00"), session(day(42), "09:00", "13:00")],
            venue: Some(2),
            capacity: 40,
            min: 10,
            price: "520,00",
            vat: "23",
            members_free: false,
            deadlines: Some((30, 28)),
            closed_for_kornik: false,
            to: &["recruiting"],
        },
        Plan {
            kind: "LEX-SEMINAR",
            title: "Seminarium: plan ogólny gminy",
            description: "Konsultacje prawne dla gmin przygotowujących plan ogólny.",
            sessions: vec![session(day(56), "10:00", "14:00")],
            venue: Some(2),
            capacity: 80,
            min: 0,
            price: "0,00",
            vat: "zw",
            members_free: true,
            deadlines: None,
            closed_for_kornik: false,
            to: &[],
        },
        Plan {
            kind: "CWE-WORKSHOP",
            title: "Warsztaty: komunikacja z mieszkańcami",
            description: "Odwołane z powodu choroby prowadzącego.",
            sessions: vec![session(day(18), "09:00", "15:00")],
            venue: Some(1),
            capacity: 20,
            min: 8,
            price: "300,00",
            vat: "8",
            members_free: false,
            deadlines: None,
            closed_for_kornik: false,
            to: &["recruiting", "cancelled"],
        },
    ];
    let mut created = Vec::new();
    for (n, plan) in plans.into_iter().enumerate() {
        let input = TrainingInput {
            kind: Some(plan.kind.into()),
            title: Some(plan.title.into()),
            description: Some(plan.description.into()),
            sessions: Some(plan.sessions),
            trainer_ids: trainer(n),
            venue_id: plan.venue.map(|v| venues[v].id.to_string()),
            capacity: Some(plan.capacity),
            min_participants: Some(plan.min),
            price_net: Some(plan.price.into()),
            vat: Some(plan.vat.into()),
            members_free: Some(plan.members_free),
            enrolment_deadline: plan.deadlines.map(|(e, _)| day(e).to_string()),
            cancellation_deadline: plan.deadlines.map(|(_, c)| day(c).to_string()),
            visibility: Some(if plan.closed_for_kornik { "units" } else { "public" }.into()),
            visible_unit_ids: plan.closed_for_kornik.then(|| vec![kornik.to_string()]),
            ..Default::default()
        };
        let mut training = registry.create_training(actor, input).await.map_err(err(plan.title))?;
        for to in plan.to {
            let input = PhaseInput { to: Some((*to).into()) };
            training = registry.change_phase(actor, training.id, input).await.map_err(err(plan.title))?;
        }
        created.push(training);
    }
    // Enrolments (staff enrol on behalf of the units).
    let kornik_people: Vec<PersonId> = people.of(kornik);
    let participant = people.named.get(1).copied(); // Katarzyna Wiśniewska-Łęcka
    let zolkiewski = people.named.first().copied();
    let others: Vec<PersonId> =
        people.by_unit.iter().filter(|(u, _)| *u != kornik).step_by(97).map(|(_, p)| *p).take(12).collect();
    let ids = |list: Vec<PersonId>| list.into_iter().map(|p| p.to_string()).collect::<Vec<_>>();
    let enrolments = [
        (0, ids(participant.into_iter().chain(others.iter().take(5).copied()).collect())),
        (1, ids(others.iter().skip(5).take(5).copied().collect())),
        (2, ids(zolkiewski.into_iter().chain(kornik_people.iter().take(2).copied()).collect())),
        (3, ids(others.iter().skip(10).take(2).copied().collect())),
    ];
    let mut count = 0;
    for (index, person_ids) in enrolments {
        let training = &created[index];
        for person in person_ids {
            // One by one: the waiting list keeps this order.
            let results = registry
                .enrol(actor, training.id, EnrolInput { person_ids: vec![person] })
                .await
                .map_err(err(&training.title))?;
            for result in results {
                if result.outcome == "refused" {
                    return Err(format!("{}: {:?}", training.title, result.error).into());
                }
                count += 1;
            }
        }
    }
    eprintln!("loaded {} venues, {} trainings and {count} enrolments", venues.len(), created.len());
    Ok(())
}

/// Demo units get ids derived from their TERYT code, so logins can name them on any machine.
async fn create_unit_with_id(
    registry: &Registry,
    actor: &Actor,
    input: UnitInput,
    id: UnitId,
) -> Result<ewokiss_domain::unit::Unit, Box<dyn std::error::Error>> {
    let now = chrono::Utc::now();
    let mut unit = input.create(None, now).map_err(|e| format!("{e:?}"))?;
    unit.id = id;
    let audit = ewokiss_domain::history::AuditEntry::new(
        actor.as_user_ref(),
        now,
        ewokiss_domain::history::AuditAction::Create,
        ewokiss_domain::unit::creation_changes(&unit),
    );
    store::create_unit(&registry.table, &unit, &audit).await?;
    Ok(unit)
}

async fn demo_users(table: &Table) -> Result<Vec<DemoUser>, Box<dyn std::error::Error>> {
    let kornik = UnitId::derived("teryt", KORNIK);
    let czerwonak = UnitId::derived("teryt", CZERWONAK);
    let participant =
        store::person_with_email(table, "katarzyna.lecka@kornik.pl").await?.ok_or("participant person missing")?;
    let user = |username: &str,
                name: &str,
                group: &'static str,
                unit: Option<UnitId>,
                person: Option<PersonId>,
                description: &str| DemoUser {
        username: username.into(),
        password: PASSWORD.into(),
        email: username.into(),
        name: name.into(),
        group,
        unit_id: unit.map(|u| u.to_string()),
        person_id: person.map(|p| p.to_string()),
        description: description.into(),
    };
    Ok(vec![
        user("anna.nowak@wokiss.pl", "Anna Nowak", "staff", None, None, "pracownik WOKiSS (CRM)"),
        user(
            "admin@kornik.pl",
            "Joanna Kórnicka",
            "unit-admin",
            Some(kornik),
            None,
            "administrator jednostki: Gmina Kórnik",
        ),
        user(
            "admin@czerwonak.pl",
            "Marek Czerwiński",
            "unit-admin",
            Some(czerwonak),
            None,
            "administrator jednostki: Gmina Czerwonak",
        ),
        user(
            "katarzyna.lecka@kornik.pl",
            "Katarzyna Wiśniewska-Łęcka",
            "participant",
            Some(kornik),
            Some(participant),
            "uczestnik (Gmina Kórnik)",
        ),
    ])
}
