// The UI against a mocked Rust shell (mockIPC): what it asks for and what it shows.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../src/app';
import type { ProfileView } from '../src/types';

const profile = (over: Partial<ProfileView> = {}): ProfileView => ({
  name: 'prod',
  isDefault: true,
  demo: false,
  input: { base_url: 'https://acme.example.com/api/accounts/e1', method: 'device', idp: 'vcl' },
  derived: null,
  state: 'signed_in',
  expiresAt: Math.floor(Date.now() / 1000) + 600,
  canRefresh: true,
  validation: null,
  tokenPreview: 'eyJh…abcd',
  problem: null,
  error: null,
  ...over,
});

let calls: { cmd: string; args: unknown }[];
let profiles: ProfileView[];

function setup(handlers: Record<string, (args: any) => unknown> = {}) {
  calls = [];
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args });
      if (cmd in handlers) return handlers[cmd](args);
      if (cmd === 'list_profiles') return profiles;
      if (cmd === 'app_info') return { version: '0.1.0', demoRunning: false, configDir: '/tmp' };
      return null;
    },
    { shouldMockEvents: true },
  );
  document.body.innerHTML =
    '<main id="main"></main><div id="toast"><span id="toast-text" role="status"></span><span id="toast-alert" role="alert"></span>' +
    '<span id="toast-countdown" aria-hidden="true"></span></div><div id="banner"></div>';
  return new App(document.getElementById('main')!, document.getElementById('toast')!, document.getElementById('banner')!);
}

const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  profiles = [profile()];
});
afterEach(() => clearMocks());

describe('profiles screen', () => {
  it('shows each environment with its state and copy buttons', async () => {
    const app = setup();
    await app.start();
    const card = document.querySelector('[data-name="prod"]')!;
    expect(card.textContent).toContain('Signed in · expires in 10 min');
    expect(card.querySelector('[data-copy="token"]')).not.toBeNull();
    expect(document.body.textContent).not.toContain('eyJ'); // no token preview on the card
  });

  it('shows the list a change event carries without asking again, and asks when it carries none', async () => {
    const app = setup();
    await app.start();
    const lists = () => calls.filter((c) => c.cmd === 'list_profiles').length;
    const before = lists();
    await emit('profiles-changed', [profile({ name: 'staging', isDefault: false })]);
    await flush();
    expect(document.querySelector('[data-name="staging"]')).not.toBeNull();
    expect(document.querySelector('[data-name="prod"]')).toBeNull();
    expect(lists()).toBe(before);

    await emit('profiles-changed', null);
    await flush();
    expect(lists()).toBe(before + 1);
    expect(document.querySelector('[data-name="prod"]')).not.toBeNull();
  });

  it('offers the demo on first run', async () => {
    profiles = [];
    const app = setup({ start_demo: () => ({ deviceProfile: 'demo-device', patProfile: 'demo-pat', patFile: '/d/pat', pemFile: '/d/key.pem', username: 'U' }) });
    await app.start();
    (document.getElementById('welcome-demo') as HTMLButtonElement).click();
    await flush();
    expect(calls.map((c) => c.cmd)).toContain('start_demo');
  });

  it('copies through Rust and says once when the clipboard clears, counting down silently', async () => {
    const app = setup({ copy: () => ({ clearsIn: 45, shortLived: null }) });
    await app.start();
    (document.querySelector('[data-copy="snippet"]') as HTMLButtonElement).click();
    await flush();
    expect(calls.find((c) => c.cmd === 'copy')?.args).toEqual({ name: 'prod', format: 'snippet' });
    expect(document.getElementById('toast-text')!.textContent).toBe('Python line copied for prod; the clipboard clears in 45 s.');
    expect(document.getElementById('toast-countdown')!.textContent).toMatch(/^\(4\d s\)$/);
    expect(document.getElementById('toast-countdown')!.getAttribute('aria-hidden')).toBe('true');
  });

  it('copies the notebook line without a token or a clear timer', async () => {
    const app = setup({ copy: () => ({ clearsIn: null, shortLived: null }) });
    await app.start();
    (document.querySelector('[data-copy="lakekey"]') as HTMLButtonElement).click();
    await flush();
    expect(calls.find((c) => c.cmd === 'copy')?.args).toEqual({ name: 'prod', format: 'lakekey' });
    expect(document.getElementById('toast-text')!.textContent).toContain('after create_context()');
    expect(document.getElementById('toast-countdown')!.textContent).toBe('');
  });

  it('updates the list in place: the focused button keeps its focus and node', async () => {
    const app = setup();
    await app.start();
    const button = document.getElementById('copy-header-prod') as HTMLButtonElement;
    button.focus();
    const later = Math.floor(Date.now() / 1000) + 3000;
    await emit('profiles-changed', [profile({ expiresAt: later }), profile({ name: 'staging', isDefault: false })]);
    await flush();
    expect(document.getElementById('copy-header-prod')).toBe(button);
    expect(document.activeElement).toBe(button);
    expect(document.querySelector('[data-name="prod"] .state')!.textContent).toBe('Signed in · expires in 50 min');
    expect(document.querySelector('[data-name="staging"]')).not.toBeNull();
  });

  it('acts on a reused button for the profile it now shows', async () => {
    const app = setup();
    await app.start();
    await emit('profiles-changed', [profile({ state: 'needs_sign_in', expiresAt: null, input: { base_url: 'https://acme.example.com/api/accounts/e1', method: 'pat', idp: 'vcl' } })]);
    await flush();
    (document.getElementById('sign-in-prod') as HTMLButtonElement).click();
    await flush();
    expect(document.getElementById('pat-title')).not.toBeNull();
  });

  it('shows a typed error when the keychain is locked', async () => {
    const app = setup({
      list_profiles: () => {
        throw { code: 'keychain_locked', message: 'The keychain is locked.', hint: 'Unlock it.' };
      },
    });
    await app.start();
    expect(document.querySelector('.error-box h2')!.textContent).toBe('Keychain locked');
    expect(document.querySelector('.error-box')!.textContent).toContain('Unlock it.');
  });

  it('copies the default profile with Ctrl+Shift+C', async () => {
    const app = setup({ copy: () => ({ clearsIn: 45, shortLived: null }) });
    await app.start();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'C', ctrlKey: true, shiftKey: true }));
    await flush();
    expect(calls.find((c) => c.cmd === 'copy')?.args).toEqual({ name: 'prod', format: 'token' });
  });
});

