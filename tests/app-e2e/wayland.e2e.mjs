// The real app on Wayland: the same binary as the X11 tests, in a headless sway session with no X
// display (GDK's Wayland backend), driven by WebDriver. Copy puts the token on the Wayland
// clipboard through the data-control protocol, marked for history managers, and the clipboard is
// cleared after the set time. Run by scripts/test inside its D-Bus session, under
// scripts/with-sway:  node --test tests/app-e2e/wayland.e2e.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebDriver, waitFor, app, cli, driverBin } from './webdriver.mjs';

let work;
let driver;
let env;
let token;

const paste = (...args) => {
  const r = spawnSync('wl-paste', ['--no-newline', ...args], { env, encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && r.stdout ? r.stdout : null;
};

before(async () => {
  assert.ok(process.env.WAYLAND_DISPLAY && !process.env.DISPLAY, 'run it under scripts/with-sway (Wayland, no X display)');
  assert.ok(existsSync(app) && existsSync(cli) && existsSync(driverBin), 'build first: scripts/test');
  work = mkdtempSync(join(tmpdir(), 'lakekey-wayland-'));
  env = {
    ...process.env,
    LAKEKEY_CONFIG_DIR: join(work, 'config'),
    XDG_DATA_HOME: join(work, 'data'),
    GDK_BACKEND: 'wayland',
    LAKEKEY_MULTI_INSTANCE: '1',
    LAKEKEY_QUIT_ON_CLOSE: '1',
    WEBKIT_DISABLE_COMPOSITING_MODE: '1',
    NO_AT_BRIDGE: '1',
  };
  // A profile holding a pasted token: no identity provider needed to copy it.
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  token = `${b64({ alg: 'none' })}.${b64({ sub: 'wayland', exp: Math.floor(Date.now() / 1000) + 86400 })}.c2ln`;
  writeFileSync(join(work, 'token'), token);
  execFileSync(cli, ['profile', 'add', 'wl', '--base-url', 'https://acme.example.com/api/accounts/e1', '--method', 'token'], { env });
  execFileSync(cli, ['login', '--profile', 'wl', '--token-file', join(work, 'token')], { env });
  writeFileSync(join(work, 'config', 'desktop.toml'), 'clipboard_clear_secs = 5\n');

  driver = await WebDriver.start(env, app);
});

after(async () => {
  await driver?.close();
  spawnSync(cli, ['logout', '--profile', 'wl', '--local-only'], { env });
  if (work) rmSync(work, { recursive: true, force: true });
});

test('on Wayland the app copies the token to the clipboard and clears it after the set time', async () => {
  // The window is a native Wayland client of sway (xdg-shell), not an X11 window through XWayland.
  // sway lists a toplevel only once it has committed its first frame, which can come after the
  // WebDriver session is open (CI once looked too early and saw no window): wait for it.
  const swayWindows = () => {
    const tree = JSON.parse(execFileSync('swaymsg', ['-t', 'get_tree', '-r'], { env, encoding: 'utf8', timeout: 5000 }));
    const windows = [];
    (function walk(node) {
      if (node.pid) windows.push(node);
      [...(node.nodes ?? []), ...(node.floating_nodes ?? [])].forEach(walk);
    })(tree);
    return windows;
  };
  let seen = [];
  const window = await waitFor('the LakeKey window among sway\'s', () => {
    seen = swayWindows();
    return seen.find((w) => /LakeKey/.test(w.name ?? ''));
  }, 20000).catch((e) => assert.fail(`${e.message}; sway has: ${JSON.stringify(seen.map((w) => w.name))}`));
  assert.equal(window.shell, 'xdg_shell', 'a native Wayland window');
  await driver.click('[data-name="wl"] [data-copy="token"]');
  await driver.textIs('#toast', /Token copied for wl/);
  // The types are read the moment the token is seen: the clipboard is cleared 5 s after the copy.
  let types = '';
  await waitFor('the token on the Wayland clipboard', () => {
    if (paste() !== token) return false;
    types = paste('--list-types') ?? '';
    return true;
  }, 15000);
  assert.match(types, /x-kde-passwordManagerHint/, 'marked for clipboard managers to skip');
  await waitFor('the clipboard to be cleared', () => paste() === null, 20000);
  await driver.textIs('#toast', /Clipboard cleared/);
});
