//! Switches the end-to-end tests use to drive the real app (tests/app-e2e): answer file pickers
//! without a native dialog, don't open a browser, allow several instances, quit when the window
//! closes. They exist only in builds with the `test-hooks` feature (scripts/test builds one for
//! those tests). The app users get (scripts/run, scripts/package) has none: no environment
//! variable changes how it behaves, and the variables' names are not even in its binary.

/// The value of a test-hook variable: always `None` without the feature. A macro, so that the
/// name is compiled in only where the feature is on.
macro_rules! hook {
    ($name:literal) => {{
        #[cfg(feature = "test-hooks")]
        let value = std::env::var($name).ok();
        #[cfg(not(feature = "test-hooks"))]
        let value: Option<String> = None;
        value
    }};
}

/// Several app instances side by side (the tests run some at once).
pub fn multi_instance() -> bool {
    hook!("LAKEKEY_MULTI_INSTANCE").is_some()
}

/// Closing the window quits instead of keeping the app in the tray.
pub fn quit_on_close() -> bool {
    hook!("LAKEKEY_QUIT_ON_CLOSE").is_some()
}

/// The device flow does not open a browser (the test approves the code itself).
pub fn no_browser() -> bool {
    hook!("LAKEKEY_NO_BROWSER").is_some()
}

/// The answer to a file picker of `kind` (`pat`, `pem`, `ca`), from
/// `LAKEKEY_PICK_FILE=pat=PATH;pem=PATH;ca=PATH`, since WebDriver cannot see native dialogs.
pub fn picked_file(kind: &str) -> Option<String> {
    let answers = hook!("LAKEKEY_PICK_FILE")?;
    answers.split(';').find_map(|a| a.strip_prefix(kind)?.strip_prefix('=')).map(str::to_string)
}

#[cfg(all(test, feature = "test-hooks"))]
mod tests {
    #[test]
    fn picked_files_are_found_by_kind() {
        std::env::set_var("LAKEKEY_PICK_FILE", "pat=/tmp/p.txt;pem=/tmp/k.pem");
        assert_eq!(super::picked_file("pem").as_deref(), Some("/tmp/k.pem"));
        assert_eq!(super::picked_file("ca"), None);
    }
}

#[cfg(all(test, not(feature = "test-hooks")))]
mod tests {
    #[test]
    fn without_the_feature_no_variable_is_read() {
        std::env::set_var("LAKEKEY_PICK_FILE", "pem=/tmp/k.pem");
        std::env::set_var("LAKEKEY_MULTI_INSTANCE", "1");
        assert_eq!(super::picked_file("pem"), None);
        assert!(!super::multi_instance());
    }
}
