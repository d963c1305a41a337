// LakeKey's screens. State lives here; the Rust shell does all auth work and never sends a token.

import { Idiomorph } from 'idiomorph';
import { api, asIpcError, events } from './api';
import { field, h, replace } from './dom';
import { clock, duration, epochToLocal, errorTitle, nowSecs, stateLabel, stateTone, suggestName } from './format';
import type { CopyFormat, DemoInfo, DeviceEvent, Idp, IpcError, Method, ProfileInput, ProfileView, Settings } from './types';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'];

type Screen =
  | { kind: 'profiles' }
  | { kind: 'add'; edit?: ProfileView }
  | { kind: 'device'; profile: string }
  | { kind: 'pat'; profile: string }
  | { kind: 'paste'; profile: string }
  | { kind: 'details'; profile: string }
  | { kind: 'settings' };

interface DeviceView {
  profile: string;
  code?: Extract<DeviceEvent, { event: 'code' }>;
  qr?: string;
  expiresAt?: number;
  interval?: number;
  status: 'starting' | 'pending' | 'slow_down' | 'network_trouble' | 'signed_in' | 'error';
  message?: string;
  error?: IpcError;
}

export class App {
  profiles: ProfileView[] = [];
  screen: Screen = { kind: 'profiles' };
  device: DeviceView | null = null;
  demo: DemoInfo | null = null;
  loadError: IpcError | null = null;
  private clipboardTimer: number | undefined;
  private tickTimer: number | undefined;
  /** The screen now in `main`: the same screen is updated in place, another one replaces it. */
  private shown: Screen | null = null;

  constructor(private main: HTMLElement, private toastEl: HTMLElement, private banner: HTMLElement) {}

  async start(): Promise<void> {
    await events.onProfilesChanged((profiles) => void this.reload(profiles ?? undefined));
    await events.onDevice((p) => this.onDevice(p.profile, p.event, p.qr ?? undefined));
    await events.onClipboard((p) =>
      this.toast(p.outcome === 'cleared' ? 'Clipboard cleared.' : 'Clipboard left alone: it holds something else now.'),
    );
    // Screens that update in place (the list, the device sign-in) act through `data-action`
    // attributes read at click time, so a node reused by an update never runs a stale handler.
    this.main.addEventListener('click', (e) => this.onAction(e));
    document.querySelectorAll<HTMLButtonElement>('[data-nav]').forEach((b) =>
      b.addEventListener('click', () => this.go({ kind: b.dataset.nav as 'profiles' | 'add' | 'settings' })),
    );
    document.addEventListener('keydown', (e) => this.onKey(e));
    document.addEventListener('visibilitychange', () => this.scheduleTick());
    const info = await api.appInfo().catch(() => null);
    // Started with --demo: fetch the demo's file paths so the PAT form can prefill them.
    if (info?.demoRunning) this.demo = await api.startDemo().catch(() => null);
    await this.reload();
  }

  /** Shows `given` (the list a change event carried), or asks for the list. */
  async reload(given?: ProfileView[]): Promise<void> {
    try {
      this.profiles = given ?? (await api.listProfiles());
      this.loadError = null;
    } catch (e) {
      this.loadError = asIpcError(e);
    }
    this.renderBanner();
    if (this.screen.kind === 'profiles') this.render();
  }

  go(screen: Screen): void {
    this.screen = screen;
    this.render();
    document.querySelectorAll<HTMLButtonElement>('[data-nav]').forEach((b) => {
      if (b.dataset.nav === screen.kind) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
    });
    this.main.focus();
  }

  render(): void {
    this.renderScreen();
    this.scheduleTick();
  }

  /**
   * Shows a screen. The screen already shown is updated in place (a morph of the DOM), so
   * focus, scroll position, selections and open disclosures survive a background refresh or a
   * sign-in event; screen readers hear only what changed. Another screen replaces it.
   */
  private show(view: HTMLElement): void {
    if (this.shown === this.screen && this.main.firstElementChild) {
      Idiomorph.morph(this.main, [view], { morphStyle: 'innerHTML', restoreFocus: true, ignoreActiveValue: true });
    } else {
      replace(this.main, view);
    }
    this.shown = this.screen;
  }

  private renderScreen(): void {
    const s = this.screen;
    switch (s.kind) {
      case 'profiles':
        return this.show(this.profilesView());
      case 'add':
        return replace(this.main, this.addView(s.edit));
      case 'device':
        return this.show(this.deviceView());
      case 'pat':
        return replace(this.main, this.patView(s.profile));
      case 'paste':
        return replace(this.main, this.pasteView(s.profile));
      case 'details':
        replace(this.main, h('p', {}, 'Loading…'));
        return void this.detailsView(s.profile).then((v) => this.screen === s && replace(this.main, v));
      case 'settings':
        replace(this.main, h('p', {}, 'Loading…'));
        return void this.settingsView().then((v) => this.screen === s && replace(this.main, v));
    }
  }

