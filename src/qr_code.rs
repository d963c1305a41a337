//! The sign-in address as a QR code, so a phone can open it: SVG for the app and notebooks, text
//! for a terminal.

use qrcode::render::{svg, unicode};
use qrcode::QrCode;

/// An SVG image (at least 200 px, with the quiet zone scanners need); `None` if the address is
/// too long for a QR code.
pub fn svg(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(code.render::<svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
}

/// Text: two modules per character, with block characters for the dark ones.
pub fn text(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(code.render::<unicode::Dense1x2>().quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_becomes_an_image_and_text() {
        let url = "https://acme.example.com/api/accounts/e1/auth/device?user_code=ABCD-EFGH";
        let image = svg(url).unwrap();
        assert!(image.starts_with("<?xml") && image.contains("<svg"), "{image}");
        let lines = text(url).unwrap();
        assert!(lines.lines().count() > 10 && lines.contains('█'), "{lines}");
        assert_eq!(svg(&"x".repeat(5000)), None, "too long for any QR code");
    }

    /// The UI's screenshot test shows the demo's sign-in address as a QR code: this encoder's
    /// output, so the screenshot holds a code a phone can scan (that test reads it back).
    /// LAKEKEY_UPDATE_FIXTURES=1 rewrites it.
    #[test]
    fn the_ui_screenshot_shows_this_encoders_code() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/e2e/device-qr.svg");
        let url = "http://127.0.0.1:41234/api/accounts/demo-environment/auth/activate?user_code=BXRT-KMQW";
        let made = svg(url).unwrap();
        if std::env::var_os("LAKEKEY_UPDATE_FIXTURES").is_some() {
            std::fs::write(&path, &made).unwrap();
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), made, "run LAKEKEY_UPDATE_FIXTURES=1 cargo test -p lakekey qr_code");
    }
}
