//! Property tests over hostile input: whatever bytes arrive as a base URL, a PEM file, a JWT, a
//! profile file or a keychain record, the engine answers with an error (never a panic), and its
//! messages never quote secret-bearing input back.

use lakekey::credential::Credential;
use lakekey::lake_url::LakeUrl;
use lakekey::pem_key::RsaKey;
use lakekey::profile::ProfileStore;
use lakekey::{jwt_info, ErrorCode};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn base_urls_never_panic_and_valid_ones_round_trip(input in ".{0,200}") {
        if let Ok(lake) = LakeUrl::parse(&input) {
            prop_assert!(!lake.base_url().ends_with('/'));
            prop_assert!(!lake.env_id().is_empty());
            prop_assert_eq!(LakeUrl::parse(lake.base_url()).unwrap(), lake);
        }
    }

    #[test]
    fn lake_urls_give_back_their_org_and_environment(org in "[a-z][a-z0-9-]{0,20}", domain in "[a-z]{1,10}\\.[a-z]{2,5}", env in "[a-f0-9-]{1,36}", slashes in 0usize..3) {
        // Labels with `--` in the third and fourth places are reserved for IDNA (`xn--`): such a
        // host is rightly refused unless it is valid punycode, which a random label seldom is.
        prop_assume!(org.get(2..4) != Some("--"));
        let url = format!("https://{org}.{domain}/api/accounts/{env}{}", "/".repeat(slashes));
        let lake = LakeUrl::parse(&url).unwrap();
        prop_assert_eq!(lake.org_id(), org.as_str());
        prop_assert_eq!(lake.env_id(), env.as_str());
        prop_assert_eq!(lake.control_plane(), format!("https://{org}.{domain}"));
    }

    #[test]
    fn pem_text_never_panics(text in "(-----BEGIN [A-Z ]{0,25}-----\n)?[A-Za-z0-9+/=\n]{0,300}(-----END [A-Z ]{0,25}-----)?") {
        if let Err(e) = RsaKey::from_pem(&text, None) {
            prop_assert_eq!(e.code(), ErrorCode::InvalidInput);
        }
    }

    #[test]
    fn jwt_decoding_never_panics_or_quotes_the_token(token in "[A-Za-z0-9_.=-]{0,400}") {
        if let Err(e) = jwt_info::decode(&token) {
            prop_assert_eq!(e.code(), ErrorCode::InvalidInput);
            if token.len() > 8 {
                prop_assert!(!e.message().contains(&token));
            }
        }
    }

    #[test]
    fn keychain_records_never_panic_or_quote_themselves(text in ".{0,300}") {
        if let Err(e) = Credential::from_keychain_text(&text) {
            prop_assert_eq!(e.code(), ErrorCode::SignInRequired);
            if text.len() > 8 {
                prop_assert!(!e.message().contains(&text));
            }
        }
    }

    #[test]
    fn profile_files_are_read_or_refused_never_rewritten(text in "(\\[profiles\\.[a-z]{1,5}\\]\n)?([a-z_]{1,10} = (\"[a-z:/.]{0,20}\"|[0-9]{1,5}|true)\n){0,4}") {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        std::fs::write(store.path(), &text).unwrap();
        match store.load() {
            Ok(config) => {
                for (name, profile) in &config.profiles {
                    let _ = profile.resolve(name);
                }
            }
            Err(e) => {
                prop_assert_eq!(e.code(), ErrorCode::ConfigCorrupt);
                prop_assert!(store.update(|_| Ok(())).is_err());
                prop_assert_eq!(std::fs::read_to_string(store.path()).unwrap(), text);
            }
        }
    }
}
