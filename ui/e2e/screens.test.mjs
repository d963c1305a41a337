// The built UI in a real browser (Debian's Chromium via playwright-core) with the Rust shell
// mocked at the IPC boundary. Walks every screen, checks what matters on it, and saves a
// screenshot of each under target/screenshots/. Run with: node --test ui/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
// Under target/ (a test run leaves the checkout as it was); scripts/update-screenshots copies them
// into docs/screenshots when the README's pictures should change.
const shots = process.env.LAKEKEY_SCREENSHOTS ?? join(here, '..', '..', 'target', 'screenshots');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

let server;
let base;
let browser;
let profileDir;

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'build the UI first (npm run build in ui/)');
  await mkdir(shots, { recursive: true });
  server = http.createServer(async (req, res) => {
    const path = join(dist, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/$/, '/index.html'));
    try {
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}/`;
  profileDir = mkdtempSync(join(tmpdir(), 'lakekey-ui-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 900, height: 680 },
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'disabled:' },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

// The mocked shell, injected before the page's scripts: the same IPC surface the UI uses.
function mockShell(fixtures) {
  const callbacks = new Map();
  const listeners = {};
  let next = 1;
  window.__calls = [];
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener() {} };
  window.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: 'main' }, currentWebview: { windowLabel: 'main', label: 'main' } },
    transformCallback(cb) {
      const id = next++;
      callbacks.set(id, cb);
      return id;
    },
    unregisterCallback(id) {
      callbacks.delete(id);
    },
    async invoke(cmd, args) {
      window.__calls.push({ cmd, args });
      if (cmd === 'plugin:event|listen') {
        (listeners[args.event] ??= []).push(args.handler);
        return args.handler;
      }
      if (cmd.startsWith('plugin:')) return null;
      const f = fixtures[cmd];
      if (f === undefined) return null;
      if (f && f.__error) throw f.__error;
      return typeof f === 'string' && f.startsWith('fn:') ? new Function('args', f.slice(3))(args) : f;
    },
  };
  window.__emit = (event, payload) => (listeners[event] ?? []).forEach((id) => callbacks.get(id)?.({ event, id, payload }));
}

const now = Math.floor(Date.now() / 1000);
const profiles = [
  { name: 'acme-prod', isDefault: true, demo: false, input: { method: 'device', idp: 'vcl', base_url: 'https://acme.innovationlabs.teradata.com/api/accounts/3f6e1c2a-1111-2222-3333-444455556666' }, derived: null, state: 'signed_in', expiresAt: now + 3300, canRefresh: true, validation: null, tokenPreview: 'eyJh…x9Qk', problem: null, error: null },
  { name: 'acme-pat', isDefault: false, demo: false, input: { method: 'pat', idp: 'vcl', base_url: 'https://acme.innovationlabs.teradata.com/api/accounts/9a8b7c6d-0000-1111-2222-333344445555', username: 'ANALYST' }, derived: null, state: 'signed_in', expiresAt: now + 31535000, canRefresh: true, validation: 'accepted', tokenPreview: 'eyJh…Zt3w', problem: null, error: null },
  { name: 'globex-eu', isDefault: false, demo: false, input: { method: 'device', idp: 'vcl', base_url: 'https://globex.example.com/api/accounts/e2' }, derived: null, state: 'refresh_failing', expiresAt: now + 40, canRefresh: true, validation: null, tokenPreview: 'eyJh…Aa0c', problem: 'Could not reach the identity provider\'s token endpoint (refresh) at globex.example.com: no answer within 30 s.', error: null },
  { name: 'demo-device', isDefault: false, demo: true, input: { method: 'device', idp: 'vcl', base_url: 'http://127.0.0.1:41234/api/accounts/demo-environment' }, derived: null, state: 'needs_sign_in', expiresAt: null, canRefresh: false, validation: null, tokenPreview: null, problem: null, error: null },
];
// The engine's own QR code of the demo address (src/qr_code.rs keeps this file equal to its output):
// the screenshot shows a code a phone can scan, and the test below reads it back.
const qr = 'data:image/svg+xml;base64,' + readFileSync(join(here, 'device-qr.svg')).toString('base64');
const fixtures = {
  app_info: { version: '0.1.0', demoRunning: false, configDir: '/home/analyst/.config/lakekey' },
  list_profiles: profiles,
  preview_profile: 'fn:return { suggestedName: "acme", baseUrl: args.input.base_url.replace(/\\/$/, ""), orgId: "acme", envId: "3f6e1c2a-1111-2222-3333-444455556666", issuer: args.input.base_url.replace(/\\/$/, "") + "/auth", clientId: "acme-oaf-device", scope: "openid" }',
  token_details: { header: { alg: 'RS256', kid: 'key1', typ: 'JWT' }, claims: { aud: ['td:service:authentication'], exp: now + 31535000, iss: 'teradataml', 'multi-use': true, org_id: 'acme', sub: 'ANALYST', iat: 0 }, validFrom: 0, expiresAt: now + 31535000, preview: 'eyJh…Zt3w', store: 'the desktop keychain (Secret Service)', storeNotice: null },
  get_settings: { clipboardClearSecs: 45, refreshMarginSecs: 120, httpsProxy: null, extraCaFile: null, startAtLogin: false, logLevel: 'info', autostartProblem: null, logDir: '/home/analyst/.local/share/dev.lakekey.desktop/logs' },
  copy: { clearsIn: 45, shortLived: null },
  pick_file: 'fn:return args.kind === "pem" ? "/home/analyst/keys/key1.pem" : "/home/analyst/keys/pat.txt"',
  inspect_key: { encrypted: true, kid: 'key1', warning: null },
  import_pat: { validation: 'accepted', kid: 'key1', username: 'ANALYST', not_validated_because: null, warnings: [] },
};

async function open(fx = fixtures, scheme = 'light') {
  const page = await browser.newPage();
  await page.emulateMedia({ colorScheme: scheme });
  await page.addInitScript(mockShell, fx);
  await page.goto(base);
  return page;
}

const shot = (page, name) => page.screenshot({ path: join(shots, `${name}.png`) });

/** axe-core on the page as it is: no serious or critical violation (WCAG 2.x A and AA rules). */
async function accessible(page, screen) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axeSource });
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${screen}: accessibility violations`,
  );
}

