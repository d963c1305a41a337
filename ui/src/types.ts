// The IPC contract with the Rust shell (src-tauri/src/views.rs and commands.rs). Nothing here can
// hold a token: the webview only ever sees profile data, state and masked previews.

export type Method = 'device' | 'pat' | 'token';
export type Idp = 'vcl' | 'keycloak' | 'ping' | 'custom';
export type SignInState = 'signed_in' | 'needs_sign_in' | 'expired' | 'refresh_failing';
export type CopyFormat = 'token' | 'header' | 'snippet';

export interface ProfileInput {
  baseUrl: string;
  method?: Method;
  idp?: Idp;
  issuer?: string | null;
  realm?: string | null;
  clientId?: string | null;
  scope?: string | null;
  username?: string | null;
  orgId?: string | null;
  kid?: string | null;
  expirationTime?: number | null;
}

export interface Derived {
  baseUrl: string;
  orgId: string;
  envId: string;
  issuer: string;
  clientId: string;
  scope: string;
}

export interface ProfileView {
  name: string;
  isDefault: boolean;
  demo: boolean;
  method: Method;
  input: ProfileInput;
  derived: Derived | null;
  state: SignInState;
  expiresAt: number | null;
  canRefresh: boolean;
  validation: 'accepted' | 'not_validated' | null;
  tokenPreview: string | null;
  problem: string | null;
  error: string | null;
}

/** Errors cross IPC as a stable code plus a sentence; the UI reacts to the code. */
export interface IpcError {
  code: string;
  message: string;
  hint?: string;
}

export type DeviceEvent =
  | { event: 'code'; user_code: string; verification_uri: string; verification_uri_complete?: string; expires_in: number; interval: number }
  | { event: 'pending' }
  | { event: 'slow_down'; interval: number }
  | { event: 'network_trouble'; message: string }
  | { event: 'signed_in'; expires_at: number }
  | { event: 'error'; code: string; message: string };

export interface DeviceEventPayload {
  profile: string;
  event: DeviceEvent;
  qr?: string;
}

export interface KeyInfo {
  encrypted: boolean;
  kid: string | null;
  warning: string | null;
}

export interface PatForm {
  patFile?: string | null;
  pat?: string | null;
  pemFile: string;
  passphrase?: string | null;
  username: string;
  kid?: string | null;
  expirationTime?: number | null;
  validate: boolean;
}

export interface PatImported {
  validation: 'accepted' | 'not_validated';
  kid: string;
  username: string;
  not_validated_because: string | null;
  warnings: string[];
}

export interface TokenDetails {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  validFrom: number | null;
  expiresAt: number | null;
  preview: string | null;
}

export interface Settings {
  clipboardClearSecs: number;
  refreshMarginSecs: number;
  httpsProxy: string | null;
  extraCaFile: string | null;
  startAtLogin: boolean;
}

export interface AppInfo {
  version: string;
  demoRunning: boolean;
  configDir: string;
}

export interface DemoInfo {
  deviceProfile: string;
  patProfile: string;
  patFile: string;
  pemFile: string;
  username: string;
}
