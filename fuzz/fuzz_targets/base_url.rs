//! The base URL a user pastes from the Lake Console, and every issuer derived from it. A URL that
//! parses gives back the same environment when its normalised form is parsed again.
#![no_main]

use lakekey::lake_url::{issuer_for, parse_web_url, LakeUrl};
use lakekey::IdpPreset;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let _ = parse_web_url(&input, "URL");
    let Ok(lake) = LakeUrl::parse(&input) else { return };
    assert_eq!(LakeUrl::parse(lake.base_url()).ok().as_ref(), Some(&lake), "normalising is stable");
    assert!(!lake.org_id().is_empty() && !lake.env_id().is_empty());
    for preset in [IdpPreset::Vcl, IdpPreset::Keycloak, IdpPreset::Ping] {
        let issuer = issuer_for(&lake, preset, Some(&input), None);
        if let Ok(issuer) = issuer {
            parse_web_url(&issuer, "issuer URL").expect("derived issuers are usable URLs");
        }
    }
    let _ = issuer_for(&lake, IdpPreset::Custom, None, Some(&input));
});
