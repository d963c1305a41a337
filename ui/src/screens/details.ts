// A token's details: validity, header and claims. The PAT claim and the signature never reach the webview.

import { api, asIpcError } from '../api';
import { h } from '../dom';
import { epochToLocal } from '../format';
import { errorBox } from '../labels';
import type { Shell } from '../shell';

export async function detailsView(shell: Shell, profile: string): Promise<HTMLElement> {
  try {
    const d = await api.tokenDetails(profile);
    const pre = (v: unknown) => h('pre', { class: 'json', tabindex: 0 }, JSON.stringify(v, null, 2));
    return h(
      'section',
      { 'aria-labelledby': 'details-title' },
      h('h2', { id: 'details-title' }, `Token for ${profile}`),
      h(
        'dl',
        { class: 'derived' },
        h('dt', {}, 'Valid from'),
        h('dd', { id: 'details-valid-from' }, validFrom(d.validFrom)),
        h('dt', {}, 'Expires'),
        h('dd', {}, epochToLocal(d.expiresAt)),
        h('dt', {}, 'Token'),
        h('dd', { class: 'mono' }, d.preview ?? '—'),
        h('dt', {}, 'Kept in'),
        h('dd', { id: 'details-store' }, d.store),
      ),
      d.storeNotice ? h('p', { class: 'store-notice', id: 'details-store-notice' }, d.storeNotice) : null,
      h('h3', {}, 'Header'),
      pre(d.header),
      h('h3', {}, 'Claims'),
      h('p', { class: 'help' }, 'The PAT claim and the signature are never shown.'),
      pre(d.claims),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => shell.go({ kind: 'profiles' }) }, 'Back')),
    );
  } catch (e) {
    return errorBox(asIpcError(e));
  }
}

/** `iat: 0` is how teradataml signs PAT tokens: not "1/1/1970" but no lower bound at all. */
export function validFrom(secs: number | null | undefined): string {
  return secs === 0 ? 'Any time (the token sets no start: iat 0, as teradataml signs PAT tokens)' : epochToLocal(secs);
}
