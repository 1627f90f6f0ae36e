//! The values a document template sees, per kind, as formatted Polish text (dates `dd.mm.rrrr`,
//! amounts `1 234,50`), with the declared placeholders and their samples.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::DocumentKind;
use crate::contract::{BillingCycle, Contract};
use crate::settlement::{format_dates_pl, Settlement, Totals};
use crate::templates::{Placeholder, ASSOCIATION};
use crate::training::VatTreatment;
use crate::unit::Unit;

pub const ASSOCIATION_ADDRESS: &str = "ul. Wielka 1, 61-775 Poznań";
pub const ASSOCIATION_CITY: &str = "Poznań";

const fn p(name: &'static str, description_pl: &'static str, sample: &'static str) -> Placeholder {
    Placeholder { name, description_pl, sample }
}

const ASSOCIATION_PLACEHOLDERS: [Placeholder; 3] = [
    p("association.name", "nazwa stowarzyszenia", ASSOCIATION),
    p("association.address", "adres stowarzyszenia", ASSOCIATION_ADDRESS),
    p("association.city", "miejscowość (do daty wystawienia)", ASSOCIATION_CITY),
];

const CERTIFICATE: &[Placeholder] = &[
    ASSOCIATION_PLACEHOLDERS[0],
    ASSOCIATION_PLACEHOLDERS[1],
    ASSOCIATION_PLACEHOLDERS[2],
    p("certificate.number", "numer zaświadczenia", "ZAS/000123/2026"),
    p("certificate.code", "kod weryfikacyjny", "K7QF-9XMD-2PWA"),
    p(
        "certificate.verify_url",
        "adres strony weryfikacji (ten sam co w kodzie QR)",
        "https://e-wokiss.pl/weryfikacja/K7QF-9XMD-2PWA",
    ),
    p("certificate.issued_on", "data wystawienia", "18.12.2026"),
    p("certificate.version", "wersja (2 i dalsze po korekcie danych)", "1"),
    p("person.name", "imię i nazwisko uczestnika", "Katarzyna Wiśniewska-Łęcka"),
    p("training.title", "tytuł szkolenia", "Zamówienia publiczne w praktyce – źródła, żądania, ślady"),
    p("training.kind", "rodzaj szkolenia", "szkolenie otwarte"),
    p("training.dates", "termin (dni)", "15–16.12.2026"),
    p("training.hours", "liczba godzin", "12"),
    p("training.trainers", "prowadzący", "dr Żaneta Ślęzak, Łukasz Źróbek"),
    p("training.venue", "miejsce szkolenia", "Sala WOKiSS, ul. Wielka 1, 61-775 Poznań"),
];

const LETTER: &[Placeholder] = &[
    ASSOCIATION_PLACEHOLDERS[0],
    ASSOCIATION_PLACEHOLDERS[1],
    ASSOCIATION_PLACEHOLDERS[2],
    p("letter.number", "znak pisma", "WOKiSS/PO/0042/2026"),
    p("letter.date", "data pisma", "18.12.2026"),
    p("letter.subject", "temat", "Zaproszenie do udziału w szkoleniach w 2027 r."),
    p(
        "letter.paragraphs",
        "treść: lista akapitów ({% for p in letter.paragraphs %}…{% endfor %})",
        "Uprzejmie informujemy…",
    ),
    p("letter.signatory", "podpisujący", "Joanna Kórnicka"),
    p("letter.signatory_role", "stanowisko podpisującego", "Dyrektor Biura"),
    p("recipient.name", "adresat (osoba albo jednostka)", "Pan Łukasz Żółkiewski"),
    p("recipient.unit", "jednostka adresata (puste, gdy adresatem jest jednostka)", "Urząd Gminy Suchy Las"),
    p("recipient.street", "ulica adresata", "ul. Szkolna 13"),
    p("recipient.postal_city", "kod pocztowy i miejscowość adresata", "62-002 Suchy Las"),
];

