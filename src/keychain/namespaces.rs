//! Whether the kernel keyring is this user's alone, told by the process's namespaces.
//!
//! The kernel keeps one user keyring and one persistent keyring per user ID in each user
//! namespace. A container that runs in the host's user namespace (Docker or Kubernetes without
//! user namespaces: every JupyterHub pod as uid 1000) shares them with the host and with every
//! other container of the same UID, whatever its mount, PID, network, UTS or IPC namespaces: a
//! key stored there can be read from the next pod. Markers such as `/.dockerenv` prove nothing
//! (a VM may carry one and run in its own kernel's initial namespaces), so the namespaces
//! themselves decide: the kernel gives its initial ones fixed inode numbers.

use crate::error::{Error, ErrorCode, Result};
use std::os::unix::fs::MetadataExt;

// include/linux/proc_ns.h
const INITIAL_USER: u64 = 0xEFFF_FFFD;
const INITIAL_PID: u64 = 0xEFFF_FFFC;
const INITIAL_UTS: u64 = 0xEFFF_FFFE;
const INITIAL_IPC: u64 = 0xEFFF_FFFF;

/// What the namespaces say about the kernel keyring's reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// A user namespace of its own (rootless containers, `unshare --user`), or the host itself:
    /// only this user's processes in it reach the keyring.
    Private,
    /// The host's user namespace, with PID, UTS or IPC namespaces of its own: a container that
    /// shares its user IDs with the host and the host's other containers.
    SharedWithOtherContainers,
    /// `/proc/self/ns` cannot be read, so nobody can tell.
    Unknown,
}

fn inode(name: &str) -> Option<u64> {
    std::fs::metadata(format!("/proc/self/ns/{name}")).ok().map(|m| m.ino())
}

/// The kernel keyring's reach for this process.
pub fn reach() -> Reach {
    classify(inode("user"), [inode("pid"), inode("uts"), inode("ipc")])
}

fn classify(user: Option<u64>, others: [Option<u64>; 3]) -> Reach {
    let initial = [INITIAL_PID, INITIAL_UTS, INITIAL_IPC];
    match user {
        None => Reach::Unknown,
        Some(user) if user != INITIAL_USER => Reach::Private,
        Some(_) if others.iter().zip(initial).any(|(found, init)| *found != Some(init)) => Reach::SharedWithOtherContainers,
        Some(_) => Reach::Private,
    }
}

/// Refuses the kernel keyring where others than this container's processes of the user could
/// reach it.
pub fn check_kernel_keyring_is_private() -> Result<()> {
    let why = match reach() {
        Reach::Private => return Ok(()),
        Reach::SharedWithOtherContainers => {
            "This process runs in a container that shares its user IDs with the host (it has no user namespace of its own), \
             so the kernel keyring here is shared with every other container and process of the same UID on this machine: \
             they could read, replace or delete secrets LakeKey kept there. LakeKey keeps none there."
        }
        Reach::Unknown => {
            "LakeKey cannot read this process's namespaces (/proc/self/ns), so it cannot tell whether the kernel keyring here is \
             shared with other containers of the same UID. LakeKey keeps no secrets there."
        }
    };
    Err(Error::new(ErrorCode::KeychainUnavailable, why).with_hint(
        "Run the container in a user namespace of its own (a rootless runtime such as rootless Podman or Docker, `--userns`, or Kubernetes' `hostUsers: false`), \
         or run LakeKey outside the container and pass the token in, or use a desktop keychain (a Secret Service on the session bus).",
    )
    .with_action(crate::error::Action::RunOutsideContainer))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OTHER: Option<u64> = Some(4026532200);
    const HOST: [Option<u64>; 3] = [Some(INITIAL_PID), Some(INITIAL_UTS), Some(INITIAL_IPC)];

    #[test]
    fn the_host_and_a_user_namespace_of_its_own_keep_the_keyring_private() {
        assert_eq!(classify(Some(INITIAL_USER), HOST), Reach::Private);
        assert_eq!(classify(OTHER, [OTHER, OTHER, OTHER]), Reach::Private, "a rootless container");
    }

    #[test]
    fn a_container_in_the_hosts_user_namespace_shares_it() {
        assert_eq!(classify(Some(INITIAL_USER), [OTHER, OTHER, OTHER]), Reach::SharedWithOtherContainers);
        assert_eq!(classify(Some(INITIAL_USER), [Some(INITIAL_PID), Some(INITIAL_UTS), OTHER]), Reach::SharedWithOtherContainers);
        assert_eq!(classify(Some(INITIAL_USER), [None, Some(INITIAL_UTS), Some(INITIAL_IPC)]), Reach::SharedWithOtherContainers);
    }

    #[test]
    fn without_proc_nobody_can_tell() {
        assert_eq!(classify(None, HOST), Reach::Unknown);
    }
}
