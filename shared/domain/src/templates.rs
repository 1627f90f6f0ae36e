//! E-mail templates of the notifications, rendered by minijinja. Every placeholder a template
//! may use is declared with a sample, so a template is checked when it is saved (unknown
//! placeholder, bad syntax) by rendering it with the samples — never first at send time.

use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{FieldError, ValidationErrors};
use crate::notification::NotificationKind;

/// Subject, plain-text and HTML body (the HTML is auto-escaped; the text is not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageTemplate {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RenderedMessage {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A placeholder a notification template may use, with the sample the preview shows.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Placeholder {
    pub name: &'static str,
    pub description_pl: &'static str,
    pub sample: &'static str,
}

pub const PLACEHOLDERS: &[Placeholder] = &[
    Placeholder { name: "person.first_name", description_pl: "imię uczestnika", sample: "Katarzyna" },
    Placeholder { name: "person.last_name", description_pl: "nazwisko uczestnika", sample: "Wiśniewska-Łęcka" },
    Placeholder {
        name: "training.title",
        description_pl: "tytuł szkolenia",
        sample: "Zamówienia publiczne w praktyce",
    },
    Placeholder {
        name: "training.dates",
        description_pl: "terminy (dni i godziny)",
        sample: "15.12.2026, 09:00–15:00",
    },
    Placeholder {
        name: "training.venue",
        description_pl: "miejsce szkolenia",
        sample: "Sala WOKiSS, ul. Wielka 1, 61-775 Poznań",
    },
    Placeholder { name: "enrolment.waitlist_position", description_pl: "numer na liście rezerwowej", sample: "3" },
    Placeholder { name: "by.name", description_pl: "kto dokonał zmiany", sample: "Joanna Kórnicka" },
    Placeholder { name: "association.name", description_pl: "nazwa stowarzyszenia", sample: ASSOCIATION },
    Placeholder {
        name: "certificate.number",
        description_pl: "numer zaświadczenia (e-mail z zaświadczeniem)",
        sample: "ZAS/000123/2026",
    },
    Placeholder {
        name: "certificate.link",
        description_pl: "link do pobrania zaświadczenia (działa latami)",
        sample: "https://e.wokiss.pl/api/extranet/public/certificates/download?token=przyklad",
    },
];

pub const ASSOCIATION: &str = "Wielkopolski Ośrodek Kształcenia i Studiów Samorządowych";