const CONTRACT: &[Placeholder] = &[
    ASSOCIATION_PLACEHOLDERS[0],
    ASSOCIATION_PLACEHOLDERS[1],
    ASSOCIATION_PLACEHOLDERS[2],
    p("association.represented_by", "reprezentujący stowarzyszenie", "Joanna Kórnicka – Dyrektor Biura"),
    p("contract.number", "numer umowy", "UM/0017/2026"),
    p("contract.date", "data zawarcia", "02.02.2026"),
    p("contract.subject", "przedmiot umowy", "Stała obsługa prawna i szkoleniowa jednostki"),
    p("contract.start", "początek obowiązywania", "01.02.2026"),
    p("contract.end", "koniec obowiązywania (puste: umowa na czas nieokreślony)", "31.12.2027"),
    p("contract.cycle", "okres rozliczeniowy", "kwartał"),
    p("contract.amount_net", "kwota netto za okres (zł)", "3\u{a0}600,00"),
    p("contract.vat", "stawka VAT albo „zw”", "zw"),
    p("unit.name", "nazwa jednostki", "Gmina Suchy Las"),
    p("unit.street", "ulica jednostki", "ul. Szkolna 13"),
    p("unit.postal_city", "kod pocztowy i miejscowość jednostki", "62-002 Suchy Las"),
    p("unit.nip", "NIP jednostki", "7770000000"),
    p("unit.regon", "REGON jednostki", "631258945"),
    p("unit.represented_by", "reprezentujący jednostkę", "Grzegorz Wójcik – Wójt Gminy"),
];

const STATEMENT: &[Placeholder] = &[
    ASSOCIATION_PLACEHOLDERS[0],
    ASSOCIATION_PLACEHOLDERS[1],
    ASSOCIATION_PLACEHOLDERS[2],
    p("settlement.number", "numer rozliczenia", "ROZ/000123/2026"),
    p("settlement.issue_date", "data wystawienia", "18.12.2026"),
    p("settlement.due_date", "termin płatności", "01.01.2027"),
    p(
        "settlement.lines",
        "pozycje: lista z polami line.no, line.description, line.dates, line.net, line.vat, line.vat_amount, line.gross",
        "(3 przykładowe pozycje)",
    ),
    p("settlement.total_net", "razem netto (zł)", "1\u{a0}350,00"),
    p("settlement.total_vat", "razem VAT (zł)", "103,50"),
    p("settlement.total_gross", "razem brutto (zł)", "1\u{a0}453,50"),
    p("buyer.name", "nabywca (jednostka)", "Gmina Suchy Las"),
    p("buyer.nip", "NIP nabywcy", "7770000000"),
    p("buyer.street", "ulica nabywcy", "ul. Szkolna 13"),
    p("buyer.postal_city", "kod pocztowy i miejscowość nabywcy", "62-002 Suchy Las"),
];

pub(super) fn placeholders(kind: DocumentKind) -> &'static [Placeholder] {
    match kind {
        DocumentKind::Certificate => CERTIFICATE,
        DocumentKind::Letter => LETTER,
        DocumentKind::Contract => CONTRACT,
        DocumentKind::SettlementStatement => STATEMENT,
    }
}

fn sample(kind: DocumentKind, name: &str) -> String {
    placeholders(kind).iter().find(|p| p.name == name).map(|p| p.sample.to_owned()).unwrap_or_default()
}

/// `1234567.5` → `1 234 567,50`, the form on Polish documents; the thousands are separated by
/// no-break spaces, so an amount never wraps.
pub fn format_amount(amount: Decimal) -> String {
    let mut amount = amount.round_dp(2);
    amount.rescale(2);
    let text = amount.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(digit);
    }
    let sign = if amount.is_sign_negative() && !amount.is_zero() { "-" } else { "" };
    format!("{sign}{grouped},{fraction}")
}

pub(super) fn format_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssociationContext {
    pub name: String,
    pub address: String,
    pub city: String,
    /// Who signs contracts for the association.
    pub represented_by: String,
}