test('first run offers to add an environment or try the demo', async () => {
  const page = await open({ ...fixtures, list_profiles: [] });
  await page.getByRole('button', { name: 'Try the demo (no Lake account needed)' }).waitFor();
  assert.equal(await page.locator('#welcome-add').isVisible(), true);
  await shot(page, '01-first-run');
  await accessible(page, '01-first-run');
  await page.close();
});

test('the environments list shows states, the demo mark and copy actions', async () => {
  for (const scheme of ['light', 'dark']) {
    const page = await open(fixtures, scheme);
    await page.locator('[data-name="acme-prod"]').waitFor();
    assert.match(await page.locator('[data-name="acme-prod"] .state').innerText(), /Signed in · expires in 5[45] min/);
    assert.equal(await page.locator('[data-name="globex-eu"] .state').innerText(), 'Refresh failing');
    assert.equal(await page.locator('[data-name="demo-device"] .badge.demo').innerText(), 'DEMO');
    assert.ok(!(await page.content()).includes('eyJhbGci'), 'no token in the page');
    await page.locator('[data-name="acme-prod"] [data-copy="token"]').click();
    await page.locator('#toast', { hasText: 'the clipboard clears in' }).waitFor();
    await shot(page, scheme === 'light' ? '02-environments' : '02-environments-dark');
    await accessible(page, `environments (${scheme})`);
    await page.close();
  }
});

