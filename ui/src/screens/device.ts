// A sign-in in progress: the device flow's code to enter (with a QR code and its countdown), or
// the browser sign-in's "finish in your browser", and the progress the Rust shell reports.
// Updated in place by the shell, so its buttons act through `data-action`.

import { api, asIpcError } from '../api';
import { h } from '../dom';
import { clock, errorTitle, nowSecs } from '../format';
import type { Shell } from '../shell';
import type { DeviceEvent, IpcError } from '../types';

interface DeviceState {
  profile: string;
  code?: Extract<DeviceEvent, { event: 'code' }>;
  browser?: Extract<DeviceEvent, { event: 'browser' }>;
  /** Said once when a browser sign-in falls back to the device flow. */
  fallback?: string;
  qr?: string;
  expiresAt?: number;
  interval?: number;
  status: 'starting' | 'browser' | 'pending' | 'slow_down' | 'network_trouble' | 'signed_in' | 'error';
  message?: string;
  error?: IpcError;
}

export class DeviceSignIn {
  /** The sign-in running or last run: one at a time. */
  private state: DeviceState | null = null;

  constructor(private shell: Shell) {}

  start(profile: string): void {
    this.state = { profile, status: 'starting' };
    this.shell.go({ kind: 'device', profile });
    api.startDeviceLogin(profile).catch((e) => {
      const err = asIpcError(e);
      this.onEvent(profile, { event: 'error', code: err.code, message: err.message, hint: err.hint ?? null, action: err.action ?? null });
    });
  }

  /** A progress event from the Rust shell. */
  onEvent(profile: string, event: DeviceEvent, qr?: string, notes: string[] = []): void {
    const shell = this.shell;
    if (!this.state || this.state.profile !== profile) this.state = { profile, status: 'starting' };
    const d = this.state;
    switch (event.event) {
      case 'browser':
        d.browser = event;
        d.expiresAt = event.expires_at;
        d.status = 'browser';
        break;
      case 'fallback':
        d.fallback = event.message;
        break;
      case 'code':
        d.code = event;
        d.qr = qr;
        d.expiresAt = nowSecs() + event.expires_in;
        d.interval = event.interval;
        d.status = 'pending';
        break;
      case 'pending':
        d.status = 'pending';
        break;
      case 'slow_down':
        d.status = 'slow_down';
        d.interval = event.interval;
        break;
      case 'network_trouble':
        d.status = 'network_trouble';
        d.message = event.message;
        break;
      case 'signed_in':
        d.status = 'signed_in';
        // Where the secrets are kept (when not a desktop keychain) and every warning: kept on
        // screen until the next message, since they matter after the sign-in too.
        shell.toast([`Signed in to ${profile}.`, ...notes].join(' '), { keep: notes.length > 0 });
        void shell.reload().then(() => {
          if (shell.screen.kind !== 'device') return;
          shell.go({ kind: 'profiles' });
          // Keyboard users land on what they came for: this environment's Copy token.
          document.getElementById(`copy-token-${profile}`)?.focus();
        });
        return;
      case 'error':
        d.status = 'error';
        d.error = { code: event.code, message: event.message };
        break;
    }
    if (shell.screen.kind === 'device' && shell.screen.profile === profile) shell.render();
  }