impl Default for AssociationContext {
    fn default() -> Self {
        Self {
            name: ASSOCIATION.into(),
            address: ASSOCIATION_ADDRESS.into(),
            city: ASSOCIATION_CITY.into(),
            represented_by: sample(DocumentKind::Contract, "association.represented_by"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateFields {
    pub number: String,
    pub code: String,
    pub verify_url: String,
    pub issued_on: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonFields {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainingFields {
    pub title: String,
    pub kind: String,
    pub dates: String,
    pub hours: String,
    pub trainers: String,
    pub venue: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateContext {
    pub association: AssociationContext,
    pub certificate: CertificateFields,
    pub person: PersonFields,
    pub training: TrainingFields,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterFields {
    pub number: String,
    pub date: String,
    pub subject: String,
    pub paragraphs: Vec<String>,
    pub signatory: String,
    pub signatory_role: String,
}

/// An addressee or a party: a person or a unit with its postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PartyContext {
    pub name: String,
    pub unit: String,
    pub street: String,
    pub postal_city: String,
    pub nip: String,
    pub regon: String,
    pub represented_by: String,
}

impl PartyContext {
    /// A unit as a party or addressee (its current data; `represented_by` is for the caller).
    pub fn of_unit(unit: &Unit) -> Self {
        let address = &unit.address;
        Self {
            name: unit.name.clone(),
            unit: String::new(),
            street: address.street.clone().unwrap_or_default(),
            postal_city: [address.postal_code.as_ref().map(|c| c.as_str()), address.city.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            nip: unit.nip.as_ref().map(|nip| nip.as_str().to_owned()).unwrap_or_default(),
            regon: unit.regon.as_ref().map(|regon| regon.as_str().to_owned()).unwrap_or_default(),
            represented_by: String::new(),
        }
    }
}

fn vat_label(vat: &VatTreatment) -> String {
    match vat.code().as_str() {
        "zw" => "zw".to_owned(),
        rate => format!("{rate}%"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterContext {
    pub association: AssociationContext,
    pub letter: LetterFields,
    pub recipient: PartyContext,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractFields {
    pub number: String,
    pub date: String,
    pub subject: String,
    pub start: String,
    pub end: String,
    pub cycle: String,
    pub amount_net: String,
    pub vat: String,
}

impl ContractFields {
    /// The fields of a contract as agreed: its first terms, dates and cycle. `number` and
    /// `signed_on` come from the caller (the contract's document number and date).
    pub fn of(contract: &Contract, number: &str, signed_on: NaiveDate) -> Self {
        let terms = contract.terms.first();
        Self {
            number: number.to_owned(),
            date: format_date(signed_on),
            subject: contract.subject.clone(),
            start: format_date(contract.start),
            end: contract.end.map(format_date).unwrap_or_default(),
            cycle: match contract.cycle {
                BillingCycle::Monthly => "miesiąc",
                BillingCycle::Quarterly => "kwartał",
                BillingCycle::HalfYearly => "półrocze",
                BillingCycle::Yearly => "rok",
            }
            .to_owned(),
            amount_net: terms.map(|t| format_amount(t.price.net)).unwrap_or_default(),
            vat: terms.map(|t| vat_label(&t.price.vat)).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractContext {
    pub association: AssociationContext,
    pub contract: ContractFields,
    pub unit: PartyContext,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub no: String,
    pub description: String,
    pub dates: String,
    pub net: String,
    pub vat: String,
    pub vat_amount: String,
    pub gross: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementFields {
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    pub lines: Vec<StatementLine>,
    pub total_net: String,
    pub total_vat: String,
    pub total_gross: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementContext {
    pub association: AssociationContext,
    pub settlement: StatementFields,
    pub buyer: PartyContext,
}

impl StatementContext {
    /// The statement of an issued settlement (its number, dates, buyer snapshot and lines).
    pub fn of(settlement: &Settlement) -> Self {
        let totals = Totals::of(&settlement.lines);
        let lines = settlement
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| StatementLine {
                no: (index + 1).to_string(),
                description: line.description.clone(),
                dates: format_dates_pl(line.service_from, line.service_to),
                net: format_amount(line.net),
                vat: vat_label(&line.vat),
                vat_amount: format_amount(line.vat_amount()),
                gross: format_amount(line.gross()),
            })
            .collect();
        let buyer = settlement.buyer.as_ref();
        let text = |value: Option<&String>| value.cloned().unwrap_or_default();
        Self {
            association: AssociationContext::default(),
            settlement: StatementFields {
                number: settlement.number.map(|n| n.to_string()).unwrap_or_default(),
                issue_date: settlement.issue_date.map(format_date).unwrap_or_default(),
                due_date: settlement.due_date.map(format_date).unwrap_or_default(),
                lines,
                total_net: format_amount(totals.net),
                total_vat: format_amount(totals.vat_amount),
                total_gross: format_amount(totals.gross),
            },
            buyer: PartyContext {
                name: buyer.map(|b| b.name.clone()).unwrap_or_default(),
                street: text(buyer.and_then(|b| b.street.as_ref())),
                postal_city: buyer
                    .map(|b| {
                        [b.postal_code.as_deref(), b.city.as_deref()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default(),
                nip: text(buyer.and_then(|b| b.nip.as_ref())),
                regon: text(buyer.and_then(|b| b.regon.as_ref())),
                ..PartyContext::default()
            },
        }
    }
}

/// The data of one document, of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentContext {
    Certificate(CertificateContext),
    Letter(LetterContext),
    Contract(ContractContext),
    SettlementStatement(StatementContext),
}

impl DocumentContext {
    pub fn kind(&self) -> DocumentKind {
        match self {
            Self::Certificate(_) => DocumentKind::Certificate,
            Self::Letter(_) => DocumentKind::Letter,
            Self::Contract(_) => DocumentKind::Contract,
            Self::SettlementStatement(_) => DocumentKind::SettlementStatement,
        }
    }

    pub(super) fn values(&self) -> minijinja::Value {
        match self {
            Self::Certificate(c) => minijinja::Value::from_serialize(c),
            Self::Letter(c) => minijinja::Value::from_serialize(c),
            Self::Contract(c) => minijinja::Value::from_serialize(c),
            Self::SettlementStatement(c) => minijinja::Value::from_serialize(c),
        }
    }

    /// What `[[qr]]` encodes: the verification page of a certificate.
    pub fn qr_payload(&self) -> Option<&str> {
        match self {
            Self::Certificate(c) => Some(&c.certificate.verify_url),
            _ => None,
        }
    }

    /// The declared samples of a kind: the preview, and the check at save time.
    pub fn sample(kind: DocumentKind) -> Self {
        let s = |name: &str| sample(kind, name);
        match kind {
            DocumentKind::Certificate => Self::Certificate(CertificateContext {
                association: AssociationContext::default(),
                certificate: CertificateFields {
                    number: s("certificate.number"),
                    code: s("certificate.code"),
                    verify_url: s("certificate.verify_url"),
                    issued_on: s("certificate.issued_on"),
                    version: s("certificate.version"),
                },
                person: PersonFields { name: s("person.name") },
                training: TrainingFields {
                    title: s("training.title"),
                    kind: s("training.kind"),
                    dates: s("training.dates"),
                    hours: s("training.hours"),
                    trainers: s("training.trainers"),
                    venue: s("training.venue"),
                },
            }),
            DocumentKind::Letter => Self::Letter(LetterContext {
                association: AssociationContext::default(),
                letter: LetterFields {
                    number: s("letter.number"),
                    date: s("letter.date"),
                    subject: s("letter.subject"),
                    paragraphs: vec![
                        "Uprzejmie informujemy, że plan szkoleń na 2027 r. jest już dostępny w serwisie e-WOKiSS. Zapraszamy pracowników urzędu oraz jednostek organizacyjnych gminy do zapisów.".into(),
                        "Członkowie stowarzyszenia uczestniczą w szkoleniach otwartych w ramach składki członkowskiej; szczegóły w załączniku.".into(),
                    ],
                    signatory: s("letter.signatory"),
                    signatory_role: s("letter.signatory_role"),
                },
                recipient: PartyContext {
                    name: s("recipient.name"),
                    unit: s("recipient.unit"),
                    street: s("recipient.street"),
                    postal_city: s("recipient.postal_city"),
                    ..PartyContext::default()
                },
            }),
            DocumentKind::Contract => Self::Contract(ContractContext {
                association: AssociationContext::default(),
                contract: ContractFields {
                    number: s("contract.number"),
                    date: s("contract.date"),
                    subject: s("contract.subject"),
                    start: s("contract.start"),
                    end: s("contract.end"),
                    cycle: s("contract.cycle"),
                    amount_net: s("contract.amount_net"),
                    vat: s("contract.vat"),
                },
                unit: PartyContext {
                    name: s("unit.name"),
                    unit: String::new(),
                    street: s("unit.street"),
                    postal_city: s("unit.postal_city"),
                    nip: s("unit.nip"),
                    regon: s("unit.regon"),
                    represented_by: s("unit.represented_by"),
                },
            }),
            DocumentKind::SettlementStatement => {
                let line = |no: &str, description: &str, net: &str, vat: &str, vat_amount: &str, gross: &str| {
                    StatementLine {
                        no: no.into(),
                        description: description.into(),
                        dates: "15–16.12.2026".into(),
                        net: net.into(),
                        vat: vat.into(),
                        vat_amount: vat_amount.into(),
                        gross: gross.into(),
                    }
                };
                Self::SettlementStatement(StatementContext {
                    association: AssociationContext::default(),
                    settlement: StatementFields {
                        number: s("settlement.number"),
                        issue_date: s("settlement.issue_date"),
                        due_date: s("settlement.due_date"),
                        lines: vec![
                            line("1", "Zamówienia publiczne w praktyce – Katarzyna Wiśniewska-Łęcka", "450,00", "zw", "0,00", "450,00"),
                            line("2", "Zamówienia publiczne w praktyce – Łukasz Żółkiewski", "450,00", "zw", "0,00", "450,00"),
                            line("3", "Warsztaty: obsługa e-Doręczeń – Ewa Ślęzak (nieobecność)", "450,00", "23%", "103,50", "553,50"),
                        ],
                        total_net: s("settlement.total_net"),
                        total_vat: s("settlement.total_vat"),
                        total_gross: s("settlement.total_gross"),
                    },
                    buyer: PartyContext {
                        name: s("buyer.name"),
                        street: s("buyer.street"),
                        postal_city: s("buyer.postal_city"),
                        nip: s("buyer.nip"),
                        ..PartyContext::default()
                    },
                })
            }
        }
    }
}