test('adding an environment shows what the base URL gives', async () => {
  const page = await open();
  await page.getByRole('button', { name: 'Add environment' }).first().click();
  await page.getByLabel('Base URL').fill('https://acme.innovationlabs.teradata.com/api/accounts/3f6e1c2a-1111-2222-3333-444455556666/');
  await page.locator('#derived', { hasText: 'acme-oaf-device' }).waitFor();
  await page.locator('#advanced summary').click();
  assert.equal(await page.getByLabel('Profile name').inputValue(), 'acme');
  await shot(page, '03-add-environment');
  await accessible(page, '03-add-environment');
  await page.close();
});

test('the device sign-in shows the code large, a QR code and a countdown', async () => {
  const page = await open();
  await page.locator('[data-name="demo-device"] [data-action="sign-in"]').click();
  await page.evaluate(
    ([qr]) =>
      window.__emit('device-event', {
        profile: 'demo-device',
        event: { event: 'code', user_code: 'BXRT-KMQW', verification_uri: 'http://127.0.0.1:41234/api/accounts/demo-environment/auth/activate', verification_uri_complete: 'http://127.0.0.1:41234/api/accounts/demo-environment/auth/activate?user_code=BXRT-KMQW', expires_in: 600, expires_at: Math.floor(Date.now() / 1000) + 600, interval: 2, context: { host: 'ANALYST-LAPTOP', environment: 'http://127.0.0.1:41234/api/accounts/demo-environment', profile: 'demo-device', idp_host: '127.0.0.1', asks: 'LakeKey on ANALYST-LAPTOP asks to sign in to http://127.0.0.1:41234/api/accounts/demo-environment (profile demo-device), at the identity provider 127.0.0.1.', only_if: 'Enter this code only if you started this sign-in just now, on this machine. If you did not, do not enter it: close the page. LakeKey never asks for a code by mail, chat or phone.', page_host_warning: null } },
        qr,
      }),
    [qr],
  );
  await page.locator('#user-code', { hasText: 'BXRT-KMQW' }).waitFor();
  assert.equal(await page.locator('.qr img').isVisible(), true);
  assert.match(await page.locator('[data-countdown]').innerText(), /^(10:00|9:5\d)$/);
  // RFC 10027: who asks, what for, when not to enter the code; declining as prominent as approving.
  assert.match(await page.locator('#sign-in-asks').innerText(), /LakeKey on ANALYST-LAPTOP asks to sign in to http:\/\/127\.0\.0\.1:41234\/api\/accounts\/demo-environment \(profile demo-device\)/);
  assert.match(await page.locator('#only-if').innerText(), /only if you started this sign-in just now, on this machine/);
  assert.match(await page.locator('.countdown').innerText(), /Code expires at .+, in/);
  const size = (id) => page.evaluate((id) => { const e = document.getElementById(id); const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return { height: r.height, weight: s.fontWeight, font: s.fontSize, border: s.borderWidth }; }, id);
  assert.deepEqual(await size('cancel-sign-in'), await size('open-browser'), 'Cancel is as prominent as the primary action');
  await shot(page, '04-device-sign-in');
  // What a phone reads from the screen: the complete sign-in address.
  const scanned = execFileSync('zbarimg', ['--raw', '-q', join(shots, '04-device-sign-in.png')], { encoding: 'utf8' }).trim();
  assert.equal(scanned, 'http://127.0.0.1:41234/api/accounts/demo-environment/auth/activate?user_code=BXRT-KMQW');
  await accessible(page, '04-device-sign-in');
  await page.evaluate(() => window.__emit('device-event', { profile: 'demo-device', event: { event: 'error', code: 'code_expired', message: 'The sign-in code expired before it was approved.' } }));
  await page.locator('#device-status', { hasText: 'Code expired' }).waitFor();
  await shot(page, '05-device-expired');
  await accessible(page, '05-device-expired');
  await page.close();
});

