//! Opening the device sign-in page in a browser, where one can be seen. Under WSL that is
//! Windows' default browser; in an SSH session or on a server there is none, and LakeKey says so
//! instead of starting a text browser in the terminal or waiting on one that nobody sees.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What happened when LakeKey tried to open the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The caller said not to (`--no-browser`).
    NotAsked,
    /// Started, with what.
    Yes(String),
    /// No browser can be shown here, and why (for the user).
    NoBrowserHere(String),
    /// Trying failed, and why.
    Failed(String),
}

/// What decides how a browser is opened; read from the process's environment by
/// [`Environment::current`], and made up by the tests (to pose as WSL, say).
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub os: &'static str,
    /// Running under Windows Subsystem for Linux.
    pub wsl: bool,
    /// An X11 or Wayland display is there.
    pub display: bool,
    /// Logged in over SSH.
    pub ssh: bool,
    /// `PATH`, to find the Windows launcher under WSL.
    pub path: Option<OsString>,
}

impl Environment {
    pub fn current() -> Self {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        Environment {
            os: std::env::consts::OS,
            wsl: cfg!(target_os = "linux") && (set("WSL_DISTRO_NAME") || set("WSL_INTEROP") || proc_says_microsoft()),
            display: set("DISPLAY") || set("WAYLAND_DISPLAY"),
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
            path: std::env::var_os("PATH"),
        }
    }
}

/// WSL kernels name Microsoft in their version string.
fn proc_says_microsoft() -> bool {
    std::fs::read_to_string("/proc/sys/kernel/osrelease").is_ok_and(|v| v.to_ascii_lowercase().contains("microsoft"))
}

/// How to open a page in a given environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// Run this program with the URL as its last argument (Windows' launcher under WSL).
    Program(PathBuf, Vec<String>),
    /// The desktop's own way (`xdg-open`, `open`, `ShellExecute`), through the `open` crate.
    Desktop,
    /// Nothing to open with; the reason for the user.
    Nothing(String),
}

/// Decides how to open a page. Pure: the tests pose as each environment.
pub fn choose(env: &Environment) -> Launch {
    if env.wsl {
        // wslu's `wslview` where installed; else Windows' own URL handler, which takes the URL
        // verbatim (`cmd /c start` would split it at every `&`).
        if let Some(wslview) = find_program(env.path.as_deref(), "wslview") {
            return Launch::Program(wslview, Vec::new());
        }
        let rundll32 = find_program(env.path.as_deref(), "rundll32.exe")
            .or_else(|| Some(PathBuf::from("/mnt/c/Windows/System32/rundll32.exe")).filter(|p| p.is_file()));
        return match rundll32 {
            Some(program) => Launch::Program(program, vec!["url.dll,FileProtocolHandler".to_string()]),
            None => Launch::Nothing("This is WSL, but Windows' programs cannot be started from it (interop is off)".to_string()),
        };
    }
    match env.os {
        "linux" | "freebsd" | "openbsd" | "netbsd" | "dragonfly" if !env.display => {
            let why = if env.ssh { "This is an SSH session with no display" } else { "There is no display here" };
            Launch::Nothing(why.to_string())
        }
        "macos" if env.ssh => Launch::Nothing("This is an SSH session".to_string()),
        _ => Launch::Desktop,
    }
}

/// Opens `url` in a browser the user can see, without waiting for it.
pub fn open(url: &str) -> Opened {
    match choose(&Environment::current()) {
        Launch::Nothing(why) => Opened::NoBrowserHere(why),
        Launch::Desktop => match open::that_detached(url) {
            Ok(()) => Opened::Yes("the desktop's browser".to_string()),
            Err(e) => Opened::Failed(e.to_string()),
        },
        Launch::Program(program, args) => {
            let started = Command::new(&program).args(&args).arg(url).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
            match started {
                Ok(mut child) => {
                    // Reaped in the background: nothing waits on the browser.
                    std::thread::spawn(move || child.wait());
                    Opened::Yes(program.display().to_string())
                }
                Err(e) => Opened::Failed(format!("{}: {e}", program.display())),
            }
        }
    }
}

fn find_program(path: Option<&std::ffi::OsStr>, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path?).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux() -> Environment {
        Environment { os: "linux", ..Default::default() }
    }

    #[test]
    fn a_desktop_opens_its_browser_and_a_server_opens_none() {
        assert_eq!(choose(&Environment { display: true, ..linux() }), Launch::Desktop);
        assert!(matches!(choose(&linux()), Launch::Nothing(why) if why.contains("no display")));
        assert!(matches!(choose(&Environment { ssh: true, ..linux() }), Launch::Nothing(why) if why.contains("SSH")));
        assert_eq!(choose(&Environment { os: "windows", ..Default::default() }), Launch::Desktop);
        assert!(matches!(choose(&Environment { os: "macos", ssh: true, ..Default::default() }), Launch::Nothing(_)));
    }

    #[cfg(unix)]
    #[test]
    fn wsl_opens_windows_default_browser() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let stand_in = |name: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path
        };
        let wsl = Environment { wsl: true, path: Some(dir.path().as_os_str().to_owned()), ..linux() };
        // No display is needed: Windows shows the page.
        let rundll32 = stand_in("rundll32.exe");
        assert_eq!(choose(&wsl), Launch::Program(rundll32, vec!["url.dll,FileProtocolHandler".into()]));
        let wslview = stand_in("wslview");
        assert_eq!(choose(&wsl), Launch::Program(wslview, vec![]));
    }
}
