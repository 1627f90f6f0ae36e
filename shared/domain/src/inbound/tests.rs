use super::*;
use proptest::prelude::*;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

#[test]
fn token_is_26_lowercase_base32_characters_after_the_target() {
    let token = ReplyToken::for_training(uuid(0));
    assert_eq!(token.tag(), format!("t-{}", "a".repeat(26)));
    let token = ReplyToken::for_mailing(uuid(u128::MAX));
    // 128 one-bits, then the two zero bits of the last digit: 25 × '7' and '4' (0b11100).
    assert_eq!(token.tag(), format!("m-{}4", "7".repeat(25)));
    let tag = ReplyToken::for_training(Uuid::new_v4()).tag();
    assert_eq!(tag.len(), 28);
    assert!(tag[2..].bytes().all(|b| BASE32.contains(&b)), "{tag}");
}

#[test]
fn address_puts_the_token_in_the_plus_detail() {
    let id = Uuid::parse_str("0190a5b2-7c1e-7d3a-9f00-1234567890ab").unwrap();
    let token = ReplyToken::for_training(id);
    let address = token.address("biuro@wokiss.pl");
    // RFC 4648 base32 of the uuid's 16 bytes, lowercase, unpadded (Python:
    // base64.b32encode(uuid.UUID(...).bytes).decode().rstrip("=").lower()).
    assert_eq!(address, "biuro+t-agiklmt4dz6tvhyaci2fm6eqvm@wokiss.pl");
    assert_eq!(ReplyToken::from_address(&address), Some(token));
    // A detail already in the base address is replaced, not stacked.
    assert_eq!(token.address("biuro+crm@wokiss.pl"), address);
    assert_eq!(ReplyToken::for_mailing(id).address("biuro@wokiss.pl")[..8].to_owned(), "biuro+m-");
    assert!(token.address("biuro@wokiss.pl").split('@').next().unwrap().len() <= 64, "a valid local part");
}

#[test]
fn from_address_ignores_case_and_angle_brackets() {
    let token = ReplyToken::for_mailing(Uuid::new_v4());
    let address = token.address("biuro@wokiss.pl");
    assert_eq!(ReplyToken::from_address(&address.to_uppercase()), Some(token));
    assert_eq!(ReplyToken::from_address(&format!(" <{address}> ")), Some(token));
}

#[test]
fn from_address_rejects_garbage() {
    let good = ReplyToken::for_training(uuid(42)).tag();
    for bad in [
        "",
        "biuro@wokiss.pl",
        "biuro+@wokiss.pl",
        "biuro+crm@wokiss.pl",
        "biuro+x-aaaaaaaaaaaaaaaaaaaaaaaaaa@wokiss.pl",
        "biuro+taaaaaaaaaaaaaaaaaaaaaaaaaa@wokiss.pl",
        "biuro+t-aaaaaaaaaaaaaaaaaaaaaaaaa@wokiss.pl",
        "biuro+t-aaaaaaaaaaaaaaaaaaaaaaaaaaa@wokiss.pl",
        // '1', '8', '0' are not in the alphabet.
        "biuro+t-aaaaaaaaaaaaaaaaaaaaaaaaa1@wokiss.pl",
        // The last digit's low two bits must be zero ('b' = 0b00001).
        "biuro+t-aaaaaaaaaaaaaaaaaaaaaaaaab@wokiss.pl",
        "biuro+t-ąaaaaaaaaaaaaaaaaaaaaaaaaa@wokiss.pl",
        "<biuro+t-aaaaaaaaaaaaaaaaaaaaaaaaaa@wokiss.pl",
        "biuro+t-aaaaaaaaaaaaaaaaaaaaaaaaaa@",
        "biuro+t-aaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        assert_eq!(ReplyToken::from_address(bad), None, "{bad}");
    }
    assert!(ReplyToken::from_address(&format!("biuro+{good}@wokiss.pl")).is_some());
}