test('the PAT sign-in picks files natively, asks for the passphrase, and says the PEM is no longer needed', async () => {
  const fx = { ...fixtures, list_profiles: [{ ...profiles[1], state: 'needs_sign_in', expiresAt: null }] };
  const page2 = await open(fx);
  await page2.locator('[data-action="sign-in"]').click();
  await page2.locator('#pick-pat').click();
  await page2.locator('#pick-pem').click();
  await page2.waitForFunction(() => document.getElementById('pat-kid')?.value === 'key1');
  assert.equal(await page2.getByLabel('Key passphrase').isVisible(), true);
  await page2.getByLabel('Key passphrase').fill('correct horse');
  await shot(page2, '06-pat-sign-in');
  await accessible(page2, '06-pat-sign-in');
  await page2.locator('#pat-submit').click();
  await page2.locator('#pat-outcome', { hasText: 'Lake accepted the token' }).waitFor();
  assert.match(await page2.locator('#pat-result').innerText(), /no longer needs the PEM file/);
  const calls = await page2.evaluate(() => window.__calls.filter((c) => c.cmd === 'import_pat'));
  assert.equal(calls[0].args.form.pemFile, '/home/analyst/keys/key1.pem');
  // Signed in: what comes next is "Done", not another Sign in or a Cancel of what is finished.
  assert.deepEqual(
    await page2.evaluate(() => ['#pat-submit', '#pat-inputs', '#pat-done'].map((css) => document.querySelector(css)?.checkVisibility() ?? false)),
    [false, false, true],
  );
  assert.equal(await page2.evaluate(() => document.activeElement?.id), 'pat-done');
  await shot(page2, '07-pat-signed-in');
  await accessible(page2, '07-pat-signed-in');
  await page2.close();
});

test('token details never show the PAT; settings have the clipboard clear time', async () => {
  const page = await open();
  await page.locator('[data-name="acme-pat"] [data-action="details"]').click();
  await page.locator('#details-title').waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /teradataml/);
  assert.doesNotMatch(text, /"pat"/);
  await shot(page, '08-token-details');
  await accessible(page, '08-token-details');
  await page.getByRole('button', { name: 'Settings' }).click();
  assert.equal(await page.getByLabel('Clear the clipboard after (seconds)').inputValue(), '45');
  await shot(page, '09-settings');
  await accessible(page, '09-settings');
  await page.close();
});

test('paste a token', async () => {
  const fx = { ...fixtures, list_profiles: [{ ...profiles[0], name: 'shared', input: { ...profiles[0].input, method: 'token' }, state: 'needs_sign_in', expiresAt: null }] };
  const page = await open(fx);
  await page.locator('[data-action="sign-in"]').click();
  await page.getByLabel('Token (JWT)').waitFor();
  await shot(page, '10-paste-token');
  await accessible(page, '10-paste-token');
  await page.close();
});

test('a locked keychain is explained with its fix', async () => {
  const page = await open({ ...fixtures, list_profiles: { __error: { code: 'keychain_locked', message: 'The keychain is locked or refused access, so LakeKey could not read it.', hint: 'Unlock your login keyring, then try again.' } } });
  await page.locator('.error-box h2', { hasText: 'Keychain locked' }).waitFor();
  await shot(page, '11-keychain-locked');
  await accessible(page, '11-keychain-locked');
  await page.close();
});

test('an unencrypted key asks for no passphrase: hidden means not shown', async () => {
  const fx = { ...fixtures, inspect_key: { encrypted: false, kid: 'key1', warning: null }, list_profiles: [{ ...profiles[1], state: 'needs_sign_in', expiresAt: null }] };
  const page = await open(fx);
  await page.locator('[data-action="sign-in"]').click();
  await page.locator('#pick-pem').click();
  await page.waitForFunction(() => document.getElementById('pat-kid')?.value === 'key1');
  assert.equal(await page.getByLabel('Key passphrase').isVisible(), false);
  assert.equal(await page.getByText('The key is encrypted.').isVisible(), false);
  // No message yet: the toast is there for screen readers, empty and not shown.
  assert.deepEqual(await page.evaluate(() => { const t = document.getElementById('toast'); return [t.classList.contains('is-shown'), t.textContent.trim()]; }), [false, '']);
  await page.close();
});

