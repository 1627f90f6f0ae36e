//! Tests of the accounting export across its formats, on one sample batch: an ordinary
//! settlement with 23 % and exempt lines (for a gmina, with its school as the recipient), a
//! quarterly contract settlement with 8 %, 5 % and 0 % lines, and a correction of the first.
//!
//! The XML is read back with an independent parser (`xmlparser`), never by string matching
//! alone. When `EWOKISS_ACCOUNTING_SAMPLES` names a directory, the sample files are written
//! there for `scripts/validate-accounting-xml.py`, which validates them against the XSDs.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::ids::UnitId;
use crate::training::{VatTreatment, DEFAULT_EXEMPT_BASIS};
use crate::unit::{Address, Unit, UnitInput};
use crate::values::{Email, Nip, PostalCode, Regon, Teryt};

// ------------------------------------------------------------------------------ fixtures

fn dec(raw: &str) -> Decimal {
    raw.parse().unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn rate(percent: u32) -> VatTreatment {
    VatTreatment::Rate { percent: Decimal::from(percent) }
}

const SPECIAL_NAME: &str = "Szkoła Podstawowa nr 1 im. \"Żółkiewskiego\" & <Filia> w Kórniku";
const CUSTOM_BASIS: &str = "art. 43 ust. 1 pkt 26 lit. a ustawy o VAT";

fn gmina() -> ExportContractor {
    ExportContractor {
        unit_id: UnitId::derived("teryt", "3021093"),
        code: contractor_code(UnitId::derived("teryt", "3021093"), Some(&Teryt::parse("3021093").unwrap())),
        name: "Gmina Kórnik".into(),
        nip: Some(Nip::parse("777-000-25-53").unwrap()),
        regon: Some(Regon::parse("630257843").unwrap()),
        street: "pl. Niepodległości 1".into(),
        postal_code: PostalCode::parse("62-035").unwrap(),
        city: "Kórnik".into(),
        country: "PL".into(),
        email: Some(Email::parse("sekretariat@kornik.pl").unwrap()),
    }
}

fn school() -> ExportContractor {
    let id = UnitId::derived("demo-unit", "sp1-kornik");
    ExportContractor {
        unit_id: id,
        code: contractor_code(id, None),
        name: SPECIAL_NAME.into(),
        nip: None,
        regon: Some(Regon::parse("63025784300014").unwrap()),
        street: "ul. Poznańska 34".into(),
        postal_code: PostalCode::parse("62035").unwrap(),
        city: "Kórnik".into(),
        country: "PL".into(),
        email: None,
    }
}

fn powiat() -> ExportContractor {
    ExportContractor {
        unit_id: UnitId::derived("teryt", "3021"),
        code: contractor_code(UnitId::derived("teryt", "3021"), Some(&Teryt::parse("3021").unwrap())),
        name: "Powiat Poznański".into(),
        nip: Some(Nip::parse("7850000125").unwrap()),
        regon: None,
        street: "ul. Jackowskiego 18".into(),
        postal_code: PostalCode::parse("60-509").unwrap(),
        city: "Poznań".into(),
        country: "PL".into(),
        email: None,
    }
}

fn seller() -> SellerInfo {
    SellerInfo {
        nip: Nip::parse("1234563218").unwrap(),
        name: "Wielkopolski Ośrodek Kształcenia i Studiów Samorządowych".into(),
        street: "ul. Przykładowa 1".into(),
        postal_code: PostalCode::parse("61-001").unwrap(),
        city: "Poznań".into(),
        email: Some(Email::parse("ksiegowosc@example.org").unwrap()),
        phone: Some("61 000 00 00".into()),
        bank_account: Some("12 1020 4027 0000 1102 0000 0001".into()),
    }
}

/// An ordinary settlement: two participants at 23 % (one priced so that VAT rounds half-up),
/// one exempt training with the default basis and one with another basis.
fn settlement() -> ExportDocument {
    ExportDocumentInput {
        number: "ROZ/000123/2027".into(),
        kind: DocumentKind::Settlement,
        issue_date: day(2027, 3, 20),
        sale: SaleDate::Day { date: day(2027, 3, 13) },
        payment_due: day(2027, 4, 3),
        buyer: gmina(),
        recipient: Some(school()),
        lines: vec![
            ExportLine::new(
                "Jan Kowalski — Zamówienia publiczne <2027> & \"praktyka\", 12–13.03.2027",
                Decimal::ONE,
                dec("450.00"),
                rate(23),
            )
            .with_service_date(day(2027, 3, 13)),
            ExportLine::new("Zażółć Gęślą — materiały; zestaw", Decimal::ONE, dec("0.50"), rate(23)),
            ExportLine::new(
                "Anna Nowak — Kodeks postępowania administracyjnego, 10.03.2027",
                Decimal::ONE,
                dec("300.00"),
                VatTreatment::exempt_default(),
            )
            .with_service_date(day(2027, 3, 10)),
            ExportLine::new(
                "=Anna Nowak — doradztwo",
                Decimal::from(2),
                dec("125.25"),
                VatTreatment::Exempt { basis: CUSTOM_BASIS.into() },
            ),
        ],
    }
    .build()
    .unwrap()
}

/// A contract billed for a quarter, with every other rate.
fn contract_settlement() -> ExportDocument {
    ExportDocumentInput {
        number: "ROZ/000124/2027".into(),
        kind: DocumentKind::Settlement,
        issue_date: day(2027, 4, 1),
        sale: SaleDate::Period { from: day(2027, 2, 10), to: day(2027, 3, 31) },
        payment_due: day(2027, 4, 15),
        buyer: powiat(),
        recipient: None,
        lines: vec![
            ExportLine::new(
                "Umowa LEX 12/2026 — I kwartał 2027 (od 10.02.2027, 50/90 dni)",
                Decimal::ONE,
                dec("1666.67"),
                rate(23),
            ),
            ExportLine::new("Publikacje", Decimal::from(3), dec("19.99"), rate(8)),
            ExportLine::new("Biuletyn", Decimal::ONE, dec("10.50"), rate(5)),
            ExportLine::new("Usługa 0 %", Decimal::ONE, dec("100.00"), rate(0)),
        ],
    }
    .build()
    .unwrap()
}

/// Takes back the first participant of [`settlement`].
fn correction() -> ExportDocument {
    ExportDocumentInput {
        number: "KOR/000007/2027".into(),
        kind: DocumentKind::Correction {
            of_number: "ROZ/000123/2027".into(),
            of_issue_date: day(2027, 3, 20),
            of_invoice_number: Some("FS-45/27/WOK".into()),
            of_ksef_number: None,
            reason: "Uczestnik nieobecny — rezygnacja zgłoszona przed szkoleniem".into(),
        },
        issue_date: day(2027, 3, 25),
        sale: SaleDate::Day { date: day(2027, 3, 13) },
        payment_due: day(2027, 4, 8),
        buyer: gmina(),
        recipient: Some(school()),
        lines: vec![ExportLine::new(
            "Jan Kowalski — Zamówienia publiczne <2027> & \"praktyka\", 12–13.03.2027",
            Decimal::NEGATIVE_ONE,
            dec("450.00"),
            rate(23),
        )],
    }
    .build()
    .unwrap()
}

fn batch() -> ExportBatchContent {
    let documents = vec![settlement(), contract_settlement(), correction()];
    ExportBatchContent {
        batch_number: "EXP/0007/2027".into(),
        created_at: Utc.with_ymd_and_hms(2027, 4, 1, 5, 0, 0).unwrap(),
        contractors: contractors_to_export(&documents, &BTreeMap::new()),
        documents,
    }
}

// ------------------------------------------------------------------------------ XML reader

/// An element read back: name, attributes, children, unescaped text.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn all(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    fn has(&self, name: &str) -> bool {
        self.children.iter().any(|c| c.name == name)
    }

    /// The only child on a `/`-separated path.
    fn at(&self, path: &str) -> &Node {
        path.split('/').fold(self, |node, name| {
            let found = node.all(name);
            assert_eq!(found.len(), 1, "expected one <{name}> in <{}>, found {}", node.name, found.len());
            found[0]
        })
    }

    fn text_at(&self, path: &str) -> &str {
        &self.at(path).text
    }

    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn unescape(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find(';').expect("unterminated entity") + start;
        let entity = &rest[start + 1..end];
        match entity {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            e if e.starts_with("#x") => out.push(char::from_u32(u32::from_str_radix(&e[2..], 16).unwrap()).unwrap()),
            e if e.starts_with('#') => out.push(char::from_u32(e[1..].parse().unwrap()).unwrap()),
            e => panic!("unknown entity &{e};"),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Parses a whole document (panics on anything not well-formed) and returns the root element.
fn parse_xml(xml: &str) -> Node {
    use xmlparser::{ElementEnd, Token, Tokenizer};
    let mut stack: Vec<Node> = vec![Node::default()];
    for token in Tokenizer::from(xml) {
        match token.unwrap_or_else(|e| panic!("not well-formed: {e}\n{xml}")) {
            Token::ElementStart { prefix, local, .. } => {
                let name = if prefix.is_empty() { local.to_string() } else { format!("{prefix}:{local}") };
                stack.push(Node { name, ..Node::default() });
            }
            Token::Attribute { prefix, local, value, .. } => {
                let name = if prefix.is_empty() { local.to_string() } else { format!("{prefix}:{local}") };
                stack.last_mut().unwrap().attrs.push((name, unescape(value.as_str())));
            }
            Token::ElementEnd { end: ElementEnd::Open, .. } => {}
            Token::ElementEnd { end, .. } => {
                if let ElementEnd::Close(_, local) = end {
                    assert_eq!(stack.last().unwrap().name, local.as_str(), "mismatched close tag");
                }
                let node = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(node);
            }
            Token::Text { text } => {
                let node = stack.last_mut().unwrap();
                if !text.as_str().trim().is_empty() {
                    node.text.push_str(&unescape(text.as_str()));
                }
            }
            _ => {}
        }
    }
    let mut document = stack.pop().unwrap();
    assert!(stack.is_empty(), "unclosed elements");
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

/// Splits CSV text written by [`batch_csv`] into records of fields (quotes honoured).
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => quoted = !quoted,
            ';' if !quoted => fields.push(std::mem::take(&mut field)),
            '\r' if !quoted && chars.peek() == Some(&'\n') => {
                chars.next();
                fields.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut fields));
            }
            c => field.push(c),
        }
    }
    assert!(field.is_empty() && fields.is_empty(), "the last record ends with CRLF");
    records
}