  view(): HTMLElement {
    const d = this.state;
    if (!d) return h('p', {}, 'No sign-in running.');
    const statusText: Record<DeviceState['status'], string> = {
      starting: 'Asking the identity provider…',
      browser: 'Waiting for you to finish signing in in your browser…',
      pending: 'Waiting for you to approve in the browser…',
      slow_down: `The identity provider asked LakeKey to poll less often (every ${d.interval ?? '?'} s). Still waiting…`,
      network_trouble: `Network trouble, still trying: ${d.message ?? ''}`,
      signed_in: 'Signed in.',
      error: d.error?.message ?? 'The sign-in failed.',
    };
    const c = d.code;
    // Two nodes with their own ids: a button never moves between places (the morph keeps nodes).
    const cancel = (id: string, label: string) => h('button', { type: 'button', class: 'decline', id, 'data-action': 'cancel-sign-in' }, label);
    const b = d.browser;
    const body = h(
      'div',
      { class: 'device' },
      d.fallback ? h('p', { class: 'help', id: 'sign-in-fallback' }, d.fallback) : null,
      b && !c
        ? h(
            'div',
            { class: 'code-box' },
            h('p', { class: 'asks', id: 'browser-opened' }, `Your browser opened ${b.idp_host} to sign you in. Finish there: LakeKey continues by itself, with no code to type.`),
            h('div', { class: 'actions' }, cancel('cancel-browser', 'Cancel')),
            h('p', { class: 'countdown' }, 'Time left: ', h('span', { 'data-countdown': d.expiresAt ?? '' }, clock((d.expiresAt ?? 0) - nowSecs()))),
          )
        : null,
      c
        ? h(
            'div',
            { class: 'code-box' },
            // RFC 10027: who asks, on which machine, for what; decline as easy as approve.
            h('p', { class: 'asks', id: 'sign-in-asks' }, c.context.asks),
            h('p', {}, 'Enter this code at ', h('strong', {}, c.verification_uri)),
            h('output', { class: 'user-code', id: 'user-code', 'aria-label': `Code ${c.user_code.split('').join(' ')}` }, c.user_code),
            c.context.page_host_warning ? h('p', { class: 'warn-text', id: 'page-host-warning', role: 'alert' }, c.context.page_host_warning) : null,
            h('p', { class: 'only-if', id: 'only-if' }, c.context.only_if),
            h(
              'div',
              { class: 'actions' },
              h('button', { type: 'button', class: 'primary', id: 'open-browser', 'data-action': 'open-browser' }, 'Open sign-in page'),
              cancel('cancel-sign-in', 'Cancel: I did not start this'),
              h('button', { type: 'button', id: 'copy-code', 'data-action': 'copy-code' }, 'Copy code'),
            ),
            h(
              'p',
              { class: 'countdown' },
              `Code expires at ${new Date(c.expires_at * 1000).toLocaleTimeString()}, in `,
              h('span', { 'data-countdown': d.expiresAt ?? '' }, clock((d.expiresAt ?? 0) - nowSecs())),
            ),
          )
        : null,
      d.qr ? h('figure', { class: 'qr' }, h('img', { src: d.qr, alt: 'QR code of the sign-in address, to sign in from a phone', width: 200, height: 200 }), h('figcaption', {}, 'Or scan to sign in from your phone')) : null,
    );
    const failed = d.status === 'error';
    const demo = this.shell.profiles.find((p) => p.name === d.profile)?.demo ?? false;
    return h(
      'section',
      { 'aria-labelledby': 'device-title' },
      h('h2', { id: 'device-title' }, `Sign in to ${d.profile}`),
      demo ? h('p', { class: 'badge demo' }, 'DEMO — the approval page is served by LakeKey itself') : null,
      body,
      h('p', { class: `device-status ${failed ? 'problem' : ''}`, id: 'device-status', role: failed ? 'alert' : 'status', 'data-status': d.status }, failed && d.error ? `${errorTitle(d.error)}: ${statusText.error}` : statusText[d.status]),
      h(
        'div',
        { class: 'actions' },
        failed ? h('button', { type: 'button', class: 'primary', id: 'retry-sign-in', 'data-action': 'retry-sign-in' }, 'Try again') : c ? null : cancel('cancel-starting', 'Cancel'),
        failed ? h('button', { type: 'button', id: 'device-back', 'data-action': 'back' }, 'Back') : null,
      ),
    );
  }

  /** A click on one of the screen's `data-action` buttons. */
  act(button: HTMLElement): void {
    const shell = this.shell;
    const d = this.state;
    switch (button.dataset.action) {
      case 'copy-code':
        if (d?.code) void navigator.clipboard?.writeText(d.code.user_code).then(() => shell.toast('Code copied.'));
        return;
      case 'open-browser': {
        const url = d?.code ? d.code.verification_uri_complete ?? d.code.verification_uri : null;
        return url ? void api.openUrl(url).catch((err) => shell.showError(asIpcError(err))) : undefined;
      }
      case 'cancel-sign-in':
        if (d) void api.cancelDeviceLogin(d.profile).then(() => shell.go({ kind: 'profiles' }));
        return;
      case 'retry-sign-in': {
        // A profile removed meanwhile has nothing to sign in to: back to the list.
        const profile = d && shell.profiles.find((p) => p.name === d.profile);
        return profile ? shell.signIn(profile) : shell.go({ kind: 'profiles' });
      }
      case 'back':
        return shell.go({ kind: 'profiles' });
    }
  }
}
