//! Accent- and case-insensitive search keys.
//!
//! Users type "zolkiewski" for "Żółkiewski" and "lodz" for "Łódź", so names are indexed and
//! queried in a *folded* form: lowercase ASCII letters and digits separated by single spaces.
//!
//! The DynamoDB search index is partitioned by [`prefix_bucket`], the first two characters of
//! a folded token, and sorted by the token, so a query reads one partition with
//! `begins_with(token)`. That is why every searchable word must have at least
//! [`MIN_TOKEN_CHARS`] characters, and why [`query_tokens`] puts the longest (most selective)
//! word first: callers query the index with it and filter the rest.

use crate::values::ValueError;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Minimum length of a query word: the length of the index partition key.
pub const MIN_TOKEN_CHARS: usize = 2;
/// Maximum number of distinct words in a query (each after the first costs a filter pass).
pub const MAX_QUERY_TOKENS: usize = 5;

/// Folds text to its search form: lowercase ASCII letters and digits, words separated by one
/// space, no leading/trailing space.
///
/// - Diacritics are removed by compatibility decomposition (NFKD, which also turns ligatures
///   and full-width digits into plain ones) and dropping the combining marks.
/// - Letters NFKD does not decompose are mapped by hand: ł→l, ø→o, đ→d, ß→ss, æ→ae, œ→oe,
///   þ→th, ı→i.
/// - Apostrophes vanish without splitting ("O'Neill" → "oneill"); every other
///   non-alphanumeric character (hyphen, punctuation, any letter outside ASCII after the above,
///   e.g. Cyrillic) separates words.
///
/// The result is idempotent (`fold(fold(s)) == fold(s)`).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for decomposed in s.nfkd() {
        for c in decomposed.to_lowercase() {
            if is_combining_mark(c) {
                continue;
            }
            let mut buf = [0u8; 4];
            let piece: &str = match c {
                'ł' => "l",
                'ø' => "o",
                'đ' => "d",
                'ß' => "ss",
                'æ' => "ae",
                'œ' => "oe",
                'þ' => "th",
                'ı' => "i",
                c if c.is_ascii_lowercase() || c.is_ascii_digit() => c.encode_utf8(&mut buf),
                // Inside a word: "O'Neill" and "ONeill" should meet.
                '\'' | '\u{2019}' | '\u{2bc}' | '`' => continue,
                _ => {
                    pending_space = true;
                    continue;
                }
            };
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push_str(piece);
        }
    }
    out
}

/// Distinct folded words of `s`, in order of first appearance. Used to index a record's
/// searchable fields.
pub fn tokens(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in fold(s).split(' ').filter(|w| !w.is_empty()) {
        if !out.iter().any(|t| t == w) {
            out.push(w.to_owned());
        }
    }
    out
}

/// Words of a search query, longest first (ties keep query order).
///
/// Rules, chosen so common queries just work: one-character words are dropped (in Polish they
/// are mostly "w", "z", "i" and cannot hit the 2-character index partition anyway; dropping a
/// word only widens the result); the query must keep at least one word of
/// [`MIN_TOKEN_CHARS`]+ characters and at most [`MAX_QUERY_TOKENS`] distinct words.
///
/// Callers query the index partition `prefix_bucket(&tokens[0])` with `begins_with(tokens[0])`
/// and keep the records whose tokens also start with each of the other words.
pub fn query_tokens(q: &str) -> Result<Vec<String>, ValueError> {
    let all = tokens(q);
    if all.is_empty() {
        return Err(ValueError::EmptyQuery);
    }
    let mut kept: Vec<String> = all.into_iter().filter(|t| t.len() >= MIN_TOKEN_CHARS).collect();
    if kept.is_empty() {
        return Err(ValueError::SearchTermTooShort { min: MIN_TOKEN_CHARS });
    }
    if kept.len() > MAX_QUERY_TOKENS {
        return Err(ValueError::TooManySearchTerms { max: MAX_QUERY_TOKENS });
    }
    kept.sort_by_key(|t| std::cmp::Reverse(t.len()));
    Ok(kept)
}