// ------------------------------------------------------------------------------ model

#[test]
fn contractor_codes_are_short_stable_and_distinct() {
    let kornik = Teryt::parse("3021093").unwrap();
    let id = UnitId::derived("teryt", "3021093");
    assert_eq!(contractor_code(id, Some(&kornik)), "JST302109");
    assert_eq!(contractor_code(id, Some(&Teryt::parse("3021").unwrap())), "JST3021");
    let a = contractor_code(UnitId::derived("demo-unit", "a"), None);
    let b = contractor_code(UnitId::derived("demo-unit", "b"), None);
    assert_eq!(a.len(), 14);
    assert!(a.starts_with('J') && a[1..].chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()), "{a}");
    assert_ne!(a, b);
    assert_eq!(a, contractor_code(UnitId::derived("demo-unit", "a"), None));
    // Many fresh ids (UUIDv7 made in the same millisecond share their first 48 bits): no clash.
    let codes: std::collections::BTreeSet<_> = (0..2000).map(|_| contractor_code(UnitId::generate(), None)).collect();
    assert_eq!(codes.len(), 2000);
}

#[test]
fn the_six_digit_gmina_prefix_is_unique_in_the_register() {
    let mut seen = std::collections::BTreeMap::new();
    for entry in crate::teryt::all().iter().filter(|e| e.code.len() == 7) {
        if let Some(other) = seen.insert(&entry.code[..6], entry.code) {
            panic!("{} and {} share the code JST{}", other, entry.code, &entry.code[..6]);
        }
    }
    assert!(seen.len() > 200, "the register has Wielkopolska's 226 gminy, got {}", seen.len());
}

