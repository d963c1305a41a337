// LakeKey's shell: which screen shows, toasts, timers, keyboard shortcuts and the Rust shell's
// events. Each screen lives in screens/; the Rust shell does all auth work and never sends a token.

import { Idiomorph } from 'idiomorph';
import { api, asIpcError, events } from './api';
import { h, replace } from './dom';
import { clock, duration, nowSecs, stateLabel } from './format';
import { errorText } from './labels';
import { addView } from './screens/add';
import { detailsView } from './screens/details';
import { DeviceSignIn } from './screens/device';
import { pasteView } from './screens/paste';
import { patView } from './screens/pat';
import { copy, profilesAction, profilesView } from './screens/profiles';
import { settingsView } from './screens/settings';
import type { Screen, Shell, ToastOptions } from './shell';
import type { CopyFormat, DemoInfo, IpcError, ProfileView } from './types';

export class App implements Shell {
  profiles: ProfileView[] = [];
  screen: Screen = { kind: 'profiles' };
  demo: DemoInfo | null = null;
  loadError: IpcError | null = null;
  private device = new DeviceSignIn(this);
  private clipboardTimer: number | undefined;
  private tickTimer: number | undefined;
  /** The screen now in `main`: the same screen is updated in place, another one replaces it. */
  private shown: Screen | null = null;

  constructor(private main: HTMLElement, private toastEl: HTMLElement, private banner: HTMLElement) {}

  async start(): Promise<void> {
    await events.onProfilesChanged((profiles) => void this.reload(profiles ?? undefined));
    await events.onDevice((p) => this.device.onEvent(p.profile, p.event, p.qr ?? undefined, p.notes));
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

  signIn(p: ProfileView): void {
    const method = p.input.method;
    if (method === 'device' || method === 'browser') this.device.start(p.name);
    else if (method === 'pat') this.go({ kind: 'pat', profile: p.name });
    else this.go({ kind: 'paste', profile: p.name });
  }

  private renderScreen(): void {
    const s = this.screen;
    switch (s.kind) {
      case 'profiles':
        return this.show(profilesView(this));
      case 'add':
        return replace(this.main, addView(this, s.edit));
      case 'device':
        return this.show(this.device.view());
      case 'pat':
        return replace(this.main, patView(this, s.profile));
      case 'paste':
        return replace(this.main, pasteView(this, s.profile));
      case 'details':
        return this.showLoaded(s, detailsView(this, s.profile));
      case 'settings':
        return this.showLoaded(s, settingsView(this));
    }
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

  /** A screen that asks the Rust shell first; dropped if the user moved on meanwhile. */
  private showLoaded(s: Screen, view: Promise<HTMLElement>): void {
    replace(this.main, h('p', {}, 'Loading…'));
    void view.then((v) => this.screen === s && replace(this.main, v));
  }

  /** Clicks on `data-action` buttons of the screens that update in place. */
  private onAction(e: Event): void {
    const button = (e.target as Element | null)?.closest<HTMLElement>('[data-action]');
    if (!button || !this.main.contains(button)) return;
    if (this.screen.kind === 'profiles') profilesAction(this, button);
    else if (this.screen.kind === 'device') this.device.act(button);
  }

  showError(e: IpcError): void {
    this.toast(errorText(e), { kind: 'error' });
  }

  async run(f: () => Promise<unknown>): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.showError(asIpcError(e));
    }
  }

  /** A message in the toast: `status` is announced politely, `error` at once (role=alert). */
  toast(text: string, { keep = false, kind = 'status', countdownTo }: ToastOptions = {}): void {
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
    if (countdownTo === undefined) return;
    const tick = () => {
      const left = countdownTo - nowSecs();
      if (countdown) countdown.textContent = left > 0 ? `(${duration(left)})` : '';
      if (left <= 0) window.clearInterval(this.clipboardTimer);
    };
    tick();
    this.clipboardTimer = window.setInterval(tick, 1000);
  }

  private hideToast(): void {
    this.toastEl.classList.remove('is-shown');
    for (const id of ['toast-text', 'toast-alert', 'toast-countdown']) {
      const part = this.toastEl.querySelector<HTMLElement>(`#${id}`);
      if (part) part.textContent = '';
    }
  }

  private renderBanner(): void {
    const demo = this.profiles.some((p) => p.demo);
    replace(this.banner, demo ? h('p', { class: 'demo-banner' }, 'DEMO environment active: profiles marked DEMO talk to a demo identity provider inside LakeKey, not to Lake.') : null);
  }

  /**
   * Wakes only as often as the screen needs: every second while a code countdown shows, every
   * 30 s while expiry labels (minute resolution) show, never while hidden or with nothing to count.
   */
  private scheduleTick(): void {
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
  private tick(): void {
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
  private onKey(e: KeyboardEvent): void {
    if (!(e.ctrlKey || e.metaKey) || !e.shiftKey) return;
    const format = ({ c: 'token', b: 'header', p: 'snippet' } as Record<string, CopyFormat>)[e.key.toLowerCase()];
    if (!format) return;
    const target = this.profiles.find((p) => p.isDefault && p.state === 'signed_in') ?? this.profiles.find((p) => p.state === 'signed_in');
    if (!target) return this.toast('No signed-in environment to copy from.');
    e.preventDefault();
    void copy(this, target.name, format);
  }
}
