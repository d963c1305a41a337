// The app's settings: clipboard clear time, refresh margin, proxy, extra CA, start at login, log detail.

import { api, asIpcError } from '../api';
import { field, h } from '../dom';
import { errorBox } from '../labels';
import type { Shell } from '../shell';
import type { Settings } from '../types';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'];

export async function settingsView(shell: Shell): Promise<HTMLElement> {
  let s: Settings;
  try {
    s = await api.getSettings();
  } catch (e) {
    return errorBox(asIpcError(e));
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
      h('button', { type: 'button', id: 'open-log-folder', onclick: () => void api.openLogFolder().catch((err) => shell.showError(asIpcError(err))) }, 'Open log folder'),
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
      shell.toast(saved.autostartProblem ? 'Settings saved, but start at login could not be changed.' : 'Settings saved.');
    } catch (err) {
      problem.textContent = asIpcError(err).message;
    }
  });
  return h('section', { 'aria-labelledby': 'settings-title' }, h('h2', { id: 'settings-title' }, 'Settings'), form);
}