#[test]
fn fingerprint_is_stable_and_changes_with_every_exported_field() {
    let base = gmina();
    let fingerprint = contractor_fingerprint(&base);
    assert!(fingerprint.starts_with("v1-") && fingerprint.len() == 35, "{fingerprint}");
    assert_eq!(fingerprint, contractor_fingerprint(&base.clone()));
    type Change = Box<dyn Fn(&mut ExportContractor)>;
    let changes: Vec<Change> = vec![
        Box::new(|c| c.unit_id = UnitId::derived("teryt", "x")),
        Box::new(|c| c.code = "JST999999".into()),
        Box::new(|c| c.name = "Gmina Kórnik ".into()),
        Box::new(|c| c.nip = None),
        Box::new(|c| c.regon = None),
        Box::new(|c| c.street = "pl. Niepodległości 2".into()),
        Box::new(|c| c.postal_code = PostalCode::parse("62-036").unwrap()),
        Box::new(|c| c.city = "Kornik".into()),
        Box::new(|c| c.country = "DE".into()),
        Box::new(|c| c.email = None),
    ];
    let mut seen = std::collections::BTreeSet::from([fingerprint.clone()]);
    for change in changes {
        let mut changed = base.clone();
        change(&mut changed);
        assert!(seen.insert(contractor_fingerprint(&changed)), "{changed:?}");
    }
    // Field boundaries count: moving text between two fields is a change.
    let mut a = base.clone();
    a.street = "ab".into();
    a.city = "c".into();
    let mut b = base;
    b.street = "a".into();
    b.city = "bc".into();
    assert_ne!(contractor_fingerprint(&a), contractor_fingerprint(&b));
}

#[test]
fn only_new_or_changed_customers_go_into_a_batch() {
    let documents = vec![settlement(), contract_settlement(), correction()];
    let all = contractors_to_export(&documents, &BTreeMap::new());
    let codes: Vec<&str> = all.iter().map(|c| c.code.as_str()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
    assert_eq!(codes.len(), 3, "gmina, its school and the powiat once each: {codes:?}");

    let mut last: BTreeMap<String, String> = all.iter().map(|c| (c.code.clone(), contractor_fingerprint(c))).collect();
    assert!(contractors_to_export(&documents, &last).is_empty());

    // The gmina moved: its later document carries the new address, which wins.
    let mut moved = correction();
    moved.buyer.street = "ul. Nowa 5".into();
    let again = contractors_to_export(&[settlement(), moved], &last);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].street, "ul. Nowa 5");
    last.remove(&powiat().code);
    let new = contractors_to_export(&documents, &last);
    assert_eq!(new.iter().map(|c| c.code.clone()).collect::<Vec<_>>(), vec![powiat().code]);
}

#[test]
fn a_unit_without_an_address_cannot_be_a_customer() {
    let unit: Unit = UnitInput { kind: Some("inna".into()), name: Some("Fundacja".into()), ..Default::default() }
        .create(None, Utc::now())
        .unwrap();
    let errors = ExportContractor::from_unit(&unit, "J123").unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["address.street", "address.postalCode", "address.city"]);

    let unit = Unit {
        address: Address {
            street: Some("ul. Dworcowa 1".into()),
            postal_code: Some(PostalCode::parse("62-035").unwrap()),
            city: Some("Kórnik".into()),
        },
        ..unit
    };
    let contractor = ExportContractor::from_unit(&unit, contractor_code(unit.id, None)).unwrap();
    assert_eq!(contractor.country, "PL");
    assert_eq!(contractor.name, "Fundacja");
    assert!(ExportContractor::from_unit(&unit, "X".repeat(21)).is_err());
}

#[test]
fn totals_are_sums_of_rounded_lines_per_vat_treatment() {
    let doc = settlement();
    // 0.50 × 23 % = 0.115 → 0.12 (half-up).
    assert_eq!(doc.lines[1].vat_amount, dec("0.12"));
    assert_eq!(doc.lines[3].net, dec("250.50"));
    let totals: Vec<(String, Decimal, Decimal, Decimal)> =
        doc.totals.iter().map(|t| (t.vat.code(), t.net, t.vat_amount, t.gross)).collect();
    assert_eq!(
        totals,
        vec![
            ("23".into(), dec("450.50"), dec("103.62"), dec("554.12")),
            // Exempt totals by basis: "… pkt 26 …" before "… pkt 29 …".
            ("zw".into(), dec("250.50"), dec("0.00"), dec("250.50")),
            ("zw".into(), dec("300.00"), dec("0.00"), dec("300.00")),
        ]
    );
    assert_eq!(doc.totals[2].vat, VatTreatment::Exempt { basis: DEFAULT_EXEMPT_BASIS.into() });
    assert_eq!(doc.totals[2].vat_amount.to_string(), "0.00");
    assert_eq!((doc.total_net, doc.total_vat, doc.total_gross), (dec("1001.00"), dec("103.62"), dec("1104.62")));
    assert_eq!(doc.contractor_code, "JST302109");
    assert_eq!(doc.exemption_bases(), vec![DEFAULT_EXEMPT_BASIS, CUSTOM_BASIS]);

    let contract = contract_settlement();
    let codes: Vec<String> = contract.totals.iter().map(|t| t.vat.code()).collect();
    assert_eq!(codes, ["23", "8", "5", "0"]);
    // 3 × 19.99 = 59.97; × 8 % = 4.7976 → 4.80. 10.50 × 5 % = 0.525 → 0.53.
    assert_eq!(contract.totals[1].vat_amount, dec("4.80"));
    assert_eq!(contract.totals[2].vat_amount, dec("0.53"));
    assert_eq!(correction().total_gross, dec("-553.50"));
}

