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
}
