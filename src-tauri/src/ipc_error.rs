//! Errors as they cross IPC: the engine's stable code, its sentence, and its hint. The UI
//! reacts to `code`, never to the text.

use lakekey::{Action, Error, ErrorCode};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub hint: Option<String>,
    /// What the user can do: the UI names its own button for it (labels.ts: actionText).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub action: Option<Action>,
}

impl From<Error> for IpcError {
    fn from(e: Error) -> Self {
        IpcError { code: e.code(), message: e.message().to_string(), hint: e.hint().map(str::to_string), action: e.action().cloned() }
    }
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError { code, message: message.into(), hint: None, action: None }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
