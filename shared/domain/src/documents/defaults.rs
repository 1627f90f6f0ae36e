//! The built-in templates, in Polish: used until staff save their own.

use super::{DocumentKind, DocumentTemplate};

const LETTERHEAD: &str = "^^ **{{ association.name }}**
^^ ~~ {{ association.address }} · e-WOKiSS
---
";

const CERTIFICATE: &str = "[[space: 6]]
^^ **{{ association.name }}**
^^ ~~ {{ association.address }}
[[space: 24]]
^^ # ZAŚWIADCZENIE
^^ nr {{ certificate.number }}
[[space: 14]]
^^ Zaświadcza się, że
[[space: 3]]
^^ ++ **{{ person.name }}**
[[space: 3]]
^^ ukończył(a) {{ training.kind }}
[[space: 2]]
^^ ## {{ training.title }}
[[space: 4]]
^^ zorganizowane przez {{ association.name }}
^^ w dniach {{ training.dates }}, w wymiarze {{ training.hours }} godz.
^^ Miejsce: {{ training.venue }}
^^ Prowadzący: {{ training.trainers }}
[[space: 20]]
{{ association.city }}, {{ certificate.issued_on }}
[[space: 14]]
[[signature: Dyrektor Biura WOKiSS]]
[[space: 12]]
[[qr: Autentyczność zaświadczenia można sprawdzić na stronie | {{ certificate.verify_url }} | kod weryfikacyjny: **{{ certificate.code }}**]]
[[footer: {{ association.name }} · {{ association.address }} · zaświadczenie {{ certificate.number }}{% if certificate.version != \"1\" %} (wersja {{ certificate.version }}){% endif %}]]
";

const LETTER: &str = "{LETTERHEAD}
>> {{ association.city }}, {{ letter.date }}
{% if letter.number %}
~~ Znak: {{ letter.number }}
{% endif %}
[[space: 10]]
>> **{{ recipient.name }}**
{% if recipient.unit %}
>> {{ recipient.unit }}
{% endif %}
>> {{ recipient.street }}
>> {{ recipient.postal_city }}
[[space: 12]]
**Dotyczy: {{ letter.subject }}**

Szanowni Państwo,

{% for paragraph in letter.paragraphs %}
{{ paragraph }}

{% endfor %}
Z poważaniem
[[space: 16]]
[[signature: {{ letter.signatory }} | {{ letter.signatory_role }}]]
[[footer: {{ association.name }} · {{ association.address }}]]
";

const CONTRACT: &str = "{LETTERHEAD}
^^ # UMOWA nr {{ contract.number }}
^^ zawarta w dniu {{ contract.date }} w miejscowości {{ association.city }} pomiędzy:

**{{ association.name }}**, {{ association.address }}, reprezentowanym przez: {{ association.represented_by }}, zwanym dalej „Stowarzyszeniem”,

a

**{{ unit.name }}**, {{ unit.street }}, {{ unit.postal_city }}{% if unit.nip %}, NIP {{ unit.nip }}{% endif %}{% if unit.regon %}, REGON {{ unit.regon }}{% endif %}, reprezentowaną przez: {{ unit.represented_by }}, zwaną dalej „Jednostką”.

^^ ### § 1. Przedmiot umowy
Przedmiotem umowy jest: {{ contract.subject }}.

^^ ### § 2. Okres obowiązywania
Umowa obowiązuje od dnia {{ contract.start }} {% if contract.end %}do dnia {{ contract.end }}{% else %}na czas nieokreślony{% endif %}.

^^ ### § 3. Wynagrodzenie
Wynagrodzenie za okres rozliczeniowy ({{ contract.cycle }}) wynosi {{ contract.amount_net }} zł netto (VAT: {{ contract.vat }}). Za niepełny okres rozliczeniowy wynagrodzenie nalicza się proporcjonalnie do liczby dni obowiązywania umowy w tym okresie.

^^ ### § 4. Płatności
Stowarzyszenie wystawia fakturę na początku każdego okresu rozliczeniowego. Jednostka zapłaci ją w terminie 14 dni od doręczenia, na rachunek wskazany w fakturze.

^^ ### § 5. Postanowienia końcowe
Zmiany umowy wymagają formy pisemnej pod rygorem nieważności. W sprawach nieuregulowanych umową stosuje się przepisy Kodeksu cywilnego. Umowę sporządzono w dwóch jednobrzmiących egzemplarzach, po jednym dla każdej ze stron.
[[space: 24]]
[[signatures: Za Stowarzyszenie | Za Jednostkę]]
[[footer: Umowa nr {{ contract.number }} · {{ association.name }}]]
";

const STATEMENT: &str = "{LETTERHEAD}
>> {{ association.city }}, {{ settlement.issue_date }}
[[space: 4]]
# Zestawienie do rozliczenia
++ nr **{{ settlement.number }}**

**Nabywca:** {{ buyer.name }}
{{ buyer.street }}, {{ buyer.postal_city }}{% if buyer.nip %}, NIP {{ buyer.nip }}{% endif %}

Termin płatności: **{{ settlement.due_date }}**

| ^Lp. | Pozycja | Termin | >Netto | ^VAT | >Kwota VAT | >Brutto |
{% for line in settlement.lines %}
| {{ line.no }} | {{ line.description }} | {{ line.dates }} | {{ line.net }} | {{ line.vat }} | {{ line.vat_amount }} | {{ line.gross }} |
{% endfor %}
| | **Razem** | | **{{ settlement.total_net }}** | | **{{ settlement.total_vat }}** | **{{ settlement.total_gross }}** |

>> ++ Do zapłaty: **{{ settlement.total_gross }} zł**

~~ Kwoty w złotych. „zw” – sprzedaż zwolniona z VAT (art. 43 ust. 1 pkt 29 lit. c ustawy o VAT). Zestawienie nie jest fakturą: fakturę wystawia dział księgowości na jego podstawie.
[[footer: Zestawienie {{ settlement.number }} · {{ association.name }} · {{ association.address }}]]
";

/// The built-in template of a kind (for certificates: of every training kind).
pub fn default_template(kind: DocumentKind) -> DocumentTemplate {
    let (title, body) = match kind {
        DocumentKind::Certificate => {
            ("Zaświadczenie {{ certificate.number }} – {{ person.name }}", CERTIFICATE.to_owned())
        }
        DocumentKind::Letter => ("{{ letter.subject }}", LETTER.replace("{LETTERHEAD}", LETTERHEAD)),
        DocumentKind::Contract => {
            ("Umowa {{ contract.number }} – {{ unit.name }}", CONTRACT.replace("{LETTERHEAD}", LETTERHEAD))
        }
        DocumentKind::SettlementStatement => {
            ("Zestawienie {{ settlement.number }} – {{ buyer.name }}", STATEMENT.replace("{LETTERHEAD}", LETTERHEAD))
        }
    };
    DocumentTemplate { kind, training_kind: None, title: title.to_owned(), body }
}