#[test]
fn tokens_of_other_mailboxes_are_not_ours() {
    let token = ReplyToken::for_training(Uuid::new_v4());
    let ours = token.address("biuro@wokiss.pl");
    assert_eq!(ReplyToken::from_address_of(&ours, "biuro@wokiss.pl"), Some(token));
    assert_eq!(ReplyToken::from_address_of(&ours.to_uppercase(), "Biuro@Wokiss.pl"), Some(token));
    assert_eq!(ReplyToken::from_address_of(&token.address("jan@gmina.pl"), "biuro@wokiss.pl"), None);
    assert_eq!(ReplyToken::from_address_of(&token.address("biuro@wokiss.com.pl"), "biuro@wokiss.pl"), None);
}

proptest! {
    #[test]
    fn token_round_trips(bits in any::<u128>(), mailing in any::<bool>(), local in "[a-z]([a-z0-9]|\\.[a-z0-9]){0,10}", domain in "[a-z0-9]{1,20}\\.(pl|eu)") {
        let id = uuid(bits);
        let token = if mailing { ReplyToken::for_mailing(id) } else { ReplyToken::for_training(id) };
        prop_assert_eq!(ReplyToken::parse_tag(&token.tag()), Some(token));
        let base = format!("{local}@{domain}");
        let address = token.address(&base);
        prop_assert_eq!(ReplyToken::from_address(&address), Some(token));
        prop_assert_eq!(ReplyToken::from_address(&address.to_uppercase()), Some(token));
        prop_assert_eq!(ReplyToken::from_address_of(&address, &base), Some(token));
        prop_assert!(Email::parse(&address).is_ok(), "a valid address: {}", address);
        prop_assert_eq!(token.id(), id);
    }

    #[test]
    fn any_input_is_read_without_panicking(raw in "\\PC{0,80}") {
        if let Some(token) = ReplyToken::from_address(&raw) {
            // Whatever parses is canonical: written back, it reads the same.
            prop_assert_eq!(ReplyToken::parse_tag(&token.tag()), Some(token));
        }
    }

    #[test]
    fn distinct_ids_give_distinct_tags(a in any::<u128>(), b in any::<u128>()) {
        prop_assume!(a != b);
        prop_assert_ne!(ReplyToken::for_training(uuid(a)).tag(), ReplyToken::for_training(uuid(b)).tag());
    }
}

// ---- the message ---------------------------------------------------------------------------

fn at() -> DateTime<Utc> {
    "2026-11-20T09:30:00Z".parse().unwrap()
}

fn parts() -> ReceivedParts {
    ReceivedParts {
        from: Some(MailAddress { name: Some("Jan Kowalski".into()), address: "Jan.Kowalski@Gmina-Test.pl".into() }),
        to: vec![MailAddress { name: None, address: "biuro@wokiss.pl".into() }],
        subject: Some("Zgłoszenie   na\r\n szkolenie".into()),
        message_id: Some("<abc.123@gmina-test.pl>".into()),
        in_reply_to: vec!["<out-1@wokiss.pl>".into()],
        text: Some("\r\nDzień dobry,\r\nw załączeniu zgłoszenie.\r\n".into()),
        attachments: vec![ReceivedAttachment {
            name: Some("Zgłoszenie ŁÓDŹ.pdf".into()),
            content_type: Some("Application/PDF".into()),
            size: 1234,
        }],
        ..Default::default()
    }
}

#[test]
fn a_message_is_kept_normalised() {
    let id = InboundMailId::generate();
    let mail = InboundMail::receive(id, at(), "inbound/raw/x".into(), parts(), None);
    assert_eq!(mail.sender.as_ref().map(Email::as_str), Some("jan.kowalski@gmina-test.pl"));
    assert_eq!(mail.subject, "Zgłoszenie na szkolenie");
    assert_eq!(mail.text, "Dzień dobry,\nw załączeniu zgłoszenie.");
    assert_eq!(mail.message_id.as_deref(), Some("abc.123@gmina-test.pl"));
    assert_eq!(mail.in_reply_to, ["out-1@wokiss.pl"]);
    assert_eq!(mail.status, InboundStatus::Unassigned);
    assert!(mail.problems.is_empty(), "{:?}", mail.problems);
    let attachment = &mail.attachments[0];
    assert_eq!(attachment.name, "Zgłoszenie ŁÓDŹ.pdf");
    assert_eq!(attachment.content_type, "application/pdf");
    assert_eq!(attachment.key, format!("inbound/attachments/{id}/1-Zgloszenie_LODZ.pdf"));
}