#[test]
fn bad_documents_are_refused_with_every_field_named() {
    let mut broken = ExportLine::new("", Decimal::ONE, dec("100.00"), rate(22));
    broken.net = dec("99.00");
    let input = ExportDocumentInput {
        number: " ".into(),
        kind: DocumentKind::Correction {
            of_number: "ROZ/1".into(),
            of_issue_date: day(2027, 5, 1),
            of_invoice_number: None,
            of_ksef_number: None,
            reason: "".into(),
        },
        issue_date: day(2027, 4, 1),
        sale: SaleDate::Period { from: day(2027, 3, 31), to: day(2027, 1, 1) },
        payment_due: day(2027, 3, 1),
        buyer: gmina(),
        recipient: None,
        lines: vec![broken, ExportLine::new("x", Decimal::ZERO, dec("1.005"), rate(23))],
    };
    let errors = input.build().unwrap_err();
    let fields: Vec<(&str, &str)> = errors.0.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
    for expected in [
        ("number", "required"),
        ("kind.reason", "required"),
        ("lines[0].description", "required"),
        ("lines[0].vat", "invalid_vat"),
        ("lines[0].net", "amounts_inconsistent"),
        ("lines[1].quantity", "zero_quantity"),
        ("lines[1].unitNet", "too_many_decimals"),
        ("paymentDue", "due_before_issue"),
        ("sale.to", "period_reversed"),
        ("kind.ofIssueDate", "corrected_after_correction"),
    ] {
        assert!(fields.contains(&expected), "{expected:?} missing in {fields:?}");
    }
    assert!(errors.0.iter().all(|e| !e.pl.is_empty() && !e.en.is_empty()));

    let no_lines = ExportDocumentInput {
        number: "ROZ/2".into(),
        kind: DocumentKind::Settlement,
        issue_date: day(2027, 4, 1),
        sale: SaleDate::Day { date: day(2027, 4, 1) },
        payment_due: day(2027, 4, 1),
        buyer: gmina(),
        recipient: None,
        lines: vec![],
    };
    assert_eq!(no_lines.clone().build().unwrap_err().0[0].code, "no_lines");
    let negative = ExportDocumentInput {
        lines: vec![ExportLine::new("zwrot", Decimal::NEGATIVE_ONE, dec("10.00"), rate(23))],
        ..no_lines
    };
    assert_eq!(negative.build().unwrap_err().0[0].code, "negative_total");
}

// ------------------------------------------------------------------------------ ERP XL XML

#[test]
fn erpxl_xml_carries_customers_documents_and_totals() {
    let batch = batch();
    let xml = erpxl_xml(&batch);
    let root = parse_xml(&xml);
    assert_eq!(root.name, "EksportKsiegowy");
    assert_eq!(root.attr("xmlns"), Some(ERPXL_NAMESPACE));
    assert_eq!(root.attr("wersja"), Some("1"));
    assert_eq!(root.names(), ["Naglowek", "Kontrahenci", "Dokumenty"]);
    assert_eq!(root.text_at("Naglowek/NumerPaczki"), "EXP/0007/2027");
    assert_eq!(root.text_at("Naglowek/DataUtworzenia"), "2027-04-01T05:00:00Z");
    assert_eq!(root.text_at("Naglowek/LiczbaKontrahentow"), "3");
    assert_eq!(root.text_at("Naglowek/LiczbaDokumentow"), "3");
    // 1666.67 + 383.33, 59.97 + 4.80, 10.50 + 0.53, 100.00
    let contract_gross = contract_settlement().total_gross;
    assert_eq!(contract_gross, dec("2225.80"));
    assert_eq!(root.text_at("Naglowek/SumaBrutto"), (dec("1104.62") + contract_gross - dec("553.50")).to_string());

    let customers = root.at("Kontrahenci").all("Kontrahent");
    let school_code = school().code;
    let school_fingerprint = contractor_fingerprint(&school());
    let school = customers.iter().find(|k| k.text_at("Akronim") == school_code).unwrap();
    assert_eq!(school.text_at("Nazwa"), SPECIAL_NAME, "escaped and read back unchanged");
    assert!(!school.has("NIP"));
    assert_eq!(school.text_at("REGON"), "63025784300014");
    assert_eq!(school.text_at("Adres/KodPocztowy"), "62-035");
    assert_eq!(school.text_at("OdciskDanych"), school_fingerprint);
    assert_eq!(school.names(), ["Akronim", "IdJednostki", "Nazwa", "REGON", "Adres", "OdciskDanych"]);

    let documents = root.at("Dokumenty").all("Dokument");
    let first = documents[0];
    assert_eq!(
        first.names(),
        [
            "Typ",
            "NumerObcy",
            "DataWystawienia",
            "DataSprzedazy",
            "TerminPlatnosci",
            "Waluta",
            "Nabywca",
            "Odbiorca",
            "Pozycje",
            "PodsumowanieVAT",
            "RazemNetto",
            "RazemVAT",
            "RazemBrutto"
        ]
    );
    assert_eq!(first.text_at("Typ"), "FS");
    assert_eq!(first.text_at("NumerObcy"), "ROZ/000123/2027");
    assert_eq!(first.text_at("Nabywca/Akronim"), "JST302109");
    assert_eq!(first.text_at("Nabywca/NIP"), "7770002553");
    assert_eq!(first.text_at("Odbiorca/Nazwa"), SPECIAL_NAME);
    let lines = first.at("Pozycje").all("Pozycja");
    assert_eq!(lines.iter().map(|l| l.attr("Lp").unwrap()).collect::<Vec<_>>(), ["1", "2", "3", "4"]);
    assert_eq!(lines[0].text_at("Opis"), "Jan Kowalski — Zamówienia publiczne <2027> & \"praktyka\", 12–13.03.2027");
    assert_eq!(lines[0].text_at("DataUslugi"), "2027-03-13");
    assert_eq!(lines[0].text_at("JednostkaMiary"), "usł.");
    assert_eq!(lines[0].text_at("StawkaVAT"), "23");
    assert!(!lines[0].has("PodstawaZwolnienia"));
    assert_eq!(lines[2].text_at("StawkaVAT"), "zw");
    assert_eq!(lines[2].text_at("PodstawaZwolnienia"), DEFAULT_EXEMPT_BASIS);
    assert_eq!(lines[2].text_at("KwotaVAT"), "0.00");
    assert_eq!(lines[3].text_at("Ilosc"), "2");
    assert_eq!(lines[3].text_at("WartoscNetto"), "250.50");
    let per_rate: Vec<(&str, &str, &str)> = first
        .at("PodsumowanieVAT")
        .all("Stawka")
        .iter()
        .map(|s| (s.text_at("StawkaVAT"), s.text_at("Netto"), s.text_at("VAT")))
        .collect();
    assert_eq!(per_rate, [("23", "450.50", "103.62"), ("zw", "250.50", "0.00"), ("zw", "300.00", "0.00")]);
    assert_eq!(first.text_at("RazemBrutto"), "1104.62");

    let contract = documents[1];
    assert!(!contract.has("DataSprzedazy") && !contract.has("Odbiorca") && !contract.has("Korekta"));
    assert_eq!(contract.text_at("OkresSprzedazy/Od"), "2027-02-10");
    assert_eq!(contract.text_at("OkresSprzedazy/Do"), "2027-03-31");

    let correction = documents[2];
    assert_eq!(correction.text_at("Typ"), "FSK");
    assert_eq!(correction.names()[..3], ["Typ", "NumerObcy", "Korekta"]);
    assert_eq!(correction.text_at("Korekta/NumerObcyKorygowanego"), "ROZ/000123/2027");
    assert_eq!(correction.text_at("Korekta/DataWystawieniaKorygowanego"), "2027-03-20");
    assert_eq!(correction.text_at("Korekta/NumerFakturyKorygowanej"), "FS-45/27/WOK");
    assert!(correction.text_at("Korekta/Przyczyna").starts_with("Uczestnik nieobecny"));
    assert_eq!(correction.text_at("Pozycje/Pozycja/Ilosc"), "-1");
    assert_eq!(correction.text_at("Pozycje/Pozycja/WartoscBrutto"), "-553.50");
    assert_eq!(correction.text_at("RazemBrutto"), "-553.50");
}