/// The index partition of a folded token: its first two characters (the whole token when it
/// is shorter; such one-character tokens are stored but never queried).
pub fn prefix_bucket(token: &str) -> String {
    token.chars().take(MIN_TOKEN_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_polish_names() {
        assert_eq!(fold("Żółkiewski"), "zolkiewski");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("Ostrów Wielkopolski"), "ostrow wielkopolski");
        assert_eq!(fold("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż"), "acelnoszz acelnoszz");
        assert_eq!(fold("Kowalska-Nowak"), "kowalska nowak");
        assert_eq!(fold("  Gmina   Miasta\tGniezno, ul. 3 Maja 12 "), "gmina miasta gniezno ul 3 maja 12");
        assert_eq!(fold("O'Neill  O’Brien"), "oneill obrien");
        assert_eq!(fold("Søren Straße Đoković"), "soren strasse dokovic");
        assert_eq!(fold("ＡＢＣ１２ ﬁ"), "abc12 fi");
        assert_eq!(fold("Москва abc"), "abc");
        assert_eq!(fold("---"), "");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn tokens_are_distinct_in_order() {
        assert_eq!(tokens("Gmina Łódź, gmina LODZ-wieś"), vec!["gmina", "lodz", "wies"]);
        assert_eq!(tokens("W Poznaniu"), vec!["w", "poznaniu"]);
        assert!(tokens(" - ").is_empty());
    }

    #[test]
    fn query_tokens_rules() {
        assert_eq!(query_tokens("Urząd Gminy w Środzie").unwrap(), vec!["srodzie", "urzad", "gminy"]);
        assert_eq!(query_tokens("Ko").unwrap(), vec!["ko"]);
        assert_eq!(query_tokens(" "), Err(ValueError::EmptyQuery));
        assert_eq!(query_tokens("!?"), Err(ValueError::EmptyQuery));
        assert_eq!(query_tokens("k"), Err(ValueError::SearchTermTooShort { min: 2 }));
        assert_eq!(query_tokens("a b c"), Err(ValueError::SearchTermTooShort { min: 2 }));
        assert_eq!(query_tokens("aa bb cc dd ee aa").unwrap().len(), 5);
        assert_eq!(query_tokens("aa bb cc dd ee ff"), Err(ValueError::TooManySearchTerms { max: 5 }));
    }

    #[test]
    fn buckets() {
        assert_eq!(prefix_bucket("zolkiewski"), "zo");
        assert_eq!(prefix_bucket("lo"), "lo");
        assert_eq!(prefix_bucket("w"), "w");
        // A query token always falls into the bucket its indexed word lives in.
        let indexed = tokens("Żółkiewski");
        let q = query_tokens("żół").unwrap();
        assert_eq!(prefix_bucket(&q[0]), prefix_bucket(&indexed[0]));
        assert!(indexed[0].starts_with(&q[0]));
    }

    proptest! {
        #[test]
        fn fold_is_idempotent_and_ascii(s in "\\PC{0,40}") {
            let f = fold(&s);
            prop_assert!(f.is_ascii());
            prop_assert!(f.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == ' '));
            prop_assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
            prop_assert_eq!(fold(&f), f);
        }

        #[test]
        fn fold_ignores_case_and_polish_diacritics(s in "[a-zA-ZąćęłńóśźżĄĆĘŁŃÓŚŹŻ ]{0,30}") {
            let plain: String = s.chars().map(|c| match c {
                'ą' | 'Ą' => 'a', 'ć' | 'Ć' => 'c', 'ę' | 'Ę' => 'e', 'ł' | 'Ł' => 'l',
                'ń' | 'Ń' => 'n', 'ó' | 'Ó' => 'o', 'ś' | 'Ś' => 's', 'ź' | 'Ź' | 'ż' | 'Ż' => 'z',
                c => c.to_ascii_lowercase(),
            }).collect();
            prop_assert_eq!(fold(&s), fold(&plain));
            prop_assert_eq!(fold(&s.to_uppercase()), fold(&s));
        }

        #[test]
        fn query_tokens_are_bounded(s in "\\PC{0,40}") {
            if let Ok(ts) = query_tokens(&s) {
                prop_assert!(!ts.is_empty() && ts.len() <= MAX_QUERY_TOKENS);
                prop_assert!(ts.iter().all(|t| t.len() >= MIN_TOKEN_CHARS && fold(t) == *t));
                prop_assert!(ts.windows(2).all(|w| w[0].len() >= w[1].len()));
                let all = tokens(&s);
                prop_assert!(ts.iter().all(|t| all.contains(t)));
            }
        }
    }
}
