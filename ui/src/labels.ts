// Words and messages more than one screen shows.

import { h } from './dom';
import { errorTitle } from './format';
import type { Action, Idp, IpcError, Method } from './types';

export function methodLabel(m: Method): string {
  return { device: 'Sign-in code (device flow)', browser: 'Browser on this computer (one click)', pat: 'Personal access token + key', token: 'Pasted token' }[m];
}

export function idpLabel(v: Idp): string {
  return { vcl: 'VantageCloud Lake (default)', keycloak: 'Keycloak', ping: 'Ping Federate', custom: 'Other OpenID provider' }[v];
}

/** What the user can do about an error, in this app's terms (the CLI names a command instead). */
export function actionText(a: Action): string {
  const env = (p: string | null) => (p ? `“${p}”` : 'the environment');
  switch (a.kind) {
    case 'sign_in':
      return a.pat ? `Click Sign in for ${env(a.profile)} and choose your PAT and key again.` : `Click Sign in for ${env(a.profile)}.`;
    case 'sign_in_or_forget':
      return `Click Sign in for ${env(a.profile)} to replace what is stored, or Sign out to forget it.`;
    case 'forget_locally':
      return `Click Sign out for ${env(a.profile)} and choose to forget the credentials on this computer.`;
    case 'choose_profile':
      return 'Choose an environment in the list, or make one the default.';
    case 'list_profiles':
      return 'Check the environments in the list, or add this one.';
    case 'add_profile':
      return 'Add an environment.';
    case 'sign_out_unused':
      return 'Sign out of environments you no longer use.';
    case 'run_outside_container':
      return 'Run LakeKey on the host, outside the container, and pass the token in.';
  }
}

/** An error in one line: what kind, the engine's sentence, its hint and what to click. */
export function errorText(e: IpcError): string {
  const what = [e.hint, e.action ? actionText(e.action) : null].filter(Boolean).join(' ');
  return `${errorTitle(e)}: ${e.message}${what ? ` ${what}` : ''}`;
}

/** An error in place of a screen's content. */
export function errorBox(e: IpcError): HTMLElement {
  return h(
    'div',
    { class: 'error-box', role: 'alert' },
    h('h2', {}, errorTitle(e)),
    h('p', {}, e.message),
    e.hint ? h('p', { class: 'help' }, e.hint) : null,
    e.action ? h('p', { class: 'help' }, actionText(e.action)) : null,
  );
}