#[test]
fn erpxl_xml_escapes_markup_and_keeps_polish_letters() {
    let xml = erpxl_xml(&batch());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    assert!(xml
        .contains("<Nazwa>Szkoła Podstawowa nr 1 im. &quot;Żółkiewskiego&quot; &amp; &lt;Filia&gt; w Kórniku</Nazwa>"));
    assert!(xml.contains("Zamówienia publiczne &lt;2027&gt; &amp; &quot;praktyka&quot;"));
    assert!(!xml.contains("<Filia>") && !xml.contains("& <"));
    assert!(xml.contains("Zażółć Gęślą"));
    // Deterministic: the same batch gives the same bytes.
    assert_eq!(xml, erpxl_xml(&batch()));
}

// ------------------------------------------------------------------------------ CSV

#[test]
fn csv_has_one_row_per_line_in_the_documented_column_order() {
    let batch = batch();
    let csv = batch_csv(&batch);
    assert!(csv.starts_with('\u{feff}'));
    let records = read_csv(csv.trim_start_matches('\u{feff}'));
    assert_eq!(records[0], CSV_COLUMNS.map(String::from).to_vec());
    assert_eq!(records.len(), 1 + 4 + 4 + 1);
    assert!(records.iter().all(|r| r.len() == CSV_COLUMNS.len()), "every row has every column");
    let col = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    let first = &records[1];
    assert_eq!(first[col("NumerPaczki")], "EXP/0007/2027");
    assert_eq!(first[col("TypDokumentu")], "FS");
    assert_eq!(first[col("NumerObcy")], "ROZ/000123/2027");
    assert_eq!(first[col("DataSprzedazy")], "2027-03-13");
    assert_eq!(first[col("AkronimNabywcy")], "JST302109");
    assert_eq!(first[col("NIPNabywcy")], "7770002553");
    assert_eq!(first[col("AkronimOdbiorcy")], school().code);
    assert_eq!(first[col("Opis")], "Jan Kowalski — Zamówienia publiczne <2027> & \"praktyka\", 12–13.03.2027");
    assert_eq!(first[col("CenaNetto")], "450,00");
    assert_eq!(first[col("KwotaVAT")], "103,50");
    assert_eq!(first[col("WartoscBrutto")], "553,50");
    assert_eq!(records[2][col("Opis")], "Zażółć Gęślą — materiały; zestaw");
    assert_eq!(records[3][col("StawkaVAT")], "zw");
    assert_eq!(records[3][col("PodstawaZwolnienia")], DEFAULT_EXEMPT_BASIS);
    assert_eq!(records[4][col("Opis")], "'=Anna Nowak — doradztwo", "a formula is neutralised");
    assert_eq!(records[4][col("Ilosc")], "2");
    let contract = &records[5];
    assert_eq!((contract[col("DataSprzedazy")].as_str(), contract[col("OkresOd")].as_str()), ("", "2027-02-10"));
    assert_eq!(contract[col("OkresDo")], "2027-03-31");
    let correction = &records[9];
    assert_eq!(correction[col("TypDokumentu")], "FSK");
    assert_eq!(correction[col("NumerObcyKorygowanego")], "ROZ/000123/2027");
    assert_eq!(correction[col("DataWystawieniaKorygowanego")], "2027-03-20");
    assert_eq!(correction[col("Ilosc")], "-1");
    assert_eq!(correction[col("WartoscBrutto")], "-553,50", "negative amounts stay numbers");
    // Raw text: the description with `;` and the one with `"` are quoted.
    assert!(csv.contains(";\"Zażółć Gęślą — materiały; zestaw\";"));
    assert!(csv.contains("\"\"praktyka\"\""));
}