#[test]
fn an_unreadable_message_is_kept_with_its_problems() {
    let mail = InboundMail::receive(
        InboundMailId::generate(),
        at(),
        "inbound/raw/y".into(),
        ReceivedParts { problems: vec!["not a MIME message".into()], ..Default::default() },
        None,
    );
    assert_eq!(mail.sender, None);
    assert_eq!(mail.subject, "");
    assert_eq!(mail.status, InboundStatus::Unassigned);
    assert_eq!(mail.problems, ["not a MIME message", "no sender (From) could be read"]);
    let bad_sender = ReceivedParts {
        from: Some(MailAddress { name: None, address: "not an address".into() }),
        ..Default::default()
    };
    let mail = InboundMail::receive(InboundMailId::generate(), at(), "k".into(), bad_sender, None);
    assert_eq!(mail.sender, None);
    assert!(mail.problems[0].contains("not valid"));
}

#[test]
fn limits_bound_what_a_sender_controls() {
    let many = |n: usize| (0..n).map(|i| MailAddress { name: None, address: format!("a{i}@x.pl") }).collect();
    let huge = ReceivedParts {
        subject: Some("ż".repeat(2_000)),
        text: Some("ą".repeat(200_000)),
        to: many(120),
        attachments: vec![ReceivedAttachment::default(); 70],
        references: (0..100).map(|i| format!("<r{i}@x>")).collect(),
        ..parts()
    };
    let mail = InboundMail::receive(InboundMailId::generate(), at(), "k".into(), huge, None);
    assert_eq!(mail.subject.chars().count(), limits::SUBJECT_CHARS);
    assert!(mail.text.len() <= limits::TEXT_BYTES && mail.text.len() > limits::TEXT_BYTES - 4);
    assert!(mail.text_truncated);
    assert_eq!(mail.to.len(), limits::RECIPIENTS);
    assert_eq!(mail.attachments.len(), limits::ATTACHMENTS);
    assert_eq!(mail.attachments[0].name, "zalacznik-1");
    assert_eq!(mail.attachments[0].content_type, "application/octet-stream");
    assert_eq!(mail.references.len(), limits::MESSAGE_IDS);
    assert!(mail.problems.len() >= 3, "{:?}", mail.problems);
    // Well under DynamoDB's 400 KB item limit.
    assert!(serde_json::to_vec(&mail).unwrap().len() < 300_000);
}

#[test]
fn control_characters_and_paths_do_not_survive() {
    let tricky = ReceivedParts {
        subject: Some("a\u{7}b\u{1b}[31mc".into()),
        attachments: vec![ReceivedAttachment { name: Some("../../etc/passwd".into()), ..Default::default() }],
        ..parts()
    };
    let mail = InboundMail::receive(InboundMailId::generate(), at(), "k".into(), tricky, None);
    assert_eq!(mail.subject, "ab[31mc");
    assert_eq!(mail.attachments[0].name, ".._.._etc_passwd");
    assert!(mail.attachments[0].key.ends_with("/1-_.._etc_passwd"), "{}", mail.attachments[0].key);
    assert_eq!(key_safe_name("..."), "plik");
    assert_eq!(
        key_safe_name("Sprawozdanie roczne 2026 (wersja ostateczna).docx"),
        "Sprawozdanie_roczne_2026__wersja_ostateczna_.docx"
    );
}