test('a background update keeps focus, scroll position and the focused node', async () => {
  const many = Array.from({ length: 8 }, (_, i) => ({ ...profiles[0], name: `env-${i}`, isDefault: i === 0 }));
  const page = await open({ ...fixtures, list_profiles: many });
  await page.locator('#copy-header-env-7').waitFor();
  const where = () => page.evaluate(() => Math.round(document.getElementById('copy-header-env-7').getBoundingClientRect().top));
  await page.evaluate(() => {
    const button = document.getElementById('copy-header-env-7');
    button.lakekeyMarker = 'before-update'; // a property of this very node, which an update must keep
    button.focus();
    window.scrollTo(0, document.body.scrollHeight);
  });
  assert.ok((await page.evaluate(() => window.scrollY)) > 0, 'the list is long enough to scroll');
  const top = await where();
  const later = many.map((p, i) => ({ ...p, expiresAt: now + 7200, problem: i === 3 ? 'The identity provider did not answer.' : null, state: i === 3 ? 'refresh_failing' : p.state }));
  await page.evaluate((list) => window.__emit('profiles-changed', list), later);
  await page.locator('[data-name="env-3"] .state', { hasText: 'Refresh failing' }).waitFor();
  const after = await page.evaluate(() => ({ id: document.activeElement?.id, marker: document.activeElement?.lakekeyMarker }));
  assert.deepEqual(after, { id: 'copy-header-env-7', marker: 'before-update' });
  // Text grew above it (a problem line), and the view stayed where the user was looking.
  assert.ok(Math.abs((await where()) - top) <= 1, `the focused button moved on screen: ${top} -> ${await where()}`);
  assert.match(await page.locator('[data-name="env-7"] .state').innerText(), /expires in (1 h 59 min|2 h)/);
  await page.close();
});