// ------------------------------------------------------------------------------ FA(3)

#[test]
fn fa3_draft_has_the_required_structure_for_a_settlement_with_exempt_lines() {
    let doc = settlement();
    let xml = fa3_draft(&doc, &seller());
    let root = parse_xml(&xml);
    assert_eq!(root.name, "Faktura");
    assert_eq!(root.attr("xmlns"), Some(FA3_NAMESPACE));
    assert_eq!(root.names(), ["Naglowek", "Podmiot1", "Podmiot2", "Podmiot3", "Fa"]);
    let form = root.at("Naglowek/KodFormularza");
    assert_eq!(
        (form.text.as_str(), form.attr("kodSystemowy"), form.attr("wersjaSchemy")),
        ("FA", Some("FA (3)"), Some("1-0E"))
    );
    assert_eq!(root.text_at("Naglowek/WariantFormularza"), "3");
    assert_eq!(root.text_at("Naglowek/DataWytworzeniaFa"), "2027-03-20T00:00:00Z");
    assert_eq!(root.text_at("Podmiot1/DaneIdentyfikacyjne/NIP"), "1234563218");
    assert_eq!(root.text_at("Podmiot1/Adres/KodKraju"), "PL");
    assert_eq!(root.text_at("Podmiot2/DaneIdentyfikacyjne/NIP"), "7770002553");
    assert_eq!(root.text_at("Podmiot2/DaneIdentyfikacyjne/Nazwa"), "Gmina Kórnik");
    assert_eq!(root.text_at("Podmiot2/Adres/AdresL2"), "62-035 Kórnik");
    assert_eq!(root.text_at("Podmiot2/NrKlienta"), "JST302109");
    assert_eq!(root.text_at("Podmiot2/JST"), "1", "the school is a JST recipient");
    assert_eq!(root.text_at("Podmiot2/GV"), "2");
    assert_eq!(root.at("Podmiot2").names().last(), Some(&"GV"));
    assert_eq!(root.text_at("Podmiot3/DaneIdentyfikacyjne/BrakID"), "1");
    assert_eq!(root.text_at("Podmiot3/DaneIdentyfikacyjne/Nazwa"), SPECIAL_NAME);
    assert_eq!(root.text_at("Podmiot3/Rola"), "8");

    let fa = root.at("Fa");
    assert_eq!(
        fa.names(),
        [
            "KodWaluty",
            "P_1",
            "P_1M",
            "P_2",
            "P_6",
            "P_13_1",
            "P_14_1",
            "P_13_7",
            "P_15",
            "Adnotacje",
            "RodzajFaktury",
            "DodatkowyOpis",
            "FaWiersz",
            "FaWiersz",
            "FaWiersz",
            "FaWiersz",
            "Platnosc"
        ]
    );
    assert_eq!(fa.text_at("KodWaluty"), "PLN");
    assert_eq!(fa.text_at("P_1"), "2027-03-20");
    assert_eq!(fa.text_at("P_2"), "ROZ/000123/2027");
    assert_eq!(fa.text_at("P_6"), "2027-03-13");
    assert_eq!((fa.text_at("P_13_1"), fa.text_at("P_14_1")), ("450.50", "103.62"));
    assert_eq!(fa.text_at("P_13_7"), "550.50", "both exempt bases together");
    assert_eq!(fa.text_at("P_15"), "1104.62");
    assert_eq!(fa.text_at("RodzajFaktury"), "VAT");
    let notes = fa.at("Adnotacje");
    assert_eq!(
        notes.names(),
        ["P_16", "P_17", "P_18", "P_18A", "Zwolnienie", "NoweSrodkiTransportu", "P_23", "PMarzy"]
    );
    assert_eq!(notes.text_at("Zwolnienie/P_19"), "1");
    assert_eq!(notes.text_at("Zwolnienie/P_19A"), format!("{DEFAULT_EXEMPT_BASIS}; {CUSTOM_BASIS}"));
    assert!(!notes.at("Zwolnienie").has("P_19N"));
    assert_eq!(notes.text_at("NoweSrodkiTransportu/P_22N"), "1");
    assert_eq!(notes.text_at("PMarzy/P_PMarzyN"), "1");
    let rows = fa.all("FaWiersz");
    assert_eq!(rows.iter().map(|r| r.text_at("NrWierszaFa")).collect::<Vec<_>>(), ["1", "2", "3", "4"]);
    assert_eq!(rows.iter().map(|r| r.text_at("P_12")).collect::<Vec<_>>(), ["23", "23", "zw", "zw"]);
    assert_eq!(rows[0].names(), ["NrWierszaFa", "P_6A", "P_7", "P_8A", "P_8B", "P_9A", "P_11", "P_12"]);
    assert_eq!(rows[0].text_at("P_7"), "Jan Kowalski — Zamówienia publiczne <2027> & \"praktyka\", 12–13.03.2027");
    assert_eq!((rows[3].text_at("P_8B"), rows[3].text_at("P_9A"), rows[3].text_at("P_11")), ("2", "125.25", "250.50"));
    assert_eq!(fa.text_at("Platnosc/TerminPlatnosci/Termin"), "2027-04-03");
    assert_eq!(fa.text_at("Platnosc/FormaPlatnosci"), "6");
    assert_eq!(fa.text_at("Platnosc/RachunekBankowy/NrRB"), "12102040270000110200000001");
    assert_eq!(fa.text_at("DodatkowyOpis/Wartosc"), "ROZ/000123/2027");
}

