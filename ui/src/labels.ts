// Words and messages more than one screen shows.

import { h } from './dom';
import { errorTitle } from './format';
import type { Idp, IpcError, Method } from './types';

export function methodLabel(m: Method): string {
  return { device: 'Sign-in code (device flow)', browser: 'Browser on this computer (one click)', pat: 'Personal access token + key', token: 'Pasted token' }[m];
}

export function idpLabel(v: Idp): string {
  return { vcl: 'VantageCloud Lake (default)', keycloak: 'Keycloak', ping: 'Ping Federate', custom: 'Other OpenID provider' }[v];
}

/** An error in one line: what kind, the engine's sentence, and its hint. */
export function errorText(e: IpcError): string {
  return `${errorTitle(e)}: ${e.message}${e.hint ? ` ${e.hint}` : ''}`;
}

/** An error in place of a screen's content. */
export function errorBox(e: IpcError): HTMLElement {
  return h('div', { class: 'error-box', role: 'alert' }, h('h2', {}, errorTitle(e)), h('p', {}, e.message), e.hint ? h('p', { class: 'help' }, e.hint) : null);
}
