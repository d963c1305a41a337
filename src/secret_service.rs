//! The Linux keychain: a small client for the freedesktop Secret Service API (GNOME Keyring,
//! KWallet, KeePassXC) on the D-Bus session bus, offered to [`crate::keychain`] as a keyring-core
//! store. Each secret is one item with the attributes `service` and `username`, in the default
//! collection; `secret-tool lookup service lakekey username <profile>` finds the same items.
//!
//! Secrets cross the bus encrypted (see [`crate::secret_transfer`]). The session is opened on the
//! first call that moves a secret and kept for the connection's life. A first read is three calls
//! after connecting (OpenSession together with SearchItems, then GetSecrets); later reads on the
//! same connection (the desktop app's) are two.
//!
//! Our own client rather than a generic store crate because `lakekey token` is mostly this code:
//! the store we used spent ~2.5 ms of CPU on full-length Diffie-Hellman with schoolbook bignum
//! arithmetic, a third of the whole command, and read each item with its own extra calls.
//!
//! Errors are told apart by their D-Bus error names (stable), never by their text.

use crate::secret_transfer::{KeyAgreement, SessionKey, ALGORITHM};
use keyring_core::api::{CredentialApi, CredentialStoreApi};
use keyring_core::{Credential, Entry, Error, Result};
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zbus::blocking::Connection;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};

const BUS_NAME: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE: &str = "org.freedesktop.Secret.Service";
const COLLECTION: &str = "org.freedesktop.Secret.Collection";
const ITEM: &str = "org.freedesktop.Secret.Item";
const PROMPT: &str = "org.freedesktop.Secret.Prompt";
const IS_LOCKED: &str = "org.freedesktop.Secret.Error.IsLocked";
const NO_SUCH_OBJECT: &str = "org.freedesktop.Secret.Error.NoSuchObject";
/// The object path meaning "none" (no prompt needed, no such alias).
const NONE: &str = "/";
const CONTENT_TYPE: &str = "text/plain";

/// (session, parameters = the IV, value = the ciphertext, content type)
type WireSecret = (OwnedObjectPath, Vec<u8>, Vec<u8>, String);

/// A connection to the Secret Service, as a keyring-core store.
pub struct Store {
    client: Arc<Client>,
}

struct Client {
    bus: Connection,
    session: Mutex<Option<Arc<Session>>>,
}

struct Session {
    path: OwnedObjectPath,
    key: SessionKey,
}

impl Session {
    /// A secret as the service takes it: encrypted for this session.
    fn encrypt(&self, secret: &[u8]) -> WireSecret {
        let (iv, ciphertext) = self.key.encrypt(secret);
        (self.path.clone(), iv, ciphertext, CONTENT_TYPE.into())
    }
}

impl Store {
    /// Connects to the session bus. Fails when there is none; a missing Secret Service shows on
    /// the first call (the bus may start one on demand).
    pub fn new() -> Result<Arc<Self>> {
        let bus = Connection::session().map_err(platform)?;
        Ok(Arc::new(Store { client: Arc::new(Client { bus, session: Mutex::new(None) }) }))
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretService")
    }
}

impl CredentialStoreApi for Store {
    fn vendor(&self) -> String {
        "LakeKey's Secret Service client".into()
    }

    fn id(&self) -> String {
        self.client.bus.unique_name().map(|n| n.to_string()).unwrap_or_default()
    }

    fn build(&self, service: &str, user: &str, modifiers: Option<&HashMap<&str, &str>>) -> Result<Entry> {
        if modifiers.is_some_and(|m| !m.is_empty()) {
            return Err(Error::NotSupportedByStore("LakeKey's Secret Service store takes no modifiers".into()));
        }
        let item = ByName { client: self.client.clone(), service: service.into(), user: user.into() };
        Ok(Entry::new_with_credential(Arc::new(item)))
    }

    fn search(&self, spec: &HashMap<&str, &str>) -> Result<Vec<Entry>> {
        let paths = self.client.search(spec)?;
        Ok(paths.into_iter().map(|path| self.client.clone().entry_at(path)).collect())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The item named by (service, user): what `Store::build` gives.
struct ByName {
    client: Arc<Client>,
    service: String,
    user: String,
}

impl std::fmt::Debug for ByName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretServiceItem({}/{})", self.service, self.user)
    }
}