#[test]
fn fa3_draft_maps_every_rate_and_a_period_without_exemption() {
    let xml = fa3_draft(&contract_settlement(), &seller());
    let root = parse_xml(&xml);
    assert_eq!(root.text_at("Podmiot2/JST"), "2");
    assert!(!root.has("Podmiot3"));
    let fa = root.at("Fa");
    assert_eq!(fa.text_at("OkresFa/P_6_Od"), "2027-02-10");
    assert_eq!(fa.text_at("OkresFa/P_6_Do"), "2027-03-31");
    assert!(!fa.has("P_6"));
    assert_eq!((fa.text_at("P_13_1"), fa.text_at("P_14_1")), ("1666.67", "383.33"));
    assert_eq!((fa.text_at("P_13_2"), fa.text_at("P_14_2")), ("59.97", "4.80"));
    assert_eq!((fa.text_at("P_13_3"), fa.text_at("P_14_3")), ("10.50", "0.53"));
    assert_eq!(fa.text_at("P_13_6_1"), "100.00");
    assert!(!fa.has("P_13_7"));
    assert_eq!(fa.text_at("P_15"), "2225.80");
    assert_eq!(fa.text_at("Adnotacje/Zwolnienie/P_19N"), "1");
    assert!(!fa.at("Adnotacje/Zwolnienie").has("P_19"));
    let rates: Vec<&str> = fa.all("FaWiersz").iter().map(|r| r.text_at("P_12")).collect();
    assert_eq!(rates, ["23", "8", "5", "0 KR"]);
}

#[test]
fn fa3_draft_of_a_correction_refers_to_the_corrected_invoice() {
    let xml = fa3_draft(&correction(), &seller());
    let fa = parse_xml(&xml);
    let fa = fa.at("Fa");
    assert_eq!(fa.text_at("RodzajFaktury"), "KOR");
    let names = fa.names();
    let kind_at = names.iter().position(|n| *n == "RodzajFaktury").unwrap();
    assert_eq!(names[kind_at + 1..kind_at + 3], ["PrzyczynaKorekty", "DaneFaKorygowanej"]);
    assert!(fa.text_at("PrzyczynaKorekty").starts_with("Uczestnik nieobecny"));
    assert_eq!(fa.text_at("DaneFaKorygowanej/DataWystFaKorygowanej"), "2027-03-20");
    assert_eq!(fa.text_at("DaneFaKorygowanej/NrFaKorygowanej"), "FS-45/27/WOK");
    assert_eq!(fa.text_at("DaneFaKorygowanej/NrKSeFN"), "1");
    assert_eq!((fa.text_at("P_13_1"), fa.text_at("P_14_1"), fa.text_at("P_15")), ("-450.00", "-103.50", "-553.50"));
    assert_eq!(fa.text_at("FaWiersz/P_8B"), "-1");

    // With a KSeF number known and no ERP invoice number yet.
    let mut doc = correction();
    if let DocumentKind::Correction { of_invoice_number, of_ksef_number, .. } = &mut doc.kind {
        *of_invoice_number = None;
        *of_ksef_number = Some("1234563218-20270320-0123456789AB-CD".into());
    }
    let root = parse_xml(&fa3_draft(&doc, &seller()));
    let corrected = root.at("Fa/DaneFaKorygowanej");
    assert_eq!(corrected.names(), ["DataWystFaKorygowanej", "NrFaKorygowanej", "NrKSeF", "NrKSeFFaKorygowanej"]);
    assert_eq!(corrected.text_at("NrFaKorygowanej"), "ROZ/000123/2027", "our number stands in");
}

// ------------------------------------------------------------------------------ payment report

#[test]
fn payment_report_reads_good_rows_and_reports_every_bad_one() {
    let report = "\u{feff}Numer obcy;Numer faktury;Zapłacono razem;Data zapłaty;Uwagi\r\n\
        ROZ/000123/2027;FS-45/27/WOK;1 104,62;2027-04-02;\r\n\
        ROZ/000124/2027;FS-46/27/WOK;1000.5;15.04.2027;\"częściowo; reszta w maju\"\r\n\
        \r\n\
        ROZ/000125/2027;FS-47/27/WOK;12,345;2027-04-02;\r\n\
        ROZ/000126/2027;;abc;31.02.2027;\r\n\
        ;FS-49/27/WOK;-10,00;2027-04-30;\r\n\
        ROZ/000123/2027;FS-45/27/WOK;1104,62;2027-04-02;powtórzony\r\n\
        ROZ/000123/2027;FS-45/27/WOK;1000,00;2027-04-02;sprzeczny\r\n\
        KOR/000007/2027;FSK-3/27/WOK;-553,50;2027/04/20\r\n";
    let (rows, errors) = parse_payment_report(report.as_bytes());
    let good: Vec<(usize, &str, &str, String, NaiveDate)> = rows
        .iter()
        .map(|r| {
            (
                r.line_no,
                r.document_number.as_str(),
                r.invoice_number.as_str(),
                r.amount_paid_total.to_string(),
                r.paid_on,
            )
        })
        .collect();
    assert_eq!(
        good,
        vec![
            (2, "ROZ/000123/2027", "FS-45/27/WOK", "1104.62".into(), day(2027, 4, 2)),
            (3, "ROZ/000124/2027", "FS-46/27/WOK", "1000.50".into(), day(2027, 4, 15)),
            (8, "ROZ/000123/2027", "FS-45/27/WOK", "1104.62".into(), day(2027, 4, 2)),
        ]
    );
    let bad: Vec<(usize, &str)> = errors.iter().map(|e| (e.line_no, e.field.as_str())).collect();
    assert_eq!(
        bad,
        vec![
            (5, "amountPaidTotal"),
            (6, "invoiceNumber"),
            (6, "amountPaidTotal"),
            (6, "paidOn"),
            (7, "documentNumber"),
            (9, "amountPaidTotal"),
            (10, "paidOn"),
        ]
    );
    assert!(errors.iter().all(|e| !e.message_pl.is_empty() && !e.message_en.is_empty()));
    assert!(errors[0].message_en.contains("12,345"), "{}", errors[0].message_en);
    assert!(errors[5].message_pl.contains("wierszu 2"), "{}", errors[5].message_pl);
}

