// The real desktop app end to end: the built binary in a real window under Xvfb, driven by
// WebDriver (tauri-driver + WebKitWebDriver), against the real test IdP (oidc-provider), the
// real keychain (gnome-keyring on this D-Bus session) and a real browser approving the code.
// Run by scripts/test inside its D-Bus session:  node --test tests/app-e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, mkdirSync, rmSync, copyFileSync, chmodSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDesktopBus } from './desktop-bus.mjs';
import { WebDriver, waitFor, root, app, cli, driverBin } from './webdriver.mjs';

const children = [];
let work;
let display;
let idp;
let desktop;
const env = {};
/** Every secret the tests saw; none may appear in the app's log file. */
const secrets = new Set(['e2e-pat-0001']);

function start(cmd, args, extraEnv = {}, stdio = ['ignore', 'ignore', 'inherit']) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env, ...extraEnv }, stdio });
  children.push(child);
  return child;
}

let driver;
const find = (css) => driver.find(css);
const el = (css, ms) => driver.el(css, ms);
const click = (css) => driver.click(css);
const type = (css, text) => driver.type(css, text);
const text = (css) => driver.text(css);
const js = (script, ...args) => driver.js(script, ...args);
const screenshot = (name) => driver.screenshot(name);
const textIs = (css, re, ms) => driver.textIs(css, re, ms);

