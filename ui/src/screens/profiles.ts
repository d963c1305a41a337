// The environments list (a welcome instead when there are none), its cards and what their buttons do.
// Updated in place by the shell, so its buttons act through `data-action`, read at click time.

import { api, asIpcError } from '../api';
import { h } from '../dom';
import { duration, nowSecs, stateLabel, stateTone } from '../format';
import { errorBox, methodLabel } from '../labels';
import type { Shell } from '../shell';
import type { CopyFormat, ProfileView } from '../types';

export function profilesView(shell: Shell): HTMLElement {
  if (shell.loadError) return errorBox(shell.loadError);
  if (shell.profiles.length === 0) return welcomeView();
  return h(
    'section',
    { 'aria-labelledby': 'profiles-title' },
    h('h2', { id: 'profiles-title' }, 'Environments'),
    h('ul', { class: 'cards', id: 'profile-list' }, ...shell.profiles.map((p) => card(p))),
  );
}

function welcomeView(): HTMLElement {
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

function card(p: ProfileView): HTMLElement {
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
    actions.append(button('sign-in', p.input.method === 'browser' ? 'Sign in with browser' : 'Sign in', { class: 'primary' }));
  }
  if (!p.isDefault) actions.append(button('default', 'Make default'));
  actions.append(button('edit', 'Edit'), button('remove', 'Remove', { class: 'danger' }));
  return h(
    'li',
    { class: `card${p.demo ? ' is-demo' : ''}`, id: `card-${p.name}`, 'data-name': p.name, 'aria-labelledby': `card-title-${p.name}` },
    title,
    h('p', { class: 'url' }, p.input.base_url),
    h('p', { class: 'meta' }, state, ' · ', methodLabel(p.input.method), p.validation === 'not_validated' ? ' · not validated by Lake' : ''),
    p.problem ? h('p', { class: 'problem', role: 'alert' }, p.problem) : null,
    p.error ? h('p', { class: 'problem', role: 'alert' }, p.error) : null,
    actions,
  );
}

/** A click on one of the list's `data-action` buttons. */
export function profilesAction(shell: Shell, button: HTMLElement): void {
  const name = button.dataset.profileName ?? '';
  const profile = shell.profiles.find((p) => p.name === name);
  switch (button.dataset.action) {
    case 'add':
      return shell.go({ kind: 'add' });
    case 'demo':
      return void startDemo(shell);
    case 'copy-token':
    case 'copy-header':
    case 'copy-snippet':
    case 'copy-lakekey':
      return void copy(shell, name, button.dataset.copy as CopyFormat);
    case 'details':
      return shell.go({ kind: 'details', profile: name });
    case 'sign-out':
      return void signOut(shell, name);
    case 'sign-in':
      if (profile) shell.signIn(profile);
      return;
    case 'default':
      return void shell.run(() => api.setDefault(name));
    case 'edit':
      if (profile) shell.go({ kind: 'add', edit: profile });
      return;
    case 'remove':
      return void remove(shell, name);
  }
}

/** Copies through Rust (the webview never holds the token); also the keyboard shortcuts' action. */
export async function copy(shell: Shell, name: string, format: CopyFormat): Promise<void> {
  try {
    const { clearsIn, shortLived } = await api.copy(name, format);
    const what = { token: 'Token', header: 'Authorization header', snippet: 'Python line', lakekey: 'Notebook line' }[format];
    const note = shortLived ? ` ${shortLived}` : '';
    if (clearsIn === null) {
      shell.toast(`${what} copied for ${name}. Paste it after create_context().`);
      return;
    }
    // Announced once; the countdown beside it is shown, not read out every second.
    shell.toast(`${what} copied for ${name}; the clipboard clears in ${duration(clearsIn)}.${note}`, { keep: true, countdownTo: nowSecs() + clearsIn });
  } catch (e) {
    shell.showError(asIpcError(e));
  }
}

async function signOut(shell: Shell, name: string): Promise<void> {
  try {
    const revoked = await api.signOut(name);
    shell.toast(revoked ? `Signed out of ${name}; the sign-in was revoked.` : `Signed out of ${name}.`);
  } catch (e) {
    const err = asIpcError(e);
    // The engine says when forgetting without revoking is the way out (it could not revoke).
    if (err.action?.kind === 'forget_locally' && window.confirm(`${err.message}\n\nForget the credentials on this computer without revoking?`)) {
      await shell.run(() => api.signOut(name, true));
    } else {
      shell.showError(err);
    }
  }
  await shell.reload();
}

async function remove(shell: Shell, name: string): Promise<void> {
  if (!window.confirm(`Remove ${name} and its credentials from this computer?`)) return;
  await shell.run(() => api.removeProfile(name));
  await shell.reload();
}

async function startDemo(shell: Shell): Promise<void> {
  try {
    shell.demo = await api.startDemo();
    await shell.reload();
    shell.toast('Demo environment ready: two DEMO profiles were added.');
  } catch (e) {
    shell.showError(asIpcError(e));
  }
}
