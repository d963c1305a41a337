// What a screen may ask of the app shell (app.ts): the data it shows and the few things it does.
// Screens import this, never app.ts, so the shell can import every screen without a circle.

import type { DemoInfo, IpcError, ProfileView } from './types';

export type Screen =
  | { kind: 'profiles' }
  | { kind: 'add'; edit?: ProfileView }
  | { kind: 'device'; profile: string }
  | { kind: 'pat'; profile: string }
  | { kind: 'paste'; profile: string }
  | { kind: 'details'; profile: string }
  | { kind: 'settings' };

export interface ToastOptions {
  /** Stays until the next message instead of hiding after a few seconds. */
  keep?: boolean;
  /** `status` is announced politely, `error` at once (role=alert). */
  kind?: 'status' | 'error';
  /** Epoch seconds: a countdown to it is shown beside the message, not read out. */
  countdownTo?: number;
}

export interface Shell {
  /** The environments as last read; `loadError` says why the last read failed. */
  readonly profiles: ProfileView[];
  readonly loadError: IpcError | null;
  /** The demo's files, once the demo runs: the PAT form prefills them. */
  demo: DemoInfo | null;
  readonly screen: Screen;
  /** Shows another screen and moves focus to it. */
  go(screen: Screen): void;
  /** Shows the current screen again: the list and the device sign-in update in place. */
  render(): void;
  /** Reads the profiles again; the list, if shown, follows. */
  reload(): Promise<void>;
  /** Starts the sign-in the profile's method calls for, on its screen. */
  signIn(profile: ProfileView): void;
  toast(text: string, options?: ToastOptions): void;
  showError(e: IpcError): void;
  /** Runs a command; a failure becomes an error toast. */
  run(f: () => Promise<unknown>): Promise<void>;
}
