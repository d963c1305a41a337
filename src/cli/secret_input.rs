//! Secrets the user types or pipes in: a PAT, a pasted token, a key's passphrase. Read into
//! buffers sized up front and zeroed on drop, never echoed.

use lakekey::{Error, ErrorCode, Secret};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// A token to paste: from `file`, else standard input (a hidden prompt on a terminal).
pub fn pasted_token(file: Option<PathBuf>) -> Result<Secret, Error> {
    let max = lakekey::jwt_info::MAX_JWT_BYTES as u64;
    match file {
        Some(path) => Ok(Secret::new(lakekey::pem_key::read_text_file(&path, max, "token")?.as_str())),
        None => from_stdin("token", max),
    }
}

/// A secret (`what`: "PAT", "token") from standard input, or from a hidden prompt on a terminal.
pub fn from_stdin(what: &str, max_bytes: u64) -> Result<Secret, Error> {
    if std::io::stdin().is_terminal() {
        let text = rpassword::prompt_password(format!("Paste the {what} (it is not shown) and press Enter: "))
            .map_err(|e| Error::invalid(format!("Cannot read the {what}: {e}.")))?;
        return Ok(Secret::from(text));
    }
    // Sized up front and zeroed on drop: growing would leave copies of the secret in freed memory.
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(max_bytes as usize + 1));
    std::io::stdin()
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::invalid(format!("Cannot read the {what} from standard input: {e}.")))?;
    if bytes.len() as u64 > max_bytes {
        return Err(Error::invalid(format!("Standard input holds more than {} KiB, which is not a {what}.", max_bytes / 1024))
            .with_hint(format!("Pipe in just the {what}.")));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::invalid(format!("The {what} from standard input is not text.")))?;
    Ok(Secret::new(text))
}

/// The passphrase of an encrypted key: $LAKEKEY_PEM_PASSPHRASE, else a prompt on the terminal.
pub fn passphrase_for(pem: &Path) -> Result<Option<Secret>, Error> {
    if let Ok(pass) = std::env::var("LAKEKEY_PEM_PASSPHRASE") {
        return Ok(Some(Secret::from(pass)));
    }
    let encrypted = std::fs::read(pem)
        // The file is a private key: look for the label in place, in a buffer zeroed on drop.
        .map(zeroize::Zeroizing::new)
        .map(|bytes| bytes.len() < 256 * 1024 && bytes.windows(21).any(|w| w == b"ENCRYPTED PRIVATE KEY"))
        .unwrap_or(false);
    if encrypted && std::io::stdin().is_terminal() {
        let pass = rpassword::prompt_password(format!("Passphrase for {}: ", pem.display()))
            .map_err(|e| Error::new(ErrorCode::InvalidInput, format!("Cannot read the passphrase: {e}.")))?;
        return Ok(Some(Secret::from(pass)));
    }
    Ok(None)
}
