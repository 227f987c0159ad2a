//! Property tests of every parser that takes outside input: email addresses, uuids, keys in
//! every form, and tokens. None may panic, and what they accept must mean what it says.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
use std::{path::PathBuf, sync::LazyLock};

use proptest::prelude::*;
use synerise_auth_token::{
    CustomerUuid, Email, Issuer, PublicKey, PublicKeyFormat, SigningKey, TokenTtl, UnixTime,
    Verifier,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

static ISSUER: LazyLock<Issuer> = LazyLock::new(|| {
    Issuer::new(
        SigningKey::from_file(&fixture("rsa2048-pkcs8.pem")).unwrap(),
        None,
    )
});
const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn email_parsing_never_panics_and_accepts_only_what_it_can_print_back(text in "\\PC{0,80}") {
        if let Ok(email) = Email::parse(&text) {
            let shown = email.as_str();
            prop_assert!(shown.contains('@'));
            prop_assert!(shown.len() <= 254);
            // Parsing what it printed gives the same address: one normal form.
            prop_assert_eq!(Email::parse(shown).unwrap(), email.clone());
            let domain = shown.rsplit_once('@').unwrap().1;
            prop_assert_eq!(domain.to_owned(), domain.to_ascii_lowercase());
        }
    }

    #[test]
    fn plausible_addresses_parse_with_a_lower_case_domain(
        local in "[a-zA-Z0-9._+-]{1,20}",
        domain in "[a-zA-Z0-9-]{1,12}\\.[a-zA-Z]{2,6}",
    ) {
        let text = format!("{local}@{domain}");
        if let Ok(email) = Email::parse(&text) {
            prop_assert!(email.as_str().ends_with(&domain.to_ascii_lowercase()));
        }
    }

    #[test]
    fn uuid_parsing_never_panics_and_round_trips(text in "\\PC{0,48}") {
        if let Ok(uuid) = CustomerUuid::parse(&text) {
            prop_assert_eq!(CustomerUuid::parse(&uuid.to_string()).unwrap(), uuid);
        }
    }

    #[test]
    fn every_uuid_in_canonical_form_parses(bytes in any::<[u8; 16]>()) {
        let text = uuid::Uuid::from_bytes(bytes).hyphenated().to_string();
        prop_assert_eq!(CustomerUuid::parse(&text).unwrap().to_string(), text);
    }

    #[test]
    fn public_key_text_never_panics(text in "\\PC{0,600}") {
        let _ = PublicKey::parse_text(&text, "arbitrary text");
    }

    #[test]
    fn key_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = SigningKey::from_bytes(&bytes, "arbitrary bytes");
        let _ = PublicKey::from_der(&bytes, "arbitrary bytes");
    }

    #[test]
    fn a_public_key_mangled_in_any_form_is_that_key_or_refused(
        form in prop_oneof![Just(PublicKeyFormat::Pem), Just(PublicKeyFormat::SingleLine), Just(PublicKeyFormat::Base64)],
        at in 0_usize..400,
        with in any::<char>(),
    ) {
        let key = ISSUER.public_key();
        let text = key.to_format(form);
        let printed = PublicKey::parse_text(&text, "as printed").unwrap();
        prop_assert_eq!(printed.thumbprint(), key.thumbprint());
        let mut mangled: Vec<char> = text.chars().collect();
        let at = at % mangled.len();
        mangled[at] = with;
        let mangled: String = mangled.into_iter().collect();
        if let Ok(parsed) = PublicKey::parse_text(&mangled, "mangled") {
            // A change the forms ignore (white space, a header letter) parses as this very key;
            // any other that still parses is some other valid key, never a panic or garbage.
            prop_assert_eq!(parsed.thumbprint().len(), key.thumbprint().len());
        }
    }

    #[test]
    fn verification_never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
        prop_assert!(Verifier::new(ISSUER.public_key()).verify(&text, NOW).is_err());
    }

    #[test]
    fn any_change_to_a_valid_token_is_refused(at in 0_usize..2000, with in "[A-Za-z0-9_.-]") {
        let email = Email::parse("customer@synerise.com").unwrap();
        let uuid = CustomerUuid::parse("345d4c8f-5aff-591d-a19c-1ca48923d9ee").unwrap();
        let issued = ISSUER.issue(&email, &uuid, TokenTtl::default(), NOW).unwrap();
        let token = issued.token();
        let at = at % token.len();
        let mut changed = token.to_owned();
        changed.replace_range(at..=at, &with);
        let verifier = Verifier::new(ISSUER.public_key());
        if changed == token {
            prop_assert!(verifier.verify(&changed, NOW).is_ok());
        } else if let Ok(verified) = verifier.verify(&changed, NOW) {
            // base64url's last character carries spare bits: a change there may decode to the
            // same bytes, and then it is the same token.
            prop_assert_eq!(verified.claims.email, "customer@synerise.com");
            prop_assert_eq!(verified.claims.uuid, uuid);
        }
    }
}
