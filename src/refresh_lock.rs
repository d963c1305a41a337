//! One refresh per profile at a time, across threads and processes (the desktop app and any number
//! of `lakekey` commands). Providers revoke the whole grant when an old refresh token is reused,
//! so two racing refreshes would sign the user out. The lock is an OS file lock (`flock` on Unix,
//! `LockFileEx` on Windows, through `File::try_lock`), which the OS releases when the holder
//! exits, even if it is killed.

use crate::error::{Error, Result};
use std::fs::{File, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a caller waits for another refresh before giving up with a clear message.
pub const WAIT_LIMIT: Duration = Duration::from_secs(90);
const POLL: Duration = Duration::from_millis(20);

#[derive(Debug)]
pub struct RefreshLock {
    _file: File,
}

impl RefreshLock {
    /// Waits (without blocking the async runtime) until this profile's lock is ours.
    pub async fn acquire(config_dir: &Path, profile: &str) -> Result<Self> {
        let dir = dir(config_dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::internal(format!("Cannot create the lock directory {}: {e}.", dir.display())))?;
        let path = dir.join(lock_file_name(profile));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::internal(format!("Cannot open the lock file {}: {e}.", path.display())))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(RefreshLock { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < WAIT_LIMIT => tokio::time::sleep(POLL).await,
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::internal(format!(
                        "Another LakeKey process has been refreshing profile `{profile}` for over {} s.",
                        WAIT_LIMIT.as_secs()
                    ))
                    .with_hint("Try again; if it persists, look for a stuck `lakekey` process."))
                }
                Err(TryLockError::Error(e)) => {
                    return Err(Error::internal(format!("Cannot lock {}: {e}.", path.display())))
                }
            }
        }
    }
}

/// Where the lock files are: `locks/` in the config directory.
pub fn dir(config_dir: &Path) -> std::path::PathBuf {
    config_dir.join("locks")
}

/// `{profile}.lock`, except where Windows would take the name for a device (`con`, `nul.x`,
/// `com1`...): those get a leading `_`. The same on every OS, so any two LakeKey processes agree.
fn lock_file_name(profile: &str) -> String {
    const DEVICES: [&str; 4] = ["con", "prn", "aux", "nul"];
    let stem = profile.split('.').next().unwrap_or_default().to_ascii_lowercase();
    let numbered = (stem.starts_with("com") || stem.starts_with("lpt")) && stem.len() == 4 && stem.as_bytes()[3].is_ascii_digit();
    if DEVICES.contains(&stem.as_str()) || numbered {
        format!("_{profile}.lock")
    } else {
        format!("{profile}.lock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_files_never_name_a_windows_device() {
        assert_eq!(lock_file_name("prod"), "prod.lock");
        assert_eq!(lock_file_name("console"), "console.lock");
        assert_eq!(lock_file_name("CON"), "_CON.lock");
        assert_eq!(lock_file_name("nul.eu"), "_nul.eu.lock");
        assert_eq!(lock_file_name("com7"), "_com7.lock");
        assert_eq!(lock_file_name("com10"), "com10.lock");
    }

    #[tokio::test]
    async fn a_second_holder_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = RefreshLock::acquire(dir.path(), "p").await.unwrap();
        let path = dir.path().to_path_buf();
        let second = tokio::spawn(async move { RefreshLock::acquire(&path, "p").await.map(|_| Instant::now()) });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!second.is_finished(), "the second caller must wait");
        let released = Instant::now();
        drop(first);
        let acquired = second.await.unwrap().unwrap();
        assert!(acquired >= released);
        // Other profiles are independent.
        let _other = RefreshLock::acquire(dir.path(), "q").await.unwrap();
    }
}
