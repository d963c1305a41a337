//! The profile file as a user (or another program) may have edited it. It either loads, and then
//! every profile resolves or is refused with a message, and what LakeKey would write back loads
//! again unchanged; or it is refused as corrupt (and, elsewhere, never overwritten).
#![no_main]

use lakekey::profile::parse_config;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("profiles.toml");
    let Ok(config) = parse_config(text, path) else { return };
    for (name, profile) in &config.profiles {
        let _ = profile.resolve(name);
    }
    let _ = config.select(None);
    let written = toml::to_string_pretty(&config).expect("a loaded config can be written");
    let reread = parse_config(&written, path).expect("what LakeKey writes, it reads");
    assert_eq!(reread, config);
});