impl ByName {
    fn attributes(&self) -> HashMap<&str, &str> {
        HashMap::from([("service", self.service.as_str()), ("username", self.user.as_str())])
    }

    fn unique(&self) -> Result<OwnedObjectPath> {
        let mut paths = self.client.search(&self.attributes())?;
        match paths.len() {
            0 => Err(Error::NoEntry),
            1 => Ok(paths.remove(0)),
            _ => Err(Error::Ambiguous(paths.into_iter().map(|p| self.client.clone().entry_at(p)).collect())),
        }
    }
}

impl CredentialApi for ByName {
    fn set_secret(&self, secret: &[u8]) -> Result<()> {
        // CreateItem with replace: one call whether or not the item exists.
        self.client.create(&format!("LakeKey: {}", self.user), &self.attributes(), secret)
    }

    fn get_secret(&self) -> Result<Vec<u8>> {
        if !self.client.has_session() {
            // The session's key agreement and the search do not depend on each other. Sent
            // together, the search waits in the service's queue rather than behind our round
            // trip: ~0.7 ms less per `lakekey token` in an A/B run.
            let (session, path) = std::thread::scope(|scope| {
                let session = scope.spawn(|| self.client.session());
                let path = self.unique();
                (session.join().unwrap_or_else(|_| Err(platform_msg("opening the keychain session failed".into()))), path)
            });
            session?;
            return self.client.secret(&path?);
        }
        self.client.secret(&self.unique()?)
    }

    /// Removes every item with these attributes: a duplicate made by another tool must not
    /// outlive a sign-out either.
    fn delete_credential(&self) -> Result<()> {
        let paths = self.client.search(&self.attributes())?;
        if paths.is_empty() {
            return Err(Error::NoEntry);
        }
        paths.iter().try_for_each(|path| self.client.delete(path))
    }

    fn get_credential(&self) -> Result<Option<Arc<Credential>>> {
        let path = self.unique()?;
        Ok(Some(Arc::new(ByPath { client: self.client.clone(), path, specifiers: Some((self.service.clone(), self.user.clone())) })))
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        Some((self.service.clone(), self.user.clone()))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One existing item, found by a search.
struct ByPath {
    client: Arc<Client>,
    path: OwnedObjectPath,
    specifiers: Option<(String, String)>,
}

impl std::fmt::Debug for ByPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretServiceItem({})", self.path.as_str())
    }
}

impl CredentialApi for ByPath {
    fn set_secret(&self, secret: &[u8]) -> Result<()> {
        let wire = self.client.session()?.encrypt(secret);
        self.client.call(&self.path, ITEM, "SetSecret", &(wire,)).map(|_| ())
    }

    fn get_secret(&self) -> Result<Vec<u8>> {
        self.client.secret(&self.path)
    }

    fn delete_credential(&self) -> Result<()> {
        self.client.delete(&self.path)
    }

