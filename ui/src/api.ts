// The only module that talks to the Rust shell. Every call is typed; failures reject with an
// IpcError ({code, message, hint}).

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AppInfo, ClipboardEvent, Copied, CopyFormat, DemoInfo, Derived, DeviceEventPayload, FileKind, IpcError, KeyInfo, PatForm,
  PatImported, ProfileInput, ProfileView, Settings, TokenDetails,
} from './types';

export function asIpcError(e: unknown): IpcError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return e as IpcError;
  return { code: 'internal', message: String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  listProfiles: () => call<ProfileView[]>('list_profiles'),
  previewProfile: (input: ProfileInput) => call<Derived>('preview_profile', { input }),
  saveProfile: (name: string, input: ProfileInput, makeDefault: boolean) => call<Derived>('save_profile', { name, input, makeDefault }),
  removeProfile: (name: string) => call<void>('remove_profile', { name }),
  setDefault: (name: string) => call<void>('set_default_profile', { name }),
  startDeviceLogin: (name: string) => call<void>('start_device_login', { name }),
  cancelDeviceLogin: (name: string) => call<void>('cancel_device_login', { name }),
  pickFile: (kind: FileKind) => call<string | null>('pick_file', { kind }),
  inspectKey: (path: string) => call<KeyInfo>('inspect_key', { path }),
  importPat: (name: string, form: PatForm) => call<PatImported>('import_pat', { name, form }),
  importToken: (name: string, token: string) => call<string[]>('import_token', { name, token }),
  copy: (name: string, format: CopyFormat) => call<Copied>('copy', { name, format }),
  tokenDetails: (name: string) => call<TokenDetails>('token_details', { name }),
  signOut: (name: string, localOnly = false) => call<boolean>('sign_out', { name, localOnly }),
  getSettings: () => call<Settings>('get_settings'),
  saveSettings: (settings: Settings) => call<Settings>('save_settings', { settings }),
  startDemo: () => call<DemoInfo>('start_demo'),
  openUrl: (url: string) => call<void>('open_url', { url }),
  openLogFolder: () => call<string>('open_log_folder'),
};

export const events = {
  onDevice: (f: (p: DeviceEventPayload) => void): Promise<UnlistenFn> => listen<DeviceEventPayload>('device-event', (e) => f(e.payload)),
  /** Carries the new list, or null when listing failed (then ask with listProfiles for the error). */
  onProfilesChanged: (f: (profiles: ProfileView[] | null) => void): Promise<UnlistenFn> =>
    listen<ProfileView[] | null>('profiles-changed', (e) => f(e.payload ?? null)),
  onClipboard: (f: (p: ClipboardEvent) => void): Promise<UnlistenFn> => listen<ClipboardEvent>('clipboard', (e) => f(e.payload)),
};