describe('device sign-in', () => {
  it('follows the events from code to signed in', async () => {
    profiles = [profile({ state: 'needs_sign_in', expiresAt: null })];
    const app = setup();
    await app.start();
    (document.querySelector('[data-action="sign-in"]') as HTMLButtonElement).click();
    await flush();
    expect(calls.find((c) => c.cmd === 'start_device_login')?.args).toEqual({ name: 'prod' });
    await emit('device-event', {
      profile: 'prod',
      event: { event: 'code', user_code: 'ABCD-EFGH', verification_uri: 'https://idp/device', verification_uri_complete: 'https://idp/device?user_code=ABCD-EFGH', expires_in: 600, expires_at: 2000000000, interval: 5, context: { host: 'ANALYST-LAPTOP', environment: 'https://acme.example.com/api/accounts/e1', profile: 'prod', idp_host: 'idp', asks: 'LakeKey on ANALYST-LAPTOP asks to sign in to https://acme.example.com/api/accounts/e1 (profile prod), at the identity provider idp.', only_if: 'Enter this code only if you started this sign-in just now, on this machine. If you did not, do not enter it: close the page. LakeKey never asks for a code by mail, chat or phone.', page_host_warning: null } },
      qr: 'data:image/svg+xml;base64,PHN2Zy8+',
    });
    await flush();
    expect(document.getElementById('user-code')!.textContent).toBe('ABCD-EFGH');
    expect(document.querySelector('.qr img')!.getAttribute('src')).toContain('data:image/svg+xml');
    expect(document.getElementById('device-status')!.dataset.status).toBe('pending');
    const cancel = document.getElementById('cancel-sign-in') as HTMLButtonElement;
    cancel.focus();
    await emit('device-event', { profile: 'prod', event: { event: 'slow_down', interval: 10 } });
    await flush();
    expect(document.getElementById('device-status')!.textContent).toContain('every 10 s');
    expect(document.activeElement).toBe(cancel); // progress events keep the keyboard user's place
    await emit('device-event', { profile: 'prod', event: { event: 'error', code: 'access_denied', message: 'The sign-in was declined.' } });
    await flush();
    expect(document.getElementById('device-status')!.textContent).toBe('Sign-in declined: The sign-in was declined.');
  });
});

describe('add environment', () => {
  it('previews what is derived and signs in after saving', async () => {
    profiles = [];
    const app = setup({
      preview_profile: ({ input }) => ({ suggestedName: 'acme', baseUrl: input.base_url, orgId: 'acme', envId: 'e1', issuer: `${input.base_url}/auth`, clientId: 'acme-oaf-device', scope: 'openid' }),
      save_profile: () => {
        profiles = [profile({ name: 'acme', state: 'needs_sign_in', expiresAt: null })];
        return {};
      },
    });
    await app.start();
    app.go({ kind: 'add' });
    const url = document.getElementById('base-url') as HTMLInputElement;
    url.value = 'https://acme.example.com/api/accounts/e1';
    url.dispatchEvent(new Event('input'));
    await flush();
    expect(document.getElementById('derived')!.textContent).toContain('acme-oaf-device');
    expect((document.getElementById('profile-name') as HTMLInputElement).value).toBe('acme');
    (document.getElementById('add-form') as HTMLFormElement).requestSubmit();
    await flush();
    await flush();
    expect(calls.find((c) => c.cmd === 'save_profile')?.args).toMatchObject({ name: 'acme', makeDefault: true });
    expect(calls.map((c) => c.cmd)).toContain('start_device_login');
  });

  it('an edit sends what the form changed and keeps what it does not show', async () => {
    const pat = profile({ input: { base_url: 'https://acme.example.com/api/accounts/e1', method: 'pat', idp: 'vcl', username: 'ANALYST', valid_from: 1700000000 } });
    profiles = [pat];
    const app = setup({ preview_profile: () => ({ suggestedName: 'acme', baseUrl: '', orgId: 'acme', envId: 'e1', issuer: '', clientId: '', scope: '' }), save_profile: () => ({}) });
    await app.start();
    app.go({ kind: 'add', edit: pat });
    const kid = document.getElementById('kid') as HTMLInputElement;
    kid.value = 'key2';
    (document.getElementById('add-form') as HTMLFormElement).requestSubmit();
    await flush();
    const sent = calls.find((c) => c.cmd === 'save_profile')?.args as { input: Record<string, unknown> };
    expect(sent.input).toMatchObject({ method: 'pat', username: 'ANALYST', kid: 'key2', valid_from: 1700000000 });
    expect(calls.map((c) => c.cmd)).not.toContain('start_device_login');
  });
});
