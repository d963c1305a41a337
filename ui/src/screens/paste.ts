// Pasting a token obtained elsewhere, for profiles whose method is a pasted token.

import { api, asIpcError } from '../api';
import { field, h } from '../dom';
import type { Shell } from '../shell';

export function pasteView(shell: Shell, profile: string): HTMLElement {
  const token = h('textarea', { id: 'paste-token', rows: 5, spellcheck: 'false', autocomplete: 'off' });
  const problem = h('p', { class: 'problem', role: 'alert' });
  const form = h(
    'form',
    { id: 'paste-form' },
    field('Token (JWT)', token, 'It is stored in your keychain; LakeKey reads its expiry for the status.'),
    problem,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save token'), h('button', { type: 'button', onclick: () => shell.go({ kind: 'profiles' }) }, 'Cancel')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const notes = await api.importToken(profile, token.value);
      token.value = '';
      await shell.reload();
      shell.go({ kind: 'profiles' });
      shell.toast([`Stored the token for ${profile}.`, ...(notes ?? [])].join(' '), { keep: (notes ?? []).length > 0 });
    } catch (err) {
      problem.textContent = asIpcError(err).message;
    }
  });
  return h('section', { 'aria-labelledby': 'paste-title' }, h('h2', { id: 'paste-title' }, `Paste a token for ${profile}`), form);
}