  // ---- profiles ---------------------------------------------------------------------------

  profilesView(): HTMLElement {
    if (this.loadError) return this.errorBox(this.loadError);
    if (this.profiles.length === 0) return this.welcomeView();
    return h(
      'section',
      { 'aria-labelledby': 'profiles-title' },
      h('h2', { id: 'profiles-title' }, 'Environments'),
      h('ul', { class: 'cards', id: 'profile-list' }, ...this.profiles.map((p) => this.card(p))),
    );
  }

  welcomeView(): HTMLElement {
    return h(
      'section',
      { class: 'welcome', 'aria-labelledby': 'welcome-title' },
      h('h2', { id: 'welcome-title' }, 'Welcome to LakeKey'),
      h('p', {}, 'Sign in to Teradata VantageCloud Lake once; LakeKey keeps your token fresh and copies it for teradataml.'),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', id: 'welcome-add', 'data-action': 'add' }, 'Add your Lake environment'),
        h('button', { type: 'button', id: 'welcome-demo', 'data-action': 'demo' }, 'Try the demo (no Lake account needed)'),
      ),
    );
  }

  card(p: ProfileView): HTMLElement {
    const signedIn = p.state === 'signed_in' || p.state === 'refresh_failing';
    const title = h(
      'h3',
      { id: `card-title-${p.name}` },
      p.name,
      p.demo ? h('span', { class: 'badge demo', title: 'Built-in demo environment' }, 'DEMO') : null,
      p.isDefault ? h('span', { class: 'badge', title: 'Default profile' }, 'default') : null,
    );
    const state = h('span', { class: `state ${stateTone[p.state]}`, 'data-expires': p.expiresAt ?? '', 'data-profile': p.name }, stateLabel(p));
    // Every button says what it does and for which environment: screen readers list them out of
    // their card. Ids keep each button the same node across updates.
    const button = (action: string, label: string, attrs: Record<string, string> = {}) =>
      h('button', { type: 'button', id: `${action}-${p.name}`, 'data-action': action, 'data-profile-name': p.name, 'aria-label': `${label}: ${p.name}`, ...attrs }, label);
    const actions = h('div', { class: 'actions' });
    if (signedIn) {
      actions.append(
        button('copy-token', 'Copy token', { class: 'primary', 'data-copy': 'token' }),
        button('copy-header', 'Copy header', { 'data-copy': 'header' }),
        button('copy-snippet', 'Copy Python', { 'data-copy': 'snippet', title: 'A teradataml set_auth_token line with this token' }),
        button('copy-lakekey', 'Copy notebook line', { 'data-copy': 'lakekey', title: 'lakekey.set_auth_token(…): the Python package keeps the token fresh' }),
        button('details', 'Details'),
        button('sign-out', 'Sign out'),
      );
    } else {
      actions.append(button('sign-in', 'Sign in', { class: 'primary' }));
    }
    if (!p.isDefault) actions.append(button('default', 'Make default'));
    actions.append(button('edit', 'Edit'), button('remove', 'Remove', { class: 'danger' }));
    return h(
      'li',
      { class: `card${p.demo ? ' is-demo' : ''}`, id: `card-${p.name}`, 'data-name': p.name, 'aria-labelledby': `card-title-${p.name}` },
      title,
      h('p', { class: 'url' }, p.input.baseUrl),
      h('p', { class: 'meta' }, state, ' · ', methodLabel(p.method), p.validation === 'not_validated' ? ' · not validated by Lake' : ''),
      p.problem ? h('p', { class: 'problem', role: 'alert' }, p.problem) : null,
      p.error ? h('p', { class: 'problem', role: 'alert' }, p.error) : null,
      actions,
    );
  }

  /** Clicks on `data-action` buttons of the screens that update in place. */
  onAction(e: Event): void {
    const button = (e.target as Element | null)?.closest<HTMLElement>('[data-action]');
    if (!button || !this.main.contains(button)) return;
    const name = button.dataset.profileName ?? '';
    const profile = this.profiles.find((p) => p.name === name);
    const d = this.device;
    switch (button.dataset.action) {
      case 'add':
        return this.go({ kind: 'add' });
      case 'demo':
        return void this.startDemo();
      case 'copy-token':
      case 'copy-header':
      case 'copy-snippet':
      case 'copy-lakekey':
        return void this.copy(name, button.dataset.copy as CopyFormat);
      case 'details':
        return this.go({ kind: 'details', profile: name });
      case 'sign-out':
        return void this.signOut(name);
      case 'sign-in':
        if (profile) this.signIn(profile);
        return;
      case 'default':
        return void this.run(() => api.setDefault(name));
      case 'edit':
        if (profile) this.go({ kind: 'add', edit: profile });
        return;
      case 'remove':
        return void this.remove(name);
      case 'copy-code':
        if (d?.code) void navigator.clipboard?.writeText(d.code.user_code).then(() => this.toast('Code copied.'));
        return;
      case 'open-browser': {
        const url = d?.code ? d.code.verification_uri_complete ?? d.code.verification_uri : null;
        return url ? void api.openUrl(url).catch((err) => this.showError(asIpcError(err))) : undefined;
      }
      case 'cancel-sign-in':
        if (d) void api.cancelDeviceLogin(d.profile).then(() => this.go({ kind: 'profiles' }));
        return;
      case 'retry-sign-in':
        if (d) this.signIn(this.profiles.find((p) => p.name === d.profile) ?? ({ name: d.profile, method: 'device' } as ProfileView));
        return;
      case 'back':
        return this.go({ kind: 'profiles' });
    }
  }

  signIn(p: ProfileView): void {
    if (p.method === 'device') {
      this.device = { profile: p.name, status: 'starting' };
      this.go({ kind: 'device', profile: p.name });
      api.startDeviceLogin(p.name).catch((e) => this.onDevice(p.name, { event: 'error', ...asIpcError(e) }));
    } else if (p.method === 'pat') {
      this.go({ kind: 'pat', profile: p.name });
    } else {
      this.go({ kind: 'paste', profile: p.name });
    }
  }

  async copy(name: string, format: CopyFormat): Promise<void> {
    try {
      const { clearsIn, shortLived } = await api.copy(name, format);
      const what = { token: 'Token', header: 'Authorization header', snippet: 'Python line', lakekey: 'Notebook line' }[format];
      const note = shortLived ? ` ${shortLived}` : '';
      if (clearsIn === null) {
        this.toast(`${what} copied for ${name}. Paste it after create_context().`);
        return;
      }
      // Announced once; the countdown beside it is shown, not read out every second.
      const until = nowSecs() + clearsIn;
      this.toast(`${what} copied for ${name}; the clipboard clears in ${duration(clearsIn)}.${note}`, { keep: true });
      const countdown = this.toastEl.querySelector<HTMLElement>('#toast-countdown');
      const tick = () => {
        const left = until - nowSecs();
        if (countdown) countdown.textContent = left > 0 ? `(${duration(left)})` : '';
        if (left <= 0) window.clearInterval(this.clipboardTimer);
      };
      tick();
      this.clipboardTimer = window.setInterval(tick, 1000);
    } catch (e) {
      this.showError(asIpcError(e));
    }
  }

  async signOut(name: string): Promise<void> {
    try {
      const revoked = await api.signOut(name);
      this.toast(revoked ? `Signed out of ${name}; the sign-in was revoked.` : `Signed out of ${name}.`);
    } catch (e) {
      const err = asIpcError(e);
      if ((err.code === 'network' || err.code === 'server') && window.confirm(`${err.message}\n\nForget the credentials on this computer without revoking?`)) {
        await this.run(() => api.signOut(name, true));
      } else {
        this.showError(err);
      }
    }
    await this.reload();
  }

  async remove(name: string): Promise<void> {
    if (!window.confirm(`Remove ${name} and its credentials from this computer?`)) return;
    await this.run(() => api.removeProfile(name));
    await this.reload();
  }

  async startDemo(): Promise<void> {
    try {
      this.demo = await api.startDemo();
      await this.reload();
      this.toast('Demo environment ready: two DEMO profiles were added.');
    } catch (e) {
      this.showError(asIpcError(e));
    }
  }

  // ---- add / edit -------------------------------------------------------------------------

  addView(edit?: ProfileView): HTMLElement {
    const i = edit?.input;
    const input = (id: string, value = '', attrs: Record<string, string> = {}) => h('input', { id, value, autocomplete: 'off', spellcheck: 'false', ...attrs });
    const baseUrl = input('base-url', i?.baseUrl ?? '', { type: 'url', required: 'true', placeholder: 'https://<org>.<domain>/api/accounts/<environment id>' });
    const name = input('profile-name', edit?.name ?? '', { required: 'true', pattern: '[A-Za-z0-9_.\\-]{1,64}' });
    const method = h('select', { id: 'method' }, ...(['device', 'pat', 'token'] as Method[]).map((m) => h('option', { value: m, selected: (i?.method ?? 'device') === m }, methodLabel(m))));
    const idp = h('select', { id: 'idp' }, ...(['vcl', 'keycloak', 'ping', 'custom'] as Idp[]).map((v) => h('option', { value: v, selected: (i?.idp ?? 'vcl') === v }, idpLabel(v))));
    const issuer = input('issuer', i?.issuer ?? '');
    const realm = input('realm', i?.realm ?? '', { placeholder: 'teradata' });
    const clientId = input('client-id', i?.clientId ?? '');
    const scope = input('scope', i?.scope ?? '', { placeholder: 'openid' });
    const username = input('username', i?.username ?? '');
    const orgId = input('org-id', i?.orgId ?? '');
    const kid = input('kid', i?.kid ?? '');
    const expiration = input('expiration', i?.expirationTime ? String(i.expirationTime) : '', { inputmode: 'numeric', placeholder: '31536000' });
    const makeDefault = h('input', { type: 'checkbox', id: 'make-default', checked: edit ? edit.isDefault : this.profiles.length === 0 });
    const derived = h('dl', { class: 'derived', id: 'derived', 'aria-live': 'polite' });
    const problem = h('p', { class: 'problem', id: 'add-problem', role: 'alert' });
    let nameTouched = !!edit;
    name.addEventListener('input', () => (nameTouched = true));

    const read = (): ProfileInput => ({
      baseUrl: baseUrl.value,
      method: method.value as Method,
      idp: idp.value as Idp,
      issuer: issuer.value || null,
      realm: realm.value || null,
      clientId: clientId.value || null,
      scope: scope.value || null,
      username: username.value || null,
      orgId: orgId.value || null,
      kid: kid.value || null,
      expirationTime: expiration.value ? Number(expiration.value) : null,
    });
    const preview = async () => {
      if (!baseUrl.value.trim()) {
        replace(derived);
        problem.textContent = '';
        return;
      }
      try {
        const d = await api.previewProfile(read());
        problem.textContent = '';
        replace(
          derived,
          ...[['Org id', d.orgId], ['Environment id', d.envId], ['Identity provider', d.issuer], ['Client id', d.clientId], ['Scope', d.scope]].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
        );
        if (!nameTouched) name.value = suggestName(d.orgId, this.profiles.map((p) => p.name));
      } catch (e) {
        replace(derived);
        problem.textContent = asIpcError(e).message;
      }
    };
    for (const el of [baseUrl, idp, issuer, realm, clientId, scope, orgId]) el.addEventListener('input', () => void preview());
    idp.addEventListener('change', () => void preview());
    if (i) void preview();

    const form = h(
      'form',
      { id: 'add-form', novalidate: true },
      field('Base URL', baseUrl, 'The environment URL from the Lake Console.'),
      derived,
      field('Profile name', name),
      field('Sign in with', method),
      h('label', { class: 'check' }, makeDefault, ' Make this the default environment'),
      h(
        'details',
        { id: 'advanced' },
        h('summary', {}, 'Advanced settings'),
        field('Identity provider', idp),
        field('Issuer URL (custom provider)', issuer),
        field('Keycloak realm', realm),
        field('Client id', clientId),
        field('Scope', scope, 'Space-separated; some providers need offline_access for refresh tokens.'),
        field('Org id', orgId, 'Overrides the org id taken from the host name.'),
        field('Database user (PAT)', username),
        field('Key id (PAT)', kid, 'Defaults to the PEM file name without extension.'),
        field('Token lifetime in seconds (PAT)', expiration),
      ),
      problem,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-profile' }, edit ? 'Save' : 'Add environment'), h('button', { type: 'button', onclick: () => this.go({ kind: 'profiles' }) }, 'Cancel')),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api.saveProfile(name.value, read(), makeDefault.checked);
        await this.reload();
        const saved = this.profiles.find((p) => p.name === name.value.trim());
        if (!edit && saved && saved.state === 'needs_sign_in') this.signIn(saved);
        else this.go({ kind: 'profiles' });
      } catch (err) {
        problem.textContent = asIpcError(err).message;
      }
    });
    return h('section', { 'aria-labelledby': 'add-title' }, h('h2', { id: 'add-title' }, edit ? `Edit ${edit.name}` : 'Add a Lake environment'), form);
  }

  // ---- device flow ------------------------------------------------------------------------

  onDevice(profile: string, event: DeviceEvent, qr?: string): void {
    if (!this.device || this.device.profile !== profile) this.device = { profile, status: 'starting' };
    const d = this.device;
    switch (event.event) {
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
        this.toast(`Signed in to ${profile}.`);
        void this.reload().then(() => {
          if (this.screen.kind !== 'device') return;
          this.go({ kind: 'profiles' });
          // Keyboard users land on what they came for: this environment's Copy token.
          this.main.querySelector<HTMLElement>(`#copy-token-${CSS.escape(profile)}`)?.focus();
        });
        return;
      case 'error':
        d.status = 'error';
        d.error = { code: event.code, message: event.message };
        break;
    }
    if (this.screen.kind === 'device' && this.screen.profile === profile) this.render();
  }

  deviceView(): HTMLElement {
    const d = this.device;
    if (!d) return h('p', {}, 'No sign-in running.');
    const statusText: Record<DeviceView['status'], string> = {
      starting: 'Asking the identity provider for a code…',
      pending: 'Waiting for you to approve in the browser…',
      slow_down: `The identity provider asked LakeKey to poll less often (every ${d.interval ?? '?'} s). Still waiting…`,
      network_trouble: `Network trouble, still trying: ${d.message ?? ''}`,
      signed_in: 'Signed in.',
      error: d.error?.message ?? 'The sign-in failed.',
    };
    const c = d.code;
    const body = h(
      'div',
      { class: 'device' },
      c
        ? h(
            'div',
            { class: 'code-box' },
            h('p', {}, 'Enter this code at ', h('strong', {}, c.verification_uri)),
            h('output', { class: 'user-code', id: 'user-code', 'aria-label': `Code ${c.user_code.split('').join(' ')}` }, c.user_code),
            h(
              'div',
              { class: 'actions' },
              h('button', { type: 'button', id: 'copy-code', 'data-action': 'copy-code' }, 'Copy code'),
              h('button', { type: 'button', class: 'primary', id: 'open-browser', 'data-action': 'open-browser' }, 'Open browser'),
            ),
            h('p', { class: 'countdown' }, 'Code expires in ', h('span', { 'data-countdown': d.expiresAt ?? '' }, clock((d.expiresAt ?? 0) - nowSecs()))),
          )
        : null,
      d.qr ? h('figure', { class: 'qr' }, h('img', { src: d.qr, alt: 'QR code of the sign-in address, to sign in from a phone', width: 200, height: 200 }), h('figcaption', {}, 'Or scan to sign in from your phone')) : null,
    );
    const failed = d.status === 'error';
    return h(
      'section',
      { 'aria-labelledby': 'device-title' },
      h('h2', { id: 'device-title' }, `Sign in to ${d.profile}`),
      this.isDemo(d.profile) ? h('p', { class: 'badge demo' }, 'DEMO — the approval page is served by LakeKey itself') : null,
      body,
      h('p', { class: `device-status ${failed ? 'problem' : ''}`, id: 'device-status', role: failed ? 'alert' : 'status', 'data-status': d.status }, failed && d.error ? `${errorTitle(d.error)}: ${statusText.error}` : statusText[d.status]),
      h(
        'div',
        { class: 'actions' },
        failed
          ? h('button', { type: 'button', class: 'primary', id: 'retry-sign-in', 'data-action': 'retry-sign-in' }, 'Try again')
          : h('button', { type: 'button', id: 'cancel-sign-in', 'data-action': 'cancel-sign-in' }, 'Cancel'),
        failed ? h('button', { type: 'button', id: 'device-back', 'data-action': 'back' }, 'Back') : null,
      ),
    );
  }

  // ---- PAT --------------------------------------------------------------------------------

  patView(profile: string): HTMLElement {
    const p = this.profiles.find((x) => x.name === profile);
    const demo = this.demo && this.demo.patProfile === profile ? this.demo : null;
    const patPath = h('input', { id: 'pat-file', readonly: true, placeholder: 'No file chosen', value: demo?.patFile ?? '' });
    const patText = h('input', { id: 'pat-text', type: 'password', autocomplete: 'off', placeholder: 'or paste the PAT here' });
    const pemPath = h('input', { id: 'pem-file', readonly: true, placeholder: 'No file chosen', value: demo?.pemFile ?? '' });
    const username = h('input', { id: 'pat-username', value: p?.input.username ?? demo?.username ?? '', autocomplete: 'username', required: true });
    const kid = h('input', { id: 'pat-kid', value: p?.input.kid ?? '' });
    const passphrase = h('input', { id: 'pat-passphrase', type: 'password', autocomplete: 'off' });
    const passField = field('Key passphrase', passphrase, 'The key is encrypted.');
    passField.hidden = true;
    const validate = h('input', { type: 'checkbox', id: 'pat-validate', checked: true });
    const problem = h('p', { class: 'problem', id: 'pat-problem', role: 'alert' });
    const result = h('div', { id: 'pat-result', role: 'status', 'aria-live': 'polite' });
    const keyWarning = h('p', { class: 'warn-text', id: 'pat-key-warning' });
    const inspect = async () => {
      if (!pemPath.value) return;
      try {
        const info = await api.inspectKey(pemPath.value);
        if (!kid.value && info.kid) kid.value = info.kid;
        passField.hidden = !info.encrypted;
        keyWarning.textContent = info.warning ?? '';
        problem.textContent = '';
      } catch (e) {
        problem.textContent = asIpcError(e).message;
      }
    };
    if (pemPath.value) void inspect();
    const pick = async (kind: 'pat' | 'pem', target: HTMLInputElement) => {
      const path = await api.pickFile(kind).catch((e) => (this.showError(asIpcError(e)), null));
      if (path) {
        target.value = path;
        if (kind === 'pem') {
          kid.value = '';
          await inspect();
        }
      }
    };
    // What the user fills in; once signed in, only the outcome and "Done" remain.
    const inputs = h(
      'div',
      { id: 'pat-inputs' },
      h('div', { class: 'picker' }, field('PAT file', patPath), h('button', { type: 'button', id: 'pick-pat', onclick: () => void pick('pat', patPath) }, 'Choose…')),
      field('PAT', patText, 'Instead of a file, you can paste the personal access token.'),
      h('div', { class: 'picker' }, field('PEM private key', pemPath), h('button', { type: 'button', id: 'pick-pem', onclick: () => void pick('pem', pemPath) }, 'Choose…')),
      keyWarning,
      passField,
      field('Database user', username, 'As in the database; mind the letter case.'),
      field('Key id (kid)', kid, 'Taken from the key file name; change it if you renamed the file.'),
      h('label', { class: 'check' }, validate, ' Check with Lake that the token is accepted'),
    );
    const actions = h('div', { class: 'actions', id: 'pat-actions' }, h('button', { type: 'submit', class: 'primary', id: 'pat-submit' }, 'Sign in'), h('button', { type: 'button', onclick: () => this.go({ kind: 'profiles' }) }, 'Cancel'));
    const form = h('form', { id: 'pat-form', novalidate: true }, inputs, problem, result, actions);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      problem.textContent = '';
      try {
        const r = await api.importPat(profile, {
          patFile: patText.value ? null : patPath.value || null,
          pat: patText.value || null,
          pemFile: pemPath.value,
          passphrase: passphrase.value || null,
          username: username.value,
          kid: kid.value || null,
          validate: validate.checked,
        });
        patText.value = '';
        passphrase.value = '';
        replace(
          result,
          h('p', { class: 'ok-text', id: 'pat-outcome' }, r.validation === 'accepted' ? `Signed in as ${r.username}: Lake accepted the token.` : `Signed in as ${r.username}, but the token is not validated: ${r.not_validated_because ?? ''}`),
          h('p', {}, 'The private key is now in your keychain: LakeKey no longer needs the PEM file. You may delete it or keep it somewhere safe.'),
          ...r.warnings.map((w) => h('p', { class: 'warn-text' }, w)),
          h('button', { type: 'button', class: 'primary', id: 'pat-done', onclick: () => this.go({ kind: 'profiles' }) }, 'Done'),
        );
        inputs.hidden = true;
        actions.hidden = true;
        form.querySelector<HTMLElement>('#pat-done')?.focus();
        await this.reload();
      } catch (err) {
        const ipc = asIpcError(err);
        problem.textContent = `${errorTitle(ipc)}: ${ipc.message}${ipc.hint ? ` ${ipc.hint}` : ''}`;
      }
    });
    return h(
      'section',
      { 'aria-labelledby': 'pat-title' },
      h('h2', { id: 'pat-title' }, `Sign in to ${profile} with a PAT`),
      this.isDemo(profile) ? h('p', { class: 'badge demo' }, 'DEMO — the demo PAT and key are already chosen') : null,
      form,
    );
  }

  pasteView(profile: string): HTMLElement {
    const token = h('textarea', { id: 'paste-token', rows: 5, spellcheck: 'false', autocomplete: 'off' });
    const problem = h('p', { class: 'problem', role: 'alert' });
    const form = h(
      'form',
      { id: 'paste-form' },
      field('Token (JWT)', token, 'It is stored in your keychain; LakeKey reads its expiry for the status.'),
      problem,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save token'), h('button', { type: 'button', onclick: () => this.go({ kind: 'profiles' }) }, 'Cancel')),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api.importToken(profile, token.value);
        token.value = '';
        await this.reload();
        this.go({ kind: 'profiles' });
      } catch (err) {
        problem.textContent = asIpcError(err).message;
      }
    });
    return h('section', { 'aria-labelledby': 'paste-title' }, h('h2', { id: 'paste-title' }, `Paste a token for ${profile}`), form);
  }

  // ---- details and settings ---------------------------------------------------------------

  async detailsView(profile: string): Promise<HTMLElement> {
    try {
      const d = await api.tokenDetails(profile);
      const pre = (v: unknown) => h('pre', { class: 'json', tabindex: 0 }, JSON.stringify(v, null, 2));
      return h(
        'section',
        { 'aria-labelledby': 'details-title' },
        h('h2', { id: 'details-title' }, `Token for ${profile}`),
        h('dl', { class: 'derived' }, h('dt', {}, 'Valid from'), h('dd', {}, epochToLocal(d.validFrom)), h('dt', {}, 'Expires'), h('dd', {}, epochToLocal(d.expiresAt)), h('dt', {}, 'Token'), h('dd', { class: 'mono' }, d.preview ?? '—')),
        h('h3', {}, 'Header'),
        pre(d.header),
        h('h3', {}, 'Claims'),
        h('p', { class: 'help' }, 'The PAT claim and the signature are never shown.'),
        pre(d.claims),
        h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => this.go({ kind: 'profiles' }) }, 'Back')),
      );
    } catch (e) {
      return this.errorBox(asIpcError(e));
    }
  }

  async settingsView(): Promise<HTMLElement> {
    let s: Settings;
    try {
      s = await api.getSettings();
    } catch (e) {
      return this.errorBox(asIpcError(e));
    }
    const num = (id: string, v: number) => h('input', { id, type: 'number', value: String(v), min: 1 });
    const clear = num('clipboard-clear', s.clipboardClearSecs);
    const margin = num('refresh-margin', s.refreshMarginSecs);
    const proxy = h('input', { id: 'https-proxy', value: s.httpsProxy ?? '', placeholder: 'http://proxy.example.com:3128' });
    const ca = h('input', { id: 'extra-ca', value: s.extraCaFile ?? '', readonly: true, placeholder: 'None' });
    const login = h('input', { type: 'checkbox', id: 'start-at-login', checked: s.startAtLogin });
    const autostartProblem = h('p', { class: 'warn-text', id: 'autostart-problem', role: 'status' }, s.autostartProblem ?? '');
    const logLevel = h('select', { id: 'log-level' }, ...LOG_LEVELS.map((l) => h('option', { value: l, selected: s.logLevel === l }, l)));
    const problem = h('p', { class: 'problem', role: 'alert' });
    const form = h(
      'form',
      { id: 'settings-form' },
      field('Clear the clipboard after (seconds)', clear, 'Only if it still holds what LakeKey copied.'),
      field('Refresh tokens this long before they expire (seconds)', margin),
      field('HTTPS proxy', proxy, 'Empty: use HTTPS_PROXY / NO_PROXY from the environment.'),
      h('div', { class: 'picker' }, field('Extra CA certificate file', ca), h('button', { type: 'button', id: 'pick-ca', onclick: async () => { const p = await api.pickFile('ca').catch(() => null); if (p) ca.value = p; } }, 'Choose…'), h('button', { type: 'button', onclick: () => (ca.value = '') }, 'Clear')),
      h('label', { class: 'check' }, login, ' Start LakeKey when I log in'),
      autostartProblem,
      h(
        'div',
        { class: 'picker' },
        field('Log detail', logLevel, `The log never holds a token, PAT or key.${s.logDir ? ` Folder: ${s.logDir}` : ''}`),
        h('button', { type: 'button', id: 'open-log-folder', onclick: () => void api.openLogFolder().catch((err) => this.showError(asIpcError(err))) }, 'Open log folder'),
      ),
      problem,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-settings' }, 'Save settings')),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const saved = await api.saveSettings({
          ...s,
          clipboardClearSecs: Number(clear.value),
          refreshMarginSecs: Number(margin.value),
          httpsProxy: proxy.value || null,
          extraCaFile: ca.value || null,
          startAtLogin: login.checked,
          logLevel: logLevel.value,
          autostartProblem: null,
        });
        problem.textContent = '';
        autostartProblem.textContent = saved.autostartProblem ?? '';
        this.toast(saved.autostartProblem ? 'Settings saved, but start at login could not be changed.' : 'Settings saved.');
      } catch (err) {
        problem.textContent = asIpcError(err).message;
      }
    });
    return h('section', { 'aria-labelledby': 'settings-title' }, h('h2', { id: 'settings-title' }, 'Settings'), form);
  }

  // ---- shared -----------------------------------------------------------------------------

  isDemo(profile: string): boolean {
    return this.profiles.find((p) => p.name === profile)?.demo ?? false;
  }

  errorBox(e: IpcError): HTMLElement {
    return h('div', { class: 'error-box', role: 'alert' }, h('h2', {}, errorTitle(e)), h('p', {}, e.message), e.hint ? h('p', { class: 'help' }, e.hint) : null);
  }

  showError(e: IpcError): void {
    this.toast(`${errorTitle(e)}: ${e.message}${e.hint ? ` ${e.hint}` : ''}`, { kind: 'error' });
  }

  async run(f: () => Promise<unknown>): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.showError(asIpcError(e));
    }
  }

  /** A message in the toast: `status` is announced politely, `error` at once (role=alert). */
  toast(text: string, { keep = false, kind = 'status' }: { keep?: boolean; kind?: 'status' | 'error' } = {}): void {
    const part = (id: string) => this.toastEl.querySelector<HTMLElement>(`#${id}`);
    window.clearInterval(this.clipboardTimer);
    const text_ = part('toast-text');
    const alert = part('toast-alert');
    const countdown = part('toast-countdown');
    if (text_) text_.textContent = kind === 'status' ? text : '';
    if (alert) alert.textContent = kind === 'error' ? text : '';
    if (countdown) countdown.textContent = '';
    this.toastEl.classList.toggle('is-error', kind === 'error');
    // Never `hidden`: screen readers announce changes only in live regions that are rendered
    // when their text changes, so the toast is merely visually hidden when it has nothing to say.
    this.toastEl.classList.add('is-shown');
    window.clearTimeout(Number(this.toastEl.dataset.timer));
    if (!keep) this.toastEl.dataset.timer = String(window.setTimeout(() => this.hideToast(), kind === 'error' ? 12000 : 6000));
  }

  hideToast(): void {
    this.toastEl.classList.remove('is-shown');
    for (const id of ['toast-text', 'toast-alert', 'toast-countdown']) {
      const part = this.toastEl.querySelector<HTMLElement>(`#${id}`);
      if (part) part.textContent = '';
    }
  }

  renderBanner(): void {
    const demo = this.profiles.some((p) => p.demo);
    replace(this.banner, demo ? h('p', { class: 'demo-banner' }, 'DEMO environment active: profiles marked DEMO talk to a demo identity provider inside LakeKey, not to Lake.') : null);
  }

  /**
   * Wakes only as often as the screen needs: every second while a code countdown shows, every
   * 30 s while expiry labels (minute resolution) show, never while hidden or with nothing to count.
   */
  scheduleTick(): void {
    window.clearTimeout(this.tickTimer);
    if (document.hidden) return;
    const everySecond = this.main.querySelector('[data-countdown]') !== null;
    const labels = this.main.querySelector('.state[data-expires]:not([data-expires=""])') !== null;
    if (!everySecond && !labels) return;
    this.tickTimer = window.setTimeout(() => {
      this.tick();
      this.scheduleTick();
    }, everySecond ? 1000 : 30000);
  }

  /** Live countdowns without re-rendering (inputs keep focus). */
  tick(): void {
    const now = nowSecs();
    this.main.querySelectorAll<HTMLElement>('[data-countdown]').forEach((el) => {
      const at = Number(el.dataset.countdown);
      if (at) el.textContent = clock(at - now);
    });
    this.main.querySelectorAll<HTMLElement>('.state[data-profile]').forEach((el) => {
      const p = this.profiles.find((x) => x.name === el.dataset.profile);
      if (p) el.textContent = stateLabel(p, now);
    });
  }

  /** Ctrl+Shift+C / B / P copy token, header or Python snippet of the default environment. */
  onKey(e: KeyboardEvent): void {
    if (!(e.ctrlKey || e.metaKey) || !e.shiftKey) return;
    const format = ({ c: 'token', b: 'header', p: 'snippet' } as Record<string, CopyFormat>)[e.key.toLowerCase()];
    if (!format) return;
    const target = this.profiles.find((p) => p.isDefault && p.state === 'signed_in') ?? this.profiles.find((p) => p.state === 'signed_in');
    if (!target) return this.toast('No signed-in environment to copy from.');
    e.preventDefault();
    void this.copy(target.name, format);
  }
}

export function methodLabel(m: Method): string {
  return m === 'device' ? 'Browser sign-in (device code)' : m === 'pat' ? 'Personal access token + key' : 'Pasted token';
}

function idpLabel(v: Idp): string {
  return { vcl: 'VantageCloud Lake (default)', keycloak: 'Keycloak', ping: 'Ping Federate', custom: 'Other OpenID provider' }[v];
}
