// A minimal W3C WebDriver client for the real app (tauri-driver + WebKitWebDriver), shared by
// the end-to-end tests, with the waiting they all need.
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** The checkout and the binaries every end-to-end test drives (debug builds unless overridden). */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const app = process.env.LAKEKEY_APP ?? join(root, 'target', 'debug', 'lakekey-desktop');
export const cli = join(root, 'target', 'debug', 'lakekey');
export const driverBin = process.env.TAURI_DRIVER ?? join(root, 'target', 'tools', 'bin', 'tauri-driver');

async function freePort() {
  return new Promise((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => r(port));
    });
  });
}

/** Polls `f` until it returns something truthy (a bound on hangs, not a timing assertion). */
export async function waitFor(what, f, ms = 30000) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** PIDs of the processes below `pid` (through /proc, so grandchildren too). */
function descendants(pid) {
  const parent = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The field after the parenthesised name: state, then the parent PID.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {} // gone meanwhile
  }
  const found = [];
  const walk = (p) => parent.forEach((pp, child) => pp === p && (found.push(child), walk(child)));
  walk(pid);
  return found;
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Sends `signal` to `pid`, which may have ended meanwhile. */
const signal = (pid, sig) => {
  try {
    process.kill(pid, sig);
  } catch {}
};

export class WebDriver {
  constructor(port, tauriDriver) {
    this.port = port;
    this.tauriDriver = tauriDriver;
    this.session = null;
    this.appPids = [];
  }

  /**
   * Starts tauri-driver on free loopback ports with `env`, and through it the app, and opens a
   * session on its window.
   */
  static async start(env, app) {
    const port = await freePort();
    const tauriDriver = spawn(driverBin, ['--port', String(port), '--native-port', String(await freePort())], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const driver = new WebDriver(port, tauriDriver);
    try {
      await waitFor('tauri-driver', async () => (await fetch(`http://127.0.0.1:${port}/status`)).ok, 20000);
      const created = await driver.call('POST', '/session', { capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application: app } } } });
      driver.session = created.sessionId;
      // The app runs below tauri-driver (tauri-driver, WebKitWebDriver, the app): noted so that
      // close() can make sure it is gone.
      const exe = (pid) => {
        try {
          return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
        } catch {
          return null;
        }
      };
      const target = realpathSync(app);
      driver.appPids = descendants(tauriDriver.pid).filter((pid) => exe(pid) === target);
      if (driver.appPids.length === 0) throw new Error(`${app} is not among tauri-driver's processes`);
    } catch (e) {
      await driver.close(); // nobody else holds tauri-driver to stop it
      throw e;
    }
    return driver;
  }

  async call(method, path, body) {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      // A bound on a hang (WebKitWebDriver waits for a window that never comes), not a timing test.
      signal: AbortSignal.timeout(60000),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  }

  /**
   * Ends the session, which closes the window and so quits the app (LAKEKEY_QUIT_ON_CLOSE), then
   * stops tauri-driver. An app still running after that is stopped by its PID: it holds the test
   * runner's stderr, and a test run would otherwise wait for it forever (seen once under load).
   */
  async close() {
    if (this.session) await this.call('DELETE', `/session/${this.session}`).catch(() => {});
    this.session = null;
    const left = () => this.appPids.filter(alive);
    await waitFor('the app to quit with its window', () => left().length === 0, 10000).catch(() => {
      console.error(`# the app (PID ${left().join(', ')}) was still running 10 s after its session ended: stopping it`);
      left().forEach((pid) => signal(pid, 'SIGTERM'));
    });
    await waitFor('the app to stop', () => left().length === 0, 5000).catch(() => left().forEach((pid) => signal(pid, 'SIGKILL')));
    this.tauriDriver.kill('SIGTERM');
  }

  s(path) {
    return `/session/${this.session}${path}`;
  }

  find(css) {
    return this.call('POST', this.s('/element'), { using: 'css selector', value: css }).then((e) => e[ELEMENT]);
  }

  async el(css, ms) {
    try {
      return await waitFor(`element ${css}`, () => this.find(css), ms);
    } catch (e) {
      const page = await this.call('GET', this.s('/source')).catch(() => '(no page source)');
      throw new Error(`${e.message}\n--- page ---\n${String(page).slice(0, 3000)}`);
    }
  }

  async click(css) {
    return this.call('POST', this.s(`/element/${await this.el(css)}/click`), {});
  }

  async type(css, text) {
    const id = await this.el(css);
    await this.call('POST', this.s(`/element/${id}/clear`), {});
    await this.call('POST', this.s(`/element/${id}/value`), { text });
  }

  /** Presses keys (W3C codes: '\uE004' is Tab) on whatever has the focus, as a keyboard would. */
  async keys(text) {
    const actions = [...text].flatMap((value) => [{ type: 'keyDown', value }, { type: 'keyUp', value }]);
    await this.call('POST', this.s('/actions'), { actions: [{ type: 'key', id: 'keyboard', actions }] });
    await this.call('DELETE', this.s('/actions')).catch(() => {});
  }

  async text(css) {
    return this.call('GET', this.s(`/element/${await this.el(css)}/text`));
  }

  js(script, ...args) {
    return this.call('POST', this.s('/execute/sync'), { script, args });
  }

  textIs(css, re, ms) {
    return waitFor(`${css} to match ${re}`, async () => re.test(await this.text(css).catch(() => '')), ms);
  }

  /** The real window as WebDriver sees it, kept next to the mocked-IPC screenshots. */
  async screenshot(name) {
    const png = await this.call('GET', this.s('/screenshot')).catch(() => null);
    if (typeof png !== 'string') return;
    // Beside the mocked-IPC ones under target/ (scripts/update-screenshots copies them to docs/).
    const dir = process.env.LAKEKEY_SCREENSHOTS ?? join(root, 'target', 'screenshots');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `real-app-${name}.png`), Buffer.from(png, 'base64'));
  }
}