test('keyboard only: add an environment, sign in, copy, with a visible focus ring', async () => {
  const fx = {
    ...fixtures,
    list_profiles: 'fn:return (window.__profiles ??= [])',
    save_profile:
      'fn:(window.__profiles ??= []).push({ name: args.name, isDefault: true, demo: false, input: args.input, derived: null, state: "needs_sign_in", expiresAt: null, canRefresh: false, validation: null, tokenPreview: null, problem: null, error: null }); return { baseUrl: args.input.base_url, orgId: "acme", envId: "e1", issuer: "x", clientId: "acme-oaf-device", scope: "openid" }',
  };
  const page = await open(fx);
  await page.locator('#welcome-add').waitFor();
  const focused = () => page.evaluate(() => ({ id: document.activeElement?.id ?? '', text: document.activeElement?.textContent?.trim() ?? '' }));
  const tabTo = async (want) => {
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      if (want(f)) return f;
    }
    assert.fail('the keyboard never reached it');
  };
  await tabTo((f) => f.text === 'Add environment');
  await page.keyboard.press('Enter');
  await tabTo((f) => f.id === 'base-url');
  await page.keyboard.type('https://acme.innovationlabs.teradata.com/api/accounts/e1');
  await page.locator('#derived', { hasText: 'acme-oaf-device' }).waitFor();
  await page.keyboard.press('Enter'); // submits the form: save, then the device sign-in starts
  await page.locator('#device-title').waitFor();
  await page.evaluate(() => {
    window.__emit('device-event', { profile: 'acme', event: { event: 'code', user_code: 'WXYZ-1234', verification_uri: 'https://idp/activate', verification_uri_complete: 'https://idp/activate?user_code=WXYZ-1234', expires_in: 600, expires_at: Math.floor(Date.now() / 1000) + 600, interval: 5, context: { host: 'ANALYST-LAPTOP', environment: 'https://acme.innovationlabs.teradata.com/api/accounts/e1', profile: 'acme', idp_host: 'idp', asks: 'LakeKey on ANALYST-LAPTOP asks to sign in to https://acme.innovationlabs.teradata.com/api/accounts/e1 (profile acme), at the identity provider idp.', only_if: 'Enter this code only if you started this sign-in just now, on this machine. If you did not, do not enter it: close the page. LakeKey never asks for a code by mail, chat or phone.', page_host_warning: null } } });
    Object.assign(window.__profiles[0], { state: 'signed_in', expiresAt: Math.floor(Date.now() / 1000) + 3600, canRefresh: true });
    window.__emit('device-event', { profile: 'acme', event: { event: 'signed_in', expires_at: Math.floor(Date.now() / 1000) + 3600 } });
  });
  await page.waitForFunction(() => document.activeElement?.id === 'copy-token-acme');
  const ring = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), visible: document.activeElement.matches(':focus-visible') };
  });
  assert.deepEqual({ style: ring.style, visible: ring.visible }, { style: 'solid', visible: true });
  assert.ok(ring.width >= 2, `focus ring ${ring.width}px`);
  await shot(page, '12-keyboard-focus');
  await accessible(page, '12-keyboard-focus');
  // Screen readers announce only live regions that are rendered when their text changes: the
  // toast's regions are there (visually hidden) before the first message arrives.
  const rendered = () =>
    page.evaluate(() => ['toast-text', 'toast-alert'].map((id) => document.getElementById(id).checkVisibility() && getComputedStyle(document.getElementById(id)).visibility !== 'hidden'));
  assert.deepEqual(await rendered(), [true, true], 'the live regions are rendered before the message');
  await page.keyboard.press('Enter');
  await page.locator('#toast', { hasText: 'Token copied for acme' }).waitFor();
  const copies = await page.evaluate(() => window.__calls.filter((c) => c.cmd === 'copy').map((c) => c.args));
  assert.deepEqual(copies, [{ name: 'acme', format: 'token' }]);

  // The clipboard countdown ticks beside the message, which is announced once, not every second.
  const said = await page.locator('#toast-text').innerText();
  const shown = await page.locator('#toast-countdown').innerText();
  await page.waitForFunction((before) => document.getElementById('toast-countdown').textContent !== before, shown);
  assert.equal(await page.locator('#toast-text').innerText(), said);
  assert.equal(await page.locator('#toast-countdown').getAttribute('aria-hidden'), 'true');
  // The toast takes no clicks: it never covers a button under it.
  assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('toast')).pointerEvents), 'none');
  await page.close();
});

test('a sign-in page on another host than the identity provider is called out', async () => {
  const page = await open();
  await page.locator('[data-name="demo-device"] [data-action="sign-in"]').click();
  await page.evaluate(() =>
    window.__emit('device-event', {
      profile: 'demo-device',
      event: {
        event: 'code', user_code: 'QWER-TYUI', verification_uri: 'https://login.elsewhere.example/activate', expires_in: 600, expires_at: Math.floor(Date.now() / 1000) + 600, interval: 5,
        context: { host: 'ANALYST-LAPTOP', environment: 'https://acme.example.com/api/accounts/e1', profile: 'demo-device', idp_host: 'idp.acme.example.com', asks: 'LakeKey on ANALYST-LAPTOP asks to sign in to https://acme.example.com/api/accounts/e1 (profile demo-device), at the identity provider idp.acme.example.com.', only_if: 'Enter this code only if you started this sign-in just now, on this machine. If you did not, do not enter it: close the page. LakeKey never asks for a code by mail, chat or phone.', page_host_warning: "The sign-in page is on login.elsewhere.example, not on the identity provider's host idp.acme.example.com. Enter the code only if you trust login.elsewhere.example." },
      },
    }),
  );
  const warning = await page.locator('#page-host-warning').innerText();
  assert.match(warning, /login\.elsewhere\.example/);
  assert.match(warning, /idp\.acme\.example\.com/);
  // Cancel is reached by Tab from the primary action.
  await page.locator('#open-browser').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cancel-sign-in');
  await shot(page, '14-device-page-elsewhere');
  await accessible(page, '14-device-page-elsewhere');
  await page.close();
});
