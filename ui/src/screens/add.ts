// Adding or editing an environment: the base URL gives most of the rest, previewed as it is typed.

import { api, asIpcError } from '../api';
import { field, h, replace } from '../dom';
import { idpLabel, methodLabel } from '../labels';
import type { Shell } from '../shell';
import type { Idp, Method, Profile, ProfileView } from '../types';

export function addView(shell: Shell, edit?: ProfileView): HTMLElement {
  const i = edit?.input;
  const input = (id: string, value = '', attrs: Record<string, string> = {}) => h('input', { id, value, autocomplete: 'off', spellcheck: 'false', ...attrs });
  const baseUrl = input('base-url', i?.base_url ?? '', { type: 'url', required: 'true', placeholder: 'https://<org>.<domain>/api/accounts/<environment id>' });
  const name = input('profile-name', edit?.name ?? '', { required: 'true', pattern: '[A-Za-z0-9_.\\-]{1,64}' });
  const method = h('select', { id: 'method' }, ...(['device', 'browser', 'pat', 'token'] as Method[]).map((m) => h('option', { value: m, selected: (i?.method ?? 'device') === m }, methodLabel(m))));
  const idp = h('select', { id: 'idp' }, ...(['vcl', 'keycloak', 'ping', 'custom'] as Idp[]).map((v) => h('option', { value: v, selected: (i?.idp ?? 'vcl') === v }, idpLabel(v))));
  const issuer = input('issuer', i?.issuer ?? '');
  const realm = input('realm', i?.realm ?? '', { placeholder: 'teradata' });
  const clientId = input('client-id', i?.client_id ?? '');
  const scope = input('scope', i?.scope ?? '', { placeholder: 'openid' });
  const username = input('username', i?.username ?? '');
  const orgId = input('org-id', i?.org_id ?? '');
  const kid = input('kid', i?.kid ?? '');
  const expiration = input('expiration', i?.expiration_time ? String(i.expiration_time) : '', { inputmode: 'numeric', placeholder: '31536000' });
  const makeDefault = h('input', { type: 'checkbox', id: 'make-default', checked: edit ? edit.isDefault : shell.profiles.length === 0 });
  const derived = h('dl', { class: 'derived', id: 'derived', 'aria-live': 'polite' });
  const problem = h('p', { class: 'problem', id: 'add-problem', role: 'alert' });
  let nameTouched = !!edit;
  name.addEventListener('input', () => (nameTouched = true));

  // The engine's own Profile (bindings.ts): the shape stated once, in src/profile.rs. On an edit,
  // what the form does not show (valid_from, from `lakekey profile add --valid-from`) is kept.
  const read = (): Profile => ({
    ...i,
    base_url: baseUrl.value,
    method: method.value as Method,
    idp: idp.value as Idp,
    issuer: issuer.value || null,
    realm: realm.value || null,
    client_id: clientId.value || null,
    scope: scope.value || null,
    username: username.value || null,
    org_id: orgId.value || null,
    kid: kid.value || null,
    expiration_time: expiration.value ? Number(expiration.value) : null,
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
      if (!nameTouched) name.value = d.suggestedName;
    } catch (e) {
      replace(derived);
      problem.textContent = asIpcError(e).message;
    }
  };
  for (const el of [baseUrl, idp, issuer, realm, clientId, scope, orgId]) el.addEventListener('input', () => void preview());
  // The method too: Lake's own identity provider refuses the browser sign-in (said by the engine).
  for (const el of [idp, method]) el.addEventListener('change', () => void preview());
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
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-profile' }, edit ? 'Save' : 'Add environment'), h('button', { type: 'button', onclick: () => shell.go({ kind: 'profiles' }) }, 'Cancel')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.saveProfile(name.value, read(), makeDefault.checked);
      await shell.reload();
      const saved = shell.profiles.find((p) => p.name === name.value.trim());
      if (!edit && saved && saved.state === 'needs_sign_in') shell.signIn(saved);
      else shell.go({ kind: 'profiles' });
    } catch (err) {
      problem.textContent = asIpcError(err).message;
    }
  });
  return h('section', { 'aria-labelledby': 'add-title' }, h('h2', { id: 'add-title' }, edit ? `Edit ${edit.name}` : 'Add a Lake environment'), form);
}