const clipboard = (target) => {
  try {
    return execFileSync('xclip', ['-o', '-selection', 'clipboard', ...(target ? ['-t', target] : [])], { env: { ...process.env, ...env }, timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return null;
  }
};
const lakekey = (...args) => execFileSync(cli, args, { env: { ...process.env, ...env }, timeout: 30000 }).toString();
const keychainItems = (profile) => {
  // secret-tool prints the attributes on stderr.
  const r = spawnSync('secret-tool', ['search', '--all', 'service', 'lakekey'], { encoding: 'utf8' });
  const out = `${r.stdout}\n${r.stderr}`;
  return out.split('\n').filter((l) => l.startsWith('attribute.username = ') && l.slice(21).replace(/#.*/, '') === profile);
};

before(async () => {
  for (const [what, path] of [['app (cargo build -p lakekey-desktop)', app], ['CLI', cli], ['tauri-driver', driverBin]]) {
    assert.ok(existsSync(path), `${what} is missing at ${path}: run scripts/test`);
  }
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run inside the keyring D-Bus session (scripts/test)');
  work = mkdtempSync(join(tmpdir(), 'lakekey-e2e-'));
  display = `:${90 + Math.floor(Math.random() * 200)}`;
  start('Xvfb', [display, '-screen', '0', '1280x900x24', '-nolisten', 'tcp']);
  await waitFor('Xvfb', () => existsSync(`/tmp/.X11-unix/X${display.slice(1)}`), 10000);

  idp = await startIdp(['--interval', '1']);

  // The PEM the PAT sign-in picks, and the fake Lake that knows its public key.
  copyFileSync(join(root, 'tests/fixtures/test-key.pem'), join(work, 'key1.pem'));
  chmodSync(join(work, 'key1.pem'), 0o600);
  execFileSync('sh', ['-c', `printf 'e2e-pat-0001\\n' > ${join(work, 'pat.txt')}`]);
  await fetch(`http://127.0.0.1:${idp.port}/__test/lake/keys`, {
    method: 'POST',
    body: JSON.stringify({ kid: 'key1', public_key_pem: readFileSync(join(root, 'tests/fixtures/test-public-key.pem'), 'utf8'), pat: 'e2e-pat-0001', username: 'ANALYST' }),
  });

  // The stand-in browser (tests/idp/browser.mjs) where the desktop looks up its URL handler: the
  // browser sign-in opens it, as a desktop opens the user's browser.
  mkdirSync(join(work, 'bin'));
  writeFileSync(join(work, 'bin', 'xdg-open'), `#!/bin/sh\nnode '${join(root, 'tests/idp/browser.mjs')}' "$1" >>"${join(work, 'browser.out')}" 2>&1 &\n`, { mode: 0o755 });
  Object.assign(env, {
    PATH: `${join(work, 'bin')}:${process.env.PATH}`,
    LAKEKEY_TEST_BROWSER_LOG: join(work, 'browser.jsonl'),
    DISPLAY: display,
    LAKEKEY_CONFIG_DIR: join(work, 'config'),
    // The app's log file goes to $XDG_DATA_HOME/dev.lakekey.desktop/logs.
    XDG_DATA_HOME: join(work, 'data'),
    // The most detailed level a user can choose: the secret scan below reads everything it writes.
    LAKEKEY_LOG: 'trace',
    LAKEKEY_MULTI_INSTANCE: '1',
    LAKEKEY_NO_BROWSER: '1',
    LAKEKEY_QUIT_ON_CLOSE: '1',
    // Native file dialogs are invisible to WebDriver: the picker command answers with these paths.
    LAKEKEY_PICK_FILE: `pat=${join(work, 'pat.txt')};pem=${join(work, 'key1.pem')}`,
    WEBKIT_DISABLE_COMPOSITING_MODE: '1',
    WEBKIT_DISABLE_DMABUF_RENDERER: '1',
    LIBGL_ALWAYS_SOFTWARE: '1',
    NO_AT_BRIDGE: '1',
  });
  // The tray and the notifications talk to this fake desktop over the session bus.
  desktop = await startDesktopBus(root);
  driver = await WebDriver.start({ ...process.env, ...env }, app);
});

after(async () => {
  await driver?.close();
  desktop?.stop();
  for (const child of children.reverse()) {
    child.kill('SIGTERM');
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

test('add an environment, sign in by device flow in a real browser, copy the token', async () => {
  await click('#welcome-add');
  await type('#base-url', idp.base_url);
  await click('#advanced summary');
  await type('#org-id', 'acme');
  await textIs('#derived', /acme-oaf-device/);
  await type('#profile-name', 'e2e-device');
  await click('#save-profile');

  // Saving goes straight to the device sign-in.
  const code = (await textIs('#user-code', /^[A-Z]{4}-[A-Z]{4}$/, 30000), await text('#user-code'));
  secrets.add(code); // a code never reaches the log (RFC 10027 §6.1.2): the log test checks
  assert.ok(await find('.qr img'), 'a QR code is shown');
  // RFC 10027 §6.1.14: who asks, on which machine, for what; decline as easy as approve.
  const asks = await text('#sign-in-asks');
  assert.ok(asks.includes(`LakeKey on ${hostname()} asks to sign in to ${idp.base_url} (profile e2e-device)`), asks);
  assert.match(await text('#only-if'), /only if you started this sign-in just now, on this machine/);
  const size = (id) => js(`const e = document.getElementById('${id}'); const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return [r.height, s.fontWeight, s.fontSize, s.borderTopWidth].join(' ');`);
  assert.equal(await size('cancel-sign-in'), await size('open-browser'), 'Cancel is as prominent as the primary action');
  await js('document.getElementById("open-browser").focus()');
  await driver.keys('\uE004'); // Tab
  assert.equal(await js('return document.activeElement.id'), 'cancel-sign-in', 'Tab reaches Cancel');
  await screenshot('device-code');
  const verify = await js('return document.querySelector(".code-box strong").textContent');
  execFileSync('node', [join(root, 'tests/idp/approve-browser.mjs'), '--url', `${verify}?user_code=${code}`], { timeout: 60000 });
  await textIs('[data-name="e2e-device"] .state', /Signed in/, 30000);
  assert.ok(keychainItems('e2e-device').length > 0, 'the session is in the keychain');

  await click('[data-name="e2e-device"] [data-copy="token"]');
  await textIs('#toast', /clipboard clears in/);
  await screenshot('signed-in');
  const copied = await waitFor('the clipboard', () => clipboard());
  secrets.add(copied);
  assert.equal(copied, lakekey('token', '--profile', 'e2e-device').trim(), 'the app copied what the CLI hands out');
  assert.match(clipboard('TARGETS') ?? '', /x-kde-passwordManagerHint/, 'marked for clipboard managers to skip');
  const page = await js('return document.documentElement.outerHTML');
  assert.ok(!page.includes(copied), 'the token never entered the webview');
});

test('a browser profile signs in with one click: no code, the answer comes back to the app', async () => {
  await click('button[data-nav="add"]');
  await type('#base-url', idp.base_url);
  await click('#advanced summary');
  await type('#org-id', 'acme');
  await js('const m = document.getElementById("idp"); m.value = "custom"; m.dispatchEvent(new Event("change"));');
  await type('#issuer', idp.issuer);
  await type('#client-id', 'lakekey-browser');
  await js('const m = document.getElementById("method"); m.value = "browser"; m.dispatchEvent(new Event("change"));');
  await type('#profile-name', 'e2e-browser');
  await click('#save-profile');
  await textIs('[data-name="e2e-browser"] .state', /Signed in/, 60000);
  await screenshot('browser-signed-in');
  // The stand-in records what it saw after the app's answer page reached it: that can come after the list says Signed in.
  const log = join(work, 'browser.jsonl');
  const seen = await waitFor('the stand-in browser\'s record', () => {
    const last = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').pop() : '';
    return last ? JSON.parse(last) : null;
  });
  assert.match(seen.callback_page, /You can close this window/);
  assert.ok(lakekey('token', '--profile', 'e2e-browser').trim().length > 20, 'the CLI finds the same sign-in');
  // Signed out in the app, so its list shows the profile as needing a sign-in for the next test.
  await click('[data-name="e2e-browser"] [data-action="sign-out"]');
  await textIs('[data-name="e2e-browser"] .state', /Needs sign-in/, 30000);
});

test('the browser sign-in screen says where to finish, and Cancel stops it', async () => {
  // The stand-in never answers this time (told before it starts): the screen waits, and Cancel ends it.
  writeFileSync(join(work, 'browser.jsonl.mode'), 'never');
  await click('[data-name="e2e-browser"] [data-action="sign-in"]');
  await textIs('#browser-opened', /Your browser opened 127\.0\.0\.1 to sign you in/, 30000);
  await screenshot('browser-waiting');
  await click('#cancel-browser');
  await textIs('[data-name="e2e-browser"] .state', /Needs sign-in/, 30000);
  assert.equal(await js('return document.getElementById("cancel-browser")'), null, 'back on the list');
});

test('the clipboard is cleared after the set time, but only if it still holds our copy', async () => {
  await click('button[data-nav="settings"]');
  // 10 s: time enough, on a loaded machine, for the user's own copy below to come first.
  await type('#clipboard-clear', '10');
  await click('#save-settings');
  await textIs('#toast', /Settings saved/);
  await click('button[data-nav="profiles"]');

  await click('[data-name="e2e-device"] [data-copy="header"]');
  await waitFor('the header on the clipboard', () => (clipboard() ?? '').startsWith('Authorization: Bearer '));
  await waitFor('the clipboard to be cleared', () => !clipboard(), 25000);

  await click('[data-name="e2e-device"] [data-copy="token"]');
  await waitFor('the token on the clipboard', () => clipboard());
  const other = spawn('xclip', ['-selection', 'clipboard'], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(other);
  other.stdin.end('something the user copied');
  await waitFor('the user copy', () => clipboard() === 'something the user copied');
  await textIs('#toast', /left alone/, 15000);
  assert.equal(clipboard(), 'something the user copied');
});

test('with 10 s tokens the refresher renews once per half lifetime, not on every pass', async () => {
  // Its own IdP, so its refresh count is this profile's alone. The app's refresh margin is the
  // default (120 s): every token is shorter than that. Renewed when half its life is gone, each
  // token is used 5 s; renewed on every pass (the defect), the IdP saw a refresh every 5 s and
  // one at once after the sign-in.
  const own = await startIdp(['--interval', '1', '--access-ttl', '10']);
  lakekey('profile', 'add', 'e2e-short', '--base-url', own.base_url, '--org-id', 'acme');
  await signInWithCli('e2e-short');
  const signedIn = Date.now();
  // The app notices a sign-in made elsewhere on its next pass; saving the settings starts one.
  await click('button[data-nav="settings"]');
  await click('#save-settings');
  await textIs('#toast', /Settings saved/);
  await click('button[data-nav="profiles"]');
  await textIs('[data-name="e2e-short"] .state', /Signed in/, 30000);
  await new Promise((r) => setTimeout(r, 60000));
  const refreshes = (await (await fetch(`http://127.0.0.1:${own.port}/__test/stats`)).json()).refreshes;
  lakekey('logout', '--profile', 'e2e-short', '--local-only');
  assert.ok(refreshes.length >= 8, `the tokens were kept fresh: ${refreshes.length} refreshes in 60 s`);
  assert.ok(refreshes.length <= 60 / 5 + 1, `at most one refresh per half lifetime: ${refreshes.length} in 60 s`);
  let previous = signedIn;
  for (const r of refreshes) {
    // Half of 10 s, less a second for the refresher's wake-up and the test's own clock reading.
    assert.ok(r.at - previous >= 4000, `a token renewed ${r.at - previous} ms after the one before was issued`);
    assert.equal(r.status, 200);
    previous = r.at;
  }
});

test('the app and many CLI processes ask when the token is due: one refresh, one token', async () => {
  // Tokens live 10 s and are due 5 s after they are issued: then the app's copy (which wants 60 s
  // of validity), five CLI processes and the app's own refresher may all ask at once. The IdP
  // holds each refresh answer 800 ms, so they overlap. Whoever asks first refreshes; everyone
  // gets that one token.
  const control = (body) => fetch(`http://127.0.0.1:${idp.port}/__test/control`, { method: 'POST', body: JSON.stringify(body) });
  const stats = async () => (await fetch(`http://127.0.0.1:${idp.port}/__test/stats`)).json();
  await control({ accessTtl: 10, refreshDelayMs: 800 });
  lakekey('profile', 'add', 'e2e-race', '--base-url', idp.base_url, '--org-id', 'acme');
  await signInWithCli('e2e-race');
  // Saving the settings starts a refresher pass, which finds the new sign-in.
  await click('button[data-nav="settings"]');
  await type('#refresh-margin', '30');
  await click('#save-settings');
  await textIs('#toast', /Settings saved/);
  await click('button[data-nav="profiles"]');
  await el('[data-name="e2e-race"] [data-copy="token"]', 30000);

  const cliToken = () =>
    new Promise((res, rej) => {
      const p = spawn(cli, ['token', '--profile', 'e2e-race'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { err += d; });
      p.on('close', (code) => (code === 0 ? res(out.trim()) : rej(new Error(`lakekey token exited ${code}: ${err}`))));
    });
  const rounds = 5;
  let last = null;
  for (let round = 0; round < rounds; round += 1) {
    // Wait until the current token is due (its expiry less half its 10 s life), plus a little.
    const now = JSON.parse(lakekey('token', '--profile', 'e2e-race', '--min-valid', '0', '--json'));
    await new Promise((r) => setTimeout(r, Math.max(0, (now.expires_at - now.lifetime / 2) * 1000 - Date.now() + 300)));
    const before = (await stats()).refreshes.length;
    // The app's copy goes first in even rounds and last in odd ones, so each side wins sometimes.
    const callers = [];
    const beforeCopy = clipboard();
    if (round % 2 === 1) for (let i = 0; i < 5; i += 1) callers.push(cliToken());
    await click('[data-name="e2e-race"] [data-copy="token"]');
    // Watched from the click on, while the CLI processes run: the copy is cleared after 10 s.
    const copiedSoon = waitFor('the copied token', () => {
      const c = clipboard();
      return c && c !== beforeCopy ? c : null;
    }, 15000).catch(() => clipboard());
    if (round % 2 === 0) for (let i = 0; i < 5; i += 1) callers.push(cliToken());
    const tokens = await Promise.all(callers);
    tokens.forEach((t) => secrets.add(t));
    const copied = await copiedSoon;
    const fresh = (await stats()).refreshes.slice(before);
    assert.ok(fresh.length <= 1, `round ${round}: at most one refresh reached the IdP (${JSON.stringify(fresh)})`);
    assert.ok(fresh.every((r) => r.status === 200), `round ${round}: the refresh was not a reuse`);
    assert.equal(new Set(tokens).size, 1, `round ${round}: every CLI process got the same token`);
    assert.notEqual(tokens[0], last, `round ${round}: a new token, the due one renewed`);
    const toast = copied === tokens[0] ? '' : await text('#toast').catch(() => '(no toast)');
    assert.equal(copied, tokens[0], `round ${round}: the app copied the same token (app said: ${toast})`);
    last = tokens[0];
  }
  // The session survived: no reuse was ever detected, and a plain call still works.
  assert.ok((await stats()).refreshes.every((r) => r.status === 200), 'no refresh token was used twice');
  assert.ok(lakekey('token', '--profile', 'e2e-race').trim().length > 20);
  lakekey('logout', '--profile', 'e2e-race', '--local-only');
  await control({ accessTtl: 600, refreshDelayMs: 0 });
});

test('sign in with a PAT picked through the file picker', async () => {
  await click('button[data-nav="add"]');
  await type('#base-url', idp.base_url);
  await click('#advanced summary');
  await type('#org-id', 'acme');
  await type('#profile-name', 'e2e-pat');
  await js('const m = document.getElementById("method"); m.value = "pat"; m.dispatchEvent(new Event("change"));');
  await click('#save-profile');
  await el('#pat-form');
  await click('#pick-pat');
  await click('#pick-pem');
  await waitFor('the kid from the file name', async () => (await js('return document.getElementById("pat-kid").value')) === 'key1');
  await type('#pat-username', 'ANALYST');
  await click('#pat-submit');
  await textIs('#pat-outcome', /Lake accepted the token/, 30000);
  assert.match(await text('#pat-result'), /no longer needs the PEM file/);
  assert.equal(await js('return !!document.getElementById("pat-store-notice")'), false, 'a desktop keychain needs no notice');
  await click('#pat-done');
  await textIs('[data-name="e2e-pat"] .state', /Signed in/);
  const jwt = lakekey('token', '--profile', 'e2e-pat').trim();
  const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
  assert.equal(claims.sub, 'ANALYST');
});

test('the real GTK file chooser answers with a path (xdotool types it)', async () => {
  await click('button[data-nav="settings"]');
  await click('#pick-ca');
  const title = 'Choose a CA certificate file';
  const xdo = (...args) => execFileSync('xdotool', args, { env: { ...process.env, ...env }, timeout: 10000 }).toString().trim();
  const win = await waitFor('the native dialog', () => xdo('search', '--onlyvisible', '--name', `^${title}$`).split('\n')[0], 20000).catch((e) => {
    const names = spawnSync('sh', ['-c', 'for w in $(xdotool search --onlyvisible --name .); do xdotool getwindowname $w; done'], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout;
    throw new Error(`${e.message}; visible windows: ${names}`);
  });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const dialogOpen = () => {
    try {
      return xdo('search', '--onlyvisible', '--name', `^${title}$`) !== '';
    } catch {
      return false;
    }
  };
  const ca = join(root, 'tests/fixtures/test-public-key.pem');
  // Keys sent before GTK takes them are lost (more so on a loaded machine): while the dialog is
  // open, the path is typed again, replacing what the location field holds.
  for (let attempt = 0; attempt < 4 && dialogOpen(); attempt += 1) {
    await sleep(700); // GTK needs a moment before it takes keys
    xdo('windowfocus', '--sync', win);
    xdo('key', 'ctrl+l');
    await sleep(300);
    xdo('key', 'ctrl+a');
    xdo('type', '--delay', '20', ca);
    // The first Return may only accept the location field's completion.
    for (let i = 0; i < 3; i += 1) {
      await sleep(400);
      if (!dialogOpen()) break; // checked after the pause: a Return must not reach the main window
      xdo('key', 'Return');
    }
    await waitFor('the dialog to close', () => !dialogOpen(), 2000).catch(() => {});
  }
  await waitFor('the chosen path in the form', async () => (await js('return document.getElementById("extra-ca").value')) === ca, 15000);
  await click('button[data-nav="profiles"]');
});

test('sign out revokes and removes the secrets', async () => {
  await click('button[data-nav="profiles"]');
  const revocations = async () => (await (await fetch(`http://127.0.0.1:${idp.port}/__test/stats`)).json()).revocations;
  const before = await revocations();
  await click('[data-name="e2e-device"] [data-action="sign-out"]');
  await el('[data-name="e2e-device"] [data-action="sign-in"]', 30000);
  assert.equal(keychainItems('e2e-device').length, 0);
  assert.equal(await revocations(), before + 1, 'this sign-out revoked its sign-in');
});

test('the tray menu, read over D-Bus as a panel does, copies a signed-in token', async () => {
  const name = 'e2e-tray';
  lakekey('profile', 'add', name, '--base-url', idp.base_url, '--org-id', 'acme');
  await signInWithCli(name);
  // The app notices a sign-in made elsewhere on its next pass; saving the settings starts one.
  await click('button[data-nav="settings"]');
  await click('#save-settings');
  await textIs('#toast', /Settings saved/);
  await click('button[data-nav="profiles"]');
  const entry = await waitFor('the tray entry', async () => (await desktop.trayMenu()).find((e) => e.label === `Copy token — ${name}`), 30000).catch(async (e) => {
    const seen = await desktop.trayMenu().then((m) => m.map((i) => i.label).join(' | ')).catch((err) => err.message);
    throw new Error(`${e.message}; tray items registered: ${desktop.items.length}; menu: ${seen}`);
  });
  const labels = (await desktop.trayMenu()).map((e) => e.label);
  assert.ok(labels.includes('Show LakeKey') && labels.includes('Quit'), labels.join(', '));
  await desktop.clickTray(entry);
  const expected = lakekey('token', '--profile', name).trim();
  secrets.add(expected);
  await waitFor('the tray copy on the clipboard', () => clipboard() === expected, 15000);
});

test('a sign-in the identity provider revoked is announced by a desktop notification', async () => {
  const name = 'e2e-revoked';
  const control = (body) => fetch(`http://127.0.0.1:${idp.port}/__test/control`, { method: 'POST', body: JSON.stringify(body) });
  // Tokens of 4 s, so the app renews this one 2 s after the sign-in.
  await control({ accessTtl: 4 });
  lakekey('profile', 'add', name, '--base-url', idp.base_url, '--org-id', 'acme');
  await signInWithCli(name);
  await control({ accessTtl: 600 });
  // The user's session ends at the IdP (an admin revoked it): the refresh token is spent.
  const stored = spawnSync('secret-tool', ['lookup', 'service', 'lakekey', 'username', name], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout;
  const refresh = JSON.parse(stored.slice(stored.indexOf('\n') + 1)).refresh_token;
  secrets.add(refresh);
  const revoked = await fetch(`${idp.issuer}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refresh, token_type_hint: 'refresh_token', client_id: 'acme-oaf-device' }),
  });
  assert.equal(revoked.status, 200);
  // Saving the settings starts a refresher pass, which finds the new sign-in and renews it when due.
  await click('button[data-nav="settings"]');
  await click('#save-settings');
  await textIs('#toast', /Settings saved/);
  const note = await waitFor('the notification', () => desktop.notifications.find((n) => n.summary === `${name} needs a new sign-in`), 30000);
  assert.match(note.body, /expired or was revoked/);
  assert.equal(note.appName, 'lakekey-desktop');
  await click('button[data-nav="profiles"]');
  await textIs(`[data-name="${name}"] .state`, /Refresh failing|Needs sign-in/);
  // Announced once, not on every retry.
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(desktop.notifications.filter((n) => n.summary === `${name} needs a new sign-in`).length, 1);
});

test('the app log says what happened and holds no secret', async () => {
  const log = join(work, 'data', 'dev.lakekey.desktop', 'logs', 'lakekey.log');
  const text = await waitFor('the log file', () => (existsSync(log) ? readFileSync(log, 'utf8') : null));
  assert.match(text, /sign-in of profile `e2e-device` succeeded/);
  assert.match(text, /refreshing profile `e2e-revoked` failed \(sign_in_required\)/);
  assert.match(text, /copied a token/);
  for (const secret of secrets) assert.ok(!text.includes(secret), `a secret (${secret.slice(0, 6)}…) is in the log`);
  assert.ok(!text.includes('PRIVATE KEY'), 'no key in the log');
});

test('on the kernel keyring the app says where the secrets are, at sign-in and in the details', async () => {
  // A second app, as on a Linux desktop without a Secret Service: its secrets go to the kernel
  // keyring, which forgets them at restart, and the user is told so in the app's own words.
  await driver.close();
  const kernelEnv = { LAKEKEY_KEYCHAIN: 'kernel', LAKEKEY_CONFIG_DIR: join(work, 'config-kernel') };
  driver = await WebDriver.start({ ...process.env, ...env, ...kernelEnv }, app);
  await click('#welcome-add');
  await type('#base-url', idp.base_url);
  await click('#advanced summary');
  await type('#org-id', 'acme');
  await type('#profile-name', 'e2e-kernel');
  await click('#save-profile');
  const code = (await textIs('#user-code', /^[A-Z]{4}-[A-Z]{4}$/, 30000), await text('#user-code'));
  const verify = await js('return document.querySelector(".code-box strong").textContent');
  execFileSync('node', [join(root, 'tests/idp/approve.mjs'), '--url', `${verify}?user_code=${code}`], { timeout: 30000 });
  await textIs('[data-name="e2e-kernel"] .state', /Signed in/, 30000);
  await textIs('#toast', /kernel keyring.*never in a file.*until the machine restarts/s);
  assert.doesNotMatch(await text('#toast'), /lakekey |LAKEKEY_/, 'no CLI syntax in the app');
  await screenshot('kernel-keyring-notice');
  await click('[data-name="e2e-kernel"] [data-action="details"]');
  await textIs('#details-store', /kernel keyring \(kept until restart\)/);
  await textIs('#details-store-notice', /until the machine restarts/);
  const cli = (...args) => execFileSync(join(root, 'target/debug/lakekey'), args, { env: { ...process.env, ...env, ...kernelEnv }, timeout: 30000 }).toString();
  assert.match(cli('status', '--profile', 'e2e-kernel'), /kept until restart/);
  cli('logout', '--profile', 'e2e-kernel', '--local-only');
});

/** A test IdP (tests/idp/server.mjs) on loopback; stopped with the other children. */
async function startIdp(args) {
  const proc = start('node', [join(root, 'tests/idp/server.mjs'), ...args], {}, ['pipe', 'pipe', 'ignore']);
  const line = await new Promise((r) => createInterface({ input: proc.stdout }).once('line', r));
  proc.stdout.resume();
  return JSON.parse(line);
}

/** `lakekey login` for a profile, approved at the IdP over HTTP as a browser would. */
async function signInWithCli(name) {
  const login = spawn(cli, ['login', '--profile', name, '--json', '--no-browser'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const events = [];
  for await (const line of createInterface({ input: login.stdout })) {
    const event = JSON.parse(line);
    events.push(event.event);
    if (event.event === 'code') execFileSync('node', [join(root, 'tests/idp/approve.mjs'), '--url', event.verification_uri_complete], { timeout: 30000 });
  }
  const code = await new Promise((r) => (login.exitCode !== null ? r(login.exitCode) : login.on('close', r)));
  assert.equal(code, 0, `sign-in of ${name}: ${events.join(', ')}`);
}