/// The values of one message.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NotificationContext {
    pub person: PersonContext,
    pub training: TrainingContext,
    pub enrolment: EnrolmentContext,
    pub by: ByContext,
    pub association: AssociationContext,
    pub certificate: CertificateLinkContext,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CertificateLinkContext {
    pub number: String,
    pub link: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PersonContext {
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TrainingContext {
    pub title: String,
    pub dates: String,
    pub venue: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EnrolmentContext {
    pub waitlist_position: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ByContext {
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssociationContext {
    pub name: String,
}

impl Default for AssociationContext {
    fn default() -> Self {
        Self { name: ASSOCIATION.into() }
    }
}

impl NotificationContext {
    /// The declared samples, for previews and for checking a template at save time.
    pub fn sample() -> Self {
        let sample =
            |name: &str| PLACEHOLDERS.iter().find(|p| p.name == name).map(|p| p.sample.to_owned()).unwrap_or_default();
        Self {
            person: PersonContext { first_name: sample("person.first_name"), last_name: sample("person.last_name") },
            training: TrainingContext {
                title: sample("training.title"),
                dates: sample("training.dates"),
                venue: sample("training.venue"),
            },
            enrolment: EnrolmentContext { waitlist_position: sample("enrolment.waitlist_position") },
            by: ByContext { name: sample("by.name") },
            association: AssociationContext::default(),
            certificate: CertificateLinkContext {
                number: sample("certificate.number"),
                link: sample("certificate.link"),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template {part}: {detail}")]
pub struct TemplateError {
    pub part: &'static str,
    pub detail: String,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // An unknown placeholder is an error, not an empty string in someone's inbox.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    env
}

impl MessageTemplate {
    /// Renders with any context that serialises to the declared placeholders.
    pub fn render<C: Serialize>(&self, context: &C) -> Result<RenderedMessage, TemplateError> {
        let env = environment();
        let render = |part: &'static str, name: &str, source: &str| {
            env.render_named_str(name, source, context).map_err(|e| TemplateError { part, detail: e.to_string() })
        };
        Ok(RenderedMessage {
            subject: render("subject", "subject.txt", &self.subject)?.replace(['\r', '\n'], " "),
            text: render("text", "body.txt", &self.text)?,
            html: render("html", "body.html", &self.html)?,
        })
    }

    /// Checks a notification template at save time by rendering it with the declared samples.
    pub fn validate(&self) -> Result<RenderedMessage, ValidationErrors> {
        self.validate_against(PLACEHOLDERS, &NotificationContext::sample())
    }

    /// Checks a template against the placeholders its context declares, then renders it with
    /// their samples: an unknown placeholder or bad syntax is reported now, never at send time.
    pub fn validate_against<C: Serialize>(
        &self,
        placeholders: &[Placeholder],
        sample: &C,
    ) -> Result<RenderedMessage, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (field, source) in [("subject", &self.subject), ("text", &self.text), ("html", &self.html)] {
            if source.trim().is_empty() {
                errors.push(FieldError::required(field));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Name the unknown placeholder rather than let the renderer say "undefined value".
        let env = environment();
        for (field, name, source) in [
            ("subject", "subject.txt", &self.subject),
            ("text", "body.txt", &self.text),
            ("html", "body.html", &self.html),
        ] {
            let template = match env.template_from_named_str(name, source) {
                Ok(template) => template,
                Err(syntax) => {
                    // Every part is checked, so one answer names all the broken ones.
                    errors.push(template_error(field, &syntax.to_string()));
                    continue;
                }
            };
            let mut unknown: Vec<String> = template
                .undeclared_variables(true)
                .into_iter()
                .filter(|used| !placeholders.iter().any(|p| p.name == used || p.name.starts_with(&format!("{used}."))))
                .collect();
            unknown.sort();
            if let Some(first) = unknown.first() {
                let known = placeholders.iter().map(|p| p.name).collect::<Vec<_>>().join(", ");
                errors.push(FieldError::new(
                    field,
                    "unknown_placeholder",
                    format!("Nieznane pole: {first}. Dostępne: {known}."),
                    format!("Unknown placeholder: {first}. Available: {known}."),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        self.render(sample).map_err(|error| template_error(error.part, &error.detail).into())
    }
}

fn template_error(field: &str, detail: &str) -> FieldError {
    FieldError::new(field, "template_error", format!("Błąd w szablonie: {detail}"), format!("Template error: {detail}"))
}

const FOOTER_TEXT: &str = "\n\n--\n{{ association.name }}\nul. Wielka 1, 61-775 Poznań · e-WOKiSS\nTa wiadomość dotyczy Twojego zapisu na szkolenie i jest wysyłana automatycznie.";

/// The association's HTML frame (header, body, footer) with inline styles and layout tables,
/// which is what common mail clients render reliably.
pub fn html_page(body: &str) -> String {
    html_page_with_footer(body, "")
}

/// The frame with an extra footer line (e.g. the unsubscribe link of a newsletter).
pub fn html_page_with_footer(body: &str, extra_footer: &str) -> String {
    format!(
        r#"<!doctype html><html lang="pl"><body style="margin:0;padding:0;background:#f3f5f8">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="background:#f3f5f8"><tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellspacing="0" cellpadding="0" style="background:#ffffff;border-radius:6px;font-family:Arial,Helvetica,sans-serif;color:#1f2933">
<tr><td style="background:#1d4e89;color:#ffffff;padding:16px 24px;font-size:18px;font-weight:bold">e-WOKiSS</td></tr>
<tr><td style="padding:24px;font-size:15px;line-height:1.5">{body}</td></tr>
<tr><td style="padding:16px 24px;font-size:12px;color:#637381;border-top:1px solid #e4e7eb">{{{{ association.name }}}}<br>ul. Wielka 1, 61-775 Poznań · e-WOKiSS{extra_footer}</td></tr>
</table></td></tr></table></body></html>"#
    )
}

/// The built-in template of each notification, in Polish.
pub fn default_template(kind: NotificationKind) -> MessageTemplate {
    let (subject, lead) = match kind {
        NotificationKind::Enrolled => (
            "Potwierdzenie zapisu: {{ training.title }}",
            "potwierdzamy zapis na szkolenie <b>{{ training.title }}</b>.",
        ),
        NotificationKind::Waitlisted => (
            "Lista rezerwowa: {{ training.title }}",
            "na szkoleniu <b>{{ training.title }}</b> nie ma już wolnych miejsc. Jesteś na liście rezerwowej (pozycja {{ enrolment.waitlist_position }}); napiszemy, gdy zwolni się miejsce.",
        ),
        NotificationKind::Promoted => (
            "Zwolniło się miejsce: {{ training.title }}",
            "zwolniło się miejsce na szkoleniu <b>{{ training.title }}</b> — zostałaś/eś przeniesiona/y z listy rezerwowej na listę uczestników.",
        ),
        NotificationKind::Cancelled => (
            "Rezygnacja ze szkolenia: {{ training.title }}",
            "potwierdzamy rezygnację ze szkolenia <b>{{ training.title }}</b> (zgłosił/a: {{ by.name }}).",
        ),
        NotificationKind::Substituted => (
            "Zapis na szkolenie (zastępstwo): {{ training.title }}",
            "zostałaś/eś zapisana/y na szkolenie <b>{{ training.title }}</b> w zastępstwie za koleżankę lub kolegę z jednostki.",
        ),
        NotificationKind::TrainingCancelled => (
            "Szkolenie odwołane: {{ training.title }}",
            "z przykrością informujemy, że szkolenie <b>{{ training.title }}</b> zostało odwołane.",
        ),
        NotificationKind::Reminder => (
            "Przypomnienie: {{ training.title }}",
            "przypominamy o szkoleniu <b>{{ training.title }}</b>.",
        ),
        NotificationKind::CertificateIssued => (
            "Zaświadczenie: {{ training.title }}",
            "dziękujemy za udział w szkoleniu <b>{{ training.title }}</b>. Zaświadczenie nr {{ certificate.number }} można pobrać w dowolnej chwili: <a href=\"{{ certificate.link }}\">pobierz zaświadczenie (PDF)</a>. Jest też dostępne w e-WOKiSS, w zakładce „Moje szkolenia”.",
        ),
    };
    let details = "Termin: {{ training.dates }}<br>Miejsce: {{ training.venue }}";
    let html_body = format!(
        "<p>Dzień dobry {{{{ person.first_name }}}} {{{{ person.last_name }}}},</p><p>{lead}</p><p>{details}</p>"
    );
    let plain_lead = lead
        .replace("<b>", "")
        .replace("</b>", "")
        .replace("<a href=\"{{ certificate.link }}\">pobierz zaświadczenie (PDF)</a>", "{{ certificate.link }}");
    let text = format!(
        "Dzień dobry {{{{ person.first_name }}}} {{{{ person.last_name }}}},\n\n{plain_lead}\n\nTermin: {{{{ training.dates }}}}\nMiejsce: {{{{ training.venue }}}}{FOOTER_TEXT}"
    );
    MessageTemplate { subject: subject.into(), text, html: html_page(&html_body) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [NotificationKind; 8] = [
        NotificationKind::Enrolled,
        NotificationKind::Waitlisted,
        NotificationKind::Promoted,
        NotificationKind::Cancelled,
        NotificationKind::Substituted,
        NotificationKind::TrainingCancelled,
        NotificationKind::Reminder,
        NotificationKind::CertificateIssued,
    ];

    #[test]
    fn every_default_template_renders_with_polish_characters() {
        for kind in ALL {
            let message = default_template(kind).validate().unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
            assert!(message.subject.contains("Zamówienia publiczne w praktyce"), "{kind:?}");
            assert!(message.text.contains("Katarzyna Wiśniewska-Łęcka"));
            assert!(message.html.contains("Katarzyna Wiśniewska-Łęcka"));
            assert!(!message.text.contains("<b>"));
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let mut context = NotificationContext::sample();
        context.training.title = "RODO <w> praktyce & więcej".into();
        let message = default_template(NotificationKind::Enrolled).render(&context).unwrap();
        assert!(message.html.contains("RODO &lt;w&gt; praktyce &amp; więcej"));
        assert!(message.text.contains("RODO <w> praktyce & więcej"));
    }

    #[test]
    fn unknown_placeholders_and_bad_syntax_are_caught_at_save_time() {
        let unknown = MessageTemplate { subject: "{{ training.price }}".into(), text: "x".into(), html: "x".into() };
        let errors = unknown.validate().unwrap_err();
        assert_eq!(errors.0[0].field, "subject");
        assert_eq!(errors.0[0].code, "unknown_placeholder");
        assert!(errors.0[0].pl.contains("training.price"), "{}", errors.0[0].pl);
        let syntax = MessageTemplate { subject: "ok".into(), text: "{% if %}".into(), html: "x".into() };
        assert_eq!(syntax.validate().unwrap_err().0[0].field, "text");
        let empty = MessageTemplate { subject: " ".into(), text: "x".into(), html: "x".into() };
        assert_eq!(empty.validate().unwrap_err().0[0].code, "required");
    }

    #[test]
    fn a_subject_never_spans_lines() {
        let mut context = NotificationContext::sample();
        context.training.title = "Linia\r\nBcc: ktos@example.com".into();
        let message = default_template(NotificationKind::Enrolled).render(&context).unwrap();
        assert!(!message.subject.contains('\n') && !message.subject.contains('\r'));
    }
}
