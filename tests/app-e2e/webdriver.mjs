// A minimal W3C WebDriver client for the real app (tauri-driver + WebKitWebDriver), shared by
// the end-to-end tests, with the waiting they all need.
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** The checkout and the binaries every end-to-end test drives (debug builds unless overridden). */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const app = process.env.LAKEKEY_APP ?? join(root, 'target', 'debug', 'lakekey-desktop');
export const cli = join(root, 'target', 'debug', 'lakekey');
export const driverBin = process.env.TAURI_DRIVER ?? join(root, 'target', 'tools', 'bin', 'tauri-driver');

export async function freePort() {
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

export class WebDriver {
  constructor(port) {
    this.port = port;
    this.session = null;
  }

  async call(method, path, body) {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  }

  /** Starts the app under test (tauri-driver launches it) and opens a session on its window. */
  async open(app) {
    await waitFor('tauri-driver', async () => (await fetch(`http://127.0.0.1:${this.port}/status`)).ok, 20000);
    const created = await this.call('POST', '/session', { capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application: app } } } });
    this.session = created.sessionId;
  }

  async close() {
    if (this.session) await this.call('DELETE', `/session/${this.session}`).catch(() => {});
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
    mkdirSync(join(root, 'docs/screenshots'), { recursive: true });
    writeFileSync(join(root, 'docs/screenshots', `real-app-${name}.png`), Buffer.from(png, 'base64'));
  }
}
