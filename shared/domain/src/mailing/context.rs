//! The placeholders a mailing's template may use, each with the sample the editor's preview
//! shows, and the association's default mailing template.

use serde::Serialize;

use crate::templates::{html_page_with_footer, MessageTemplate, Placeholder, ASSOCIATION};

pub const MAILING_PLACEHOLDERS: &[Placeholder] = &[
    Placeholder { name: "person.first_name", description_pl: "imię odbiorcy", sample: "Katarzyna" },
    Placeholder { name: "person.last_name", description_pl: "nazwisko odbiorcy", sample: "Wiśniewska-Łęcka" },
    Placeholder { name: "person.position", description_pl: "stanowisko odbiorcy", sample: "Skarbnik Gminy" },
    Placeholder { name: "unit.name", description_pl: "jednostka odbiorcy", sample: "Gmina Kórnik" },
    Placeholder {
        name: "training.title",
        description_pl: "tytuł szkolenia (wysyłka ze szkoleniem)",
        sample: "Zamówienia publiczne w praktyce",
    },
    Placeholder { name: "training.dates", description_pl: "terminy szkolenia", sample: "15.12.2026, 09:00–15:00" },
    Placeholder {
        name: "training.venue",
        description_pl: "miejsce szkolenia",
        sample: "Sala WOKiSS, ul. Wielka 1, 61-775 Poznań",
    },
    Placeholder { name: "mailing.name", description_pl: "nazwa wysyłki", sample: "Newsletter grudzień 2026" },
    Placeholder {
        name: "mailing.unsubscribe_url",
        description_pl: "link rezygnacji z newslettera (pusty w komunikatach)",
        sample: "https://e.wokiss.pl/api/extranet/public/unsubscribe?token=przyklad",
    },
    Placeholder { name: "association.name", description_pl: "nazwa stowarzyszenia", sample: ASSOCIATION },
];

/// The values of one recipient's message.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MailingContext {
    pub person: PersonValues,
    pub unit: UnitValues,
    pub training: TrainingValues,
    pub mailing: MailingValues,
    pub association: AssociationValues,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PersonValues {
    pub first_name: String,
    pub last_name: String,
    pub position: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct UnitValues {
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TrainingValues {
    pub title: String,
    pub dates: String,
    pub venue: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MailingValues {
    pub name: String,
    pub unsubscribe_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssociationValues {
    pub name: String,
}

impl Default for AssociationValues {
    fn default() -> Self {
        Self { name: ASSOCIATION.into() }
    }
}

fn sample(name: &str) -> String {
    MAILING_PLACEHOLDERS.iter().find(|p| p.name == name).map(|p| p.sample.to_owned()).unwrap_or_default()
}

impl MailingContext {
    pub fn sample() -> Self {
        Self {
            person: PersonValues {
                first_name: sample("person.first_name"),
                last_name: sample("person.last_name"),
                position: sample("person.position"),
            },
            unit: UnitValues { name: sample("unit.name") },
            training: TrainingValues {
                title: sample("training.title"),
                dates: sample("training.dates"),
                venue: sample("training.venue"),
            },
            mailing: MailingValues { name: sample("mailing.name"), unsubscribe_url: sample("mailing.unsubscribe_url") },
            association: AssociationValues::default(),
        }
    }
}

/// The default mailing: greeting, a paragraph to replace, the association's frame and, when
/// the mailing allows it, the unsubscribe line.
pub fn default_mailing_template() -> MessageTemplate {
    let unsubscribe_html = r#"{% if mailing.unsubscribe_url %}<br><a href="{{ mailing.unsubscribe_url }}" style="color:#637381">Nie chcę otrzymywać takich wiadomości</a>{% endif %}"#;
    let body = "<p>Dzień dobry {{ person.first_name }} {{ person.last_name }},</p>\n<p>Treść wiadomości.</p>\n<p>Z wyrazami szacunku<br>Zespół WOKiSS</p>";
    MessageTemplate {
        subject: "{{ mailing.name }}".into(),
        text: "Dzień dobry {{ person.first_name }} {{ person.last_name }},\n\nTreść wiadomości.\n\nZ wyrazami szacunku\nZespół WOKiSS\n\n--\n{{ association.name }}\nul. Wielka 1, 61-775 Poznań · e-WOKiSS{% if mailing.unsubscribe_url %}\nRezygnacja z takich wiadomości: {{ mailing.unsubscribe_url }}{% endif %}".into(),
        html: html_page_with_footer(body, unsubscribe_html),
    }
}
