//! Errors as they cross IPC: the engine's stable code, its sentence, and its hint. The UI
//! reacts to `code`, never to the text.

use lakekey::{Error, ErrorCode};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub hint: Option<String>,
}

impl From<Error> for IpcError {
    fn from(e: Error) -> Self {
        IpcError { code: e.code().as_str(), message: e.message().to_string(), hint: e.hint().map(str::to_string) }
    }
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError { code: code.as_str(), message: message.into(), hint: None }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
