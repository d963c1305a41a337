// Signing in with a personal access token and its PEM key, chosen with the native file picker.

import { api, asIpcError } from '../api';
import { field, h, replace } from '../dom';
import { errorText } from '../labels';
import type { Shell } from '../shell';

export function patView(shell: Shell, profile: string): HTMLElement {
  const p = shell.profiles.find((x) => x.name === profile);
  const demo = shell.demo && shell.demo.patProfile === profile ? shell.demo : null;
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
    const path = await api.pickFile(kind).catch((e) => (shell.showError(asIpcError(e)), null));
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
  const actions = h('div', { class: 'actions', id: 'pat-actions' }, h('button', { type: 'submit', class: 'primary', id: 'pat-submit' }, 'Sign in'), h('button', { type: 'button', onclick: () => shell.go({ kind: 'profiles' }) }, 'Cancel'));
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
        h('p', { id: 'pat-key-file' }, keyFileAdvice(r.key_file_needed)),
        r.store_notice ? h('p', { class: 'store-notice', id: 'pat-store-notice' }, r.store_notice) : null,
        ...r.warnings.map((w) => h('p', { class: 'warn-text' }, w)),
        h('button', { type: 'button', class: 'primary', id: 'pat-done', onclick: () => shell.go({ kind: 'profiles' }) }, 'Done'),
      );
      inputs.hidden = true;
      actions.hidden = true;
      form.querySelector<HTMLElement>('#pat-done')?.focus();
      await shell.reload();
    } catch (err) {
      problem.textContent = errorText(asIpcError(err));
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'pat-title' },
    h('h2', { id: 'pat-title' }, `Sign in to ${profile} with a PAT`),
    p?.demo ? h('p', { class: 'badge demo' }, 'DEMO — the demo PAT and key are already chosen') : null,
    form,
  );
}

/** Whether the PEM file is still needed: where the keychain forgets at restart, it is. */
export function keyFileAdvice(keyFileNeeded: boolean): string {
  return keyFileNeeded
    ? 'Keep the PEM file: the private key is in the Linux kernel keyring, which forgets it when the machine restarts; then import it again.'
    : 'The private key is now in your keychain: LakeKey no longer needs the PEM file. You may delete it or keep it somewhere safe.';
}