proptest! {
    #[test]
    fn any_parts_are_kept_within_limits(subject in "\\PC{0,700}", text in "(\\PC|\r|\n){0,300}", name in "\\PC{0,300}") {
        let raw = ReceivedParts {
            subject: Some(subject),
            text: Some(text),
            attachments: vec![ReceivedAttachment { name: Some(name), content_type: None, size: 1 }],
            ..parts()
        };
        let mail = InboundMail::receive(InboundMailId::generate(), at(), "k".into(), raw, None);
        prop_assert!(mail.subject.chars().count() <= limits::SUBJECT_CHARS);
        prop_assert!(!mail.subject.chars().any(char::is_control));
        prop_assert!(!mail.text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
        let key = &mail.attachments[0].key;
        prop_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)), "{}", key);
        prop_assert!(!key.contains("/."), "{}", key);
    }
}

#[test]
fn assigning_links_person_unit_training_and_the_message() {
    let training = ReplyToken::for_training(Uuid::new_v4());
    let mut mail =
        InboundMail::receive(InboundMailId::generate(), at(), "k".into(), parts(), Some(training.object_ref()));
    let person = ObjectRef { kind: ObjectKind::Person, id: "p".into(), label: Some("Jan Kowalski".into()) };
    let unit = ObjectRef { kind: ObjectKind::Unit, id: "u".into(), label: None };
    let event = mail.assign(person.clone(), unit.clone(), None, at());
    assert_eq!(event.kind, EventKind::EmailInbound);
    assert_eq!(event.at, at());
    assert_eq!(event.subject, "Zgłoszenie na szkolenie");
    assert_eq!(event.author.name, "Jan Kowalski <Jan.Kowalski@Gmina-Test.pl>");
    let body = event.body.as_deref().unwrap();
    assert!(body.starts_with("Dzień dobry,") && body.ends_with("Załączniki: Zgłoszenie ŁÓDŹ.pdf"), "{body}");
    let kinds: Vec<ObjectKind> = event.links.iter().map(|l| l.kind).collect();
    assert_eq!(kinds, [ObjectKind::Person, ObjectKind::Unit, ObjectKind::Training, ObjectKind::InboundMail]);
    assert_eq!(mail.status, InboundStatus::Assigned);
    assert_eq!(mail.event_id, Some(event.id));
    assert_eq!((mail.person, mail.unit), (Some(person), Some(unit)));
    assert_eq!(mail.assigned_by, None, "recognised on arrival, nobody assigned it");
}

#[test]
fn replies_keep_the_thread() {
    let mail = InboundMail::receive(InboundMailId::generate(), at(), "k".into(), parts(), None);
    assert_eq!(mail.reply_subject(), "Re: Zgłoszenie na szkolenie");
    assert_eq!(mail.reply_references(), ["out-1@wokiss.pl", "abc.123@gmina-test.pl"]);
    let again = InboundMail { subject: "RE: Zgłoszenie".into(), ..mail.clone() };
    assert_eq!(again.reply_subject(), "RE: Zgłoszenie");
    let none = InboundMail { subject: String::new(), ..mail.clone() };
    assert_eq!(none.reply_subject(), "Re: (bez tematu)");
}

#[test]
fn a_reply_needs_text_and_has_a_stable_id() {
    let mail = InboundMail::receive(InboundMailId::generate(), at(), "k".into(), parts(), None);
    let errors = ReplyInput::default().validate(&mail).unwrap_err();
    assert_eq!(errors.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["text"]);
    let errors = ReplyInput { subject: Some("x".repeat(300)), text: Some(" ".into()) }.validate(&mail).unwrap_err();
    assert_eq!(errors.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["subject", "text"]);
    let reply =
        ReplyInput { subject: None, text: Some("Dziękujemy, zgłoszenie przyjęte.".into()) }.validate(&mail).unwrap();
    assert_eq!(reply.subject.as_str(), "Re: Zgłoszenie na szkolenie");
    assert_eq!(reply.id(mail.id), reply.clone().id(mail.id));
    let other = Reply { text: Body::parse("Inna treść").unwrap(), ..reply.clone() };
    assert_ne!(reply.id(mail.id), other.id(mail.id));
}
