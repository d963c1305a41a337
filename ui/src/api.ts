// The only module that talks to the Rust shell. Every call is typed; failures reject with an
// IpcError ({code, message, hint}).

import { invoke } from '@tauri-apps/api/core';
import { EVENTS, type Command, type CommandArgs } from './commands';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AppInfo, ClipboardEvent, Copied, CopyFormat, DemoInfo, Derived, DeviceEventPayload, FileKind, IpcError, KeyInfo, PatForm,
  PatImported, Profile, ProfileView, Settings, TokenDetails,
} from './types';

export function asIpcError(e: unknown): IpcError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return e as IpcError;
  return { code: 'internal', message: String(e) };
}

/** A command by its name and its arguments, both checked against the Rust command list
 * (commands.ts is generated from it): a renamed command or argument fails to compile. */
function to<C extends Command>(cmd: C, args: CommandArgs<C>): [C, CommandArgs<C>] {
  return [cmd, args];
}

async function call<T>([cmd, args]: [Command, Record<string, unknown>]): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

export const api = {
  appInfo: () => call<AppInfo>(to('app_info', {})),
  listProfiles: () => call<ProfileView[]>(to('list_profiles', {})),
  previewProfile: (input: Profile) => call<Derived>(to('preview_profile', { input })),
  saveProfile: (name: string, input: Profile, makeDefault: boolean) => call<Derived>(to('save_profile', { name, input, makeDefault })),
  removeProfile: (name: string) => call<void>(to('remove_profile', { name })),
  setDefault: (name: string) => call<void>(to('set_default_profile', { name })),
  startDeviceLogin: (name: string) => call<void>(to('start_device_login', { name })),
  cancelDeviceLogin: (name: string) => call<void>(to('cancel_device_login', { name })),
  pickFile: (kind: FileKind) => call<string | null>(to('pick_file', { kind })),
  inspectKey: (path: string) => call<KeyInfo>(to('inspect_key', { path })),
  importPat: (name: string, form: PatForm) => call<PatImported>(to('import_pat', { name, form })),
  importToken: (name: string, token: string) => call<string[]>(to('import_token', { name, token })),
  copy: (name: string, format: CopyFormat) => call<Copied>(to('copy', { name, format })),
  tokenDetails: (name: string) => call<TokenDetails>(to('token_details', { name })),
  signOut: (name: string, localOnly = false) => call<boolean>(to('sign_out', { name, localOnly })),
  getSettings: () => call<Settings>(to('get_settings', {})),
  saveSettings: (settings: Settings) => call<Settings>(to('save_settings', { settings })),
  startDemo: () => call<DemoInfo>(to('start_demo', {})),
  openUrl: (url: string) => call<void>(to('open_url', { url })),
  openLogFolder: () => call<string>(to('open_log_folder', {})),
};

export const events = {
  onDevice: (f: (p: DeviceEventPayload) => void): Promise<UnlistenFn> => listen<DeviceEventPayload>(EVENTS.EVENT_DEVICE, (e) => f(e.payload)),
  /** Carries the new list, or null when listing failed (then ask with listProfiles for the error). */
  onProfilesChanged: (f: (profiles: ProfileView[] | null) => void): Promise<UnlistenFn> =>
    listen<ProfileView[] | null>(EVENTS.EVENT_PROFILES, (e) => f(e.payload ?? null)),
  onClipboard: (f: (p: ClipboardEvent) => void): Promise<UnlistenFn> => listen<ClipboardEvent>(EVENTS.EVENT_CLIPBOARD, (e) => f(e.payload)),
};
