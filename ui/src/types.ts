// The IPC contract with the Rust shell. Every type the commands and events carry is generated
// from the Rust structs into bindings.ts (src-tauri/src/bindings.rs), so the two cannot drift.
// Nothing here can hold a token: the webview only ever sees profile data, state and masked
// previews.

export type {
  Action, AppInfo, ClipboardEvent, Copied, CopyFormat, DemoInfo, Derived, DeviceEvent, DeviceEventPayload, ErrorCode, FileKind, IdpPreset as Idp,
  IpcError, KeyInfo, Method, PatForm, PatImported, Profile, ProfileView, Settings, SignInState, TokenDetails, Validation,
} from './bindings';