    fn get_credential(&self) -> Result<Option<Arc<Credential>>> {
        Ok(None)
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        self.specifiers.clone()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Client {
    fn call<B>(&self, path: &str, interface: &str, method: &str, body: &B) -> Result<zbus::Message>
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
    {
        self.bus.call_method(Some(BUS_NAME), path, Some(interface), method, body).map_err(service_error)
    }

    fn entry_at(self: Arc<Self>, path: OwnedObjectPath) -> Entry {
        let specifiers = self.attributes(&path).ok().and_then(|mut a| Some((a.remove("service")?, a.remove("username")?)));
        Entry::new_with_credential(Arc::new(ByPath { client: self, path, specifiers }))
    }

    fn has_session(&self) -> bool {
        self.session.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// The encrypted-transfer session, opened on first use and kept for the connection's life.
    fn session(&self) -> Result<Arc<Session>> {
        let mut slot = self.session.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(session) = slot.as_ref() {
            return Ok(session.clone());
        }
        let ours = KeyAgreement::new();
        let reply = self.call(SERVICE_PATH, SERVICE, "OpenSession", &(ALGORITHM, Value::from(ours.public_key())))?;
        let (output, path): (OwnedValue, OwnedObjectPath) = reply.body().deserialize().map_err(platform)?;
        let theirs: Vec<u8> = output.try_into().map_err(platform)?;
        let key = ours.session_key(&theirs).map_err(|e| platform_msg(format!("the Secret Service sent an unusable session key ({e:?})")))?;
        let session = Arc::new(Session { path, key });
        *slot = Some(session.clone());
        Ok(session)
    }

    /// Items matching all `attributes`, unlocking locked ones first (which may show the desktop's
    /// unlock prompt).
    fn search(&self, attributes: &HashMap<&str, &str>) -> Result<Vec<OwnedObjectPath>> {
        let reply = self.call(SERVICE_PATH, SERVICE, "SearchItems", &(attributes,))?;
        let (mut unlocked, locked): (Vec<OwnedObjectPath>, Vec<OwnedObjectPath>) = reply.body().deserialize().map_err(platform)?;
        if !locked.is_empty() {
            self.unlock(&locked)?;
            unlocked.extend(locked);
        }
        Ok(unlocked)
    }

    fn unlock(&self, objects: &[OwnedObjectPath]) -> Result<()> {
        let reply = self.call(SERVICE_PATH, SERVICE, "Unlock", &(objects,))?;
        let (_, prompt): (Vec<OwnedObjectPath>, OwnedObjectPath) = reply.body().deserialize().map_err(platform)?;
        self.prompt(&prompt, "unlock the keychain").map(|_| ())
    }

    fn secret(&self, path: &OwnedObjectPath) -> Result<Vec<u8>> {
        let session = self.session()?;
        let reply = self.call(SERVICE_PATH, SERVICE, "GetSecrets", &(&[path][..], &session.path))?;
        let mut secrets: HashMap<OwnedObjectPath, WireSecret> = reply.body().deserialize().map_err(platform)?;
        // An item deleted between the search and this call is simply left out of the answer.
        let (_, iv, ciphertext, _) = secrets.remove(path).ok_or(Error::NoEntry)?;
        let mut plain = session.key.decrypt(&iv, &ciphertext).map_err(|_| Error::BadEncoding(Vec::new()))?;
        // Moved out, not copied: the caller keeps it in a buffer that is wiped.
        Ok(std::mem::take(&mut *plain))
    }

    fn create(&self, label: &str, attributes: &HashMap<&str, &str>, secret: &[u8]) -> Result<()> {
        let wire = self.session()?.encrypt(secret);
        let collection = self.default_collection()?;
        let properties = HashMap::from([
            ("org.freedesktop.Secret.Item.Label", Value::from(label)),
            ("org.freedesktop.Secret.Item.Attributes", Value::from(attributes.clone())),
        ]);
        let body = (&properties, &wire, true);
        let reply = match self.call(&collection, COLLECTION, "CreateItem", &body) {
            Err(Error::NoStorageAccess(_)) => {
                self.unlock(std::slice::from_ref(&collection))?;
                self.call(&collection, COLLECTION, "CreateItem", &body)?
            }
            other => other?,
        };
        let (_, prompt): (OwnedObjectPath, OwnedObjectPath) = reply.body().deserialize().map_err(platform)?;
        self.prompt(&prompt, "save to the keychain").map(|_| ())
    }

    /// The collection the desktop uses by default ("login" with GNOME Keyring); created, with the
    /// desktop's prompt, when there is none yet.
    fn default_collection(&self) -> Result<OwnedObjectPath> {
        let reply = self.call(SERVICE_PATH, SERVICE, "ReadAlias", &("default",))?;
        let path: OwnedObjectPath = reply.body().deserialize().map_err(platform)?;
        if path.as_str() != NONE {
            return Ok(path);
        }
        let properties = HashMap::from([("org.freedesktop.Secret.Collection.Label", Value::from("Login"))]);
        let reply = self.call(SERVICE_PATH, SERVICE, "CreateCollection", &(&properties, "default"))?;
        let (path, prompt): (OwnedObjectPath, OwnedObjectPath) = reply.body().deserialize().map_err(platform)?;
        if path.as_str() != NONE {
            return Ok(path);
        }
        let result = self.prompt(&prompt, "create a keychain")?.ok_or_else(|| platform_msg("no keychain was created".into()))?;
        OwnedObjectPath::try_from(result).map_err(platform)
    }

    fn delete(&self, path: &OwnedObjectPath) -> Result<()> {
        let reply = self.call(path, ITEM, "Delete", &())?;
        let prompt: OwnedObjectPath = reply.body().deserialize().map_err(platform)?;
        self.prompt(&prompt, "delete from the keychain").map(|_| ())
    }

    fn attributes(&self, path: &OwnedObjectPath) -> Result<HashMap<String, String>> {
        let reply = self.call(path, "org.freedesktop.DBus.Properties", "Get", &(ITEM, "Attributes"))?;
        let value: OwnedValue = reply.body().deserialize().map_err(platform)?;
        HashMap::<String, String>::try_from(value).map_err(platform)
    }

    /// Runs a prompt the service asked for (an unlock or confirmation dialog of the desktop) and
    /// waits for the user's answer. `Ok(None)` when none was needed; a dismissed prompt is
    /// "no access", which the keychain layer reports as a locked keychain.
    fn prompt(&self, prompt: &ObjectPath<'_>, purpose: &str) -> Result<Option<OwnedValue>> {
        if prompt.as_str() == NONE {
            return Ok(None);
        }
        let rule = zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .interface(PROMPT)
            .and_then(|r| r.member("Completed"))
            .and_then(|r| r.path(prompt.clone()))
            .map_err(platform)?
            .build();
        // Subscribed before the prompt starts, so the answer cannot be missed.
        let mut answers = zbus::blocking::MessageIterator::for_match_rule(rule, &self.bus, Some(4)).map_err(platform)?;
        self.call(prompt, PROMPT, "Prompt", &("",))?;
        for message in answers.by_ref() {
            let Ok(message) = message else { continue };
            let (dismissed, result): (bool, OwnedValue) = message.body().deserialize().map_err(platform)?;
            if dismissed {
                return Err(Error::NoStorageAccess(format!("the prompt to {purpose} was dismissed").into()));
            }
            return Ok(Some(result));
        }
        Err(platform_msg(format!("the Secret Service went away while asking to {purpose}")))
    }
}

/// Locked collections are "no access"; an item that vanished is "no entry"; anything else means
/// the service itself failed, which the keychain layer retries once on a new connection.
fn service_error(e: zbus::Error) -> Error {
    match &e {
        zbus::Error::MethodError(name, _, _) if name.as_str() == IS_LOCKED => Error::NoStorageAccess(Box::new(e)),
        zbus::Error::MethodError(name, _, _) if name.as_str() == NO_SUCH_OBJECT => Error::NoEntry,
        _ => Error::PlatformFailure(Box::new(e)),
    }
}

fn platform(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::PlatformFailure(Box::new(e))
}

fn platform_msg(message: String) -> Error {
    Error::PlatformFailure(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method_error(name: &'static str) -> zbus::Error {
        let call = zbus::Message::method_call(SERVICE_PATH, "SearchItems").unwrap().build(&()).unwrap();
        let reply = zbus::Message::error(&call.header(), name).unwrap().build(&()).unwrap();
        zbus::Error::MethodError(name.try_into().unwrap(), None, reply)
    }

    #[test]
    fn service_errors_are_told_apart_by_their_names() {
        assert!(matches!(service_error(method_error(IS_LOCKED)), Error::NoStorageAccess(_)));
        assert!(matches!(service_error(method_error(NO_SUCH_OBJECT)), Error::NoEntry));
        assert!(matches!(service_error(method_error("org.freedesktop.DBus.Error.ServiceUnknown")), Error::PlatformFailure(_)));
        assert!(matches!(service_error(zbus::Error::InvalidReply), Error::PlatformFailure(_)));
    }
}