#[test]
fn payment_report_header_is_found_in_any_order_and_spelling() {
    let report = "data;KWOTA ZAPŁACONA;nr faktury;Nr dokumentu\n2027-05-01;0;FS-1;ROZ/1\n";
    let (rows, errors) = parse_payment_report(report.as_bytes());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows[0].document_number, "ROZ/1");
    assert_eq!(rows[0].invoice_number, "FS-1");
    assert_eq!(rows[0].amount_paid_total.to_string(), "0.00");
    assert_eq!(rows[0].paid_on, day(2027, 5, 1));

    let (rows, errors) = parse_payment_report("\n\nNumerObcy;Kwota\nROZ/1;5\n".as_bytes());
    assert!(rows.is_empty());
    let missing: Vec<(usize, &str)> = errors.iter().map(|e| (e.line_no, e.field.as_str())).collect();
    assert_eq!(missing, [(3, "invoiceNumber"), (3, "amountPaidTotal"), (3, "paidOn")]);

    let (rows, errors) = parse_payment_report(b"");
    assert!(rows.is_empty());
    assert_eq!(errors[0].field, "header");

    let (rows, errors) = parse_payment_report(
        "NumerObcy;NumerFaktury;ZaplaconoRazem;DataZaplaty\n\"ROZ/1;x\";FS;1;2027-01-01\n\"ROZ/2;FS;1;2027-01-01\n"
            .as_bytes(),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].document_number, "ROZ/1;x");
    assert_eq!((errors[0].line_no, errors[0].field.as_str()), (3, "row"));
}

#[test]
fn payment_report_round_trips_what_accounting_would_write() {
    // Written the way an ERP report would write it (Polish amounts, both date styles, CRLF,
    // quotes where needed), then read back.
    let expected = vec![
        ("ROZ/000001/2027", "FS-1/27", dec("0.01"), day(2027, 1, 31)),
        ("ROZ/000002/2027", "FS \"2\"; kopia", dec("1234567.89"), day(2027, 12, 1)),
        ("KOR/000001/2027", "FSK-1/27", dec("-553.50"), day(2028, 2, 29)),
    ];
    let mut file = String::from("\u{feff}NumerObcy;NumerFaktury;ZaplaconoRazem;DataZaplaty\r\n");
    for (index, (document, invoice, amount, paid_on)) in expected.iter().enumerate() {
        let invoice = if invoice.contains([';', '"']) {
            format!("\"{}\"", invoice.replace('"', "\"\""))
        } else {
            invoice.to_string()
        };
        let date = if index % 2 == 0 { paid_on.format("%d.%m.%Y").to_string() } else { paid_on.to_string() };
        file.push_str(&format!("{document};{invoice};{};{date}\r\n", amount.to_string().replace('.', ",")));
    }
    let (rows, errors) = parse_payment_report(file.as_bytes());
    assert!(errors.is_empty(), "{errors:?}");
    let read: Vec<_> = rows
        .iter()
        .map(|r| (r.document_number.as_str(), r.invoice_number.as_str(), r.amount_paid_total, r.paid_on))
        .collect();
    assert_eq!(read, expected);
    assert_eq!(rows.iter().map(|r| r.line_no).collect::<Vec<_>>(), [2, 3, 4]);
}

proptest::proptest! {
    #[test]
    fn payment_amounts_parse_in_every_written_form(grosze in -10_000_000_000i64..10_000_000_000, comma in proptest::bool::ANY, spaced in proptest::bool::ANY) {
        let amount = Decimal::new(grosze, 2);
        let mut written = amount.to_string();
        if comma {
            written = written.replace('.', ",");
        }
        if spaced && amount.abs() >= Decimal::from(1000) {
            // Thousands separated by spaces: "1 234 567,89".
            let (sign, rest) = written.split_at(usize::from(written.starts_with('-')));
            let (int, frac) = rest.split_at(rest.len() - 3);
            let mut grouped = String::new();
            for (i, c) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    grouped.push(' ');
                }
                grouped.push(c);
            }
            written = format!("{sign}{grouped}{frac}");
        }
        let file = format!("NumerObcy;NumerFaktury;ZaplaconoRazem;DataZaplaty\nROZ/1;FS/1;{written};2027-01-01\n");
        let (rows, errors) = parse_payment_report(file.as_bytes());
        proptest::prop_assert!(errors.is_empty(), "{} → {:?}", written, errors);
        proptest::prop_assert_eq!(rows[0].amount_paid_total, amount);
    }
}

// ------------------------------------------------------------------------------ samples

/// Writes the sample files for `scripts/validate-accounting-xml.py` when
/// `EWOKISS_ACCOUNTING_SAMPLES` names a directory; always checks that each one is well-formed.
#[test]
fn sample_files_for_schema_validation() {
    let batch = batch();
    let samples = [
        ("erpxl-batch.xml", erpxl_xml(&batch)),
        ("batch.csv", batch_csv(&batch)),
        ("fa3-settlement.xml", fa3_draft(&batch.documents[0], &seller())),
        ("fa3-contract.xml", fa3_draft(&batch.documents[1], &seller())),
        ("fa3-correction.xml", fa3_draft(&batch.documents[2], &seller())),
    ];
    for (name, content) in &samples {
        if name.ends_with(".xml") {
            let root = parse_xml(content);
            assert!(["EksportKsiegowy", "Faktura"].contains(&root.name.as_str()), "{name}");
        }
    }
    if let Some(dir) = std::env::var_os("EWOKISS_ACCOUNTING_SAMPLES") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, content) in &samples {
            std::fs::write(dir.join(name), content).unwrap();
        }
    }
}
