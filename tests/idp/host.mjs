// The Linux side of the tests that run as Windows programs under Wine (scripts/test-windows).
// A Windows process under Wine cannot start a Linux program (node, chromium), so the tests ask
// this loopback server to do it for them: start a test IdP with the given arguments, stop it,
// approve or deny a device code (approve.mjs), or approve it in the real browser
// (approve-browser.mjs). The tests find it through LAKEKEY_TEST_HOST (its URL). Test-only.
//
// Usage: node host.mjs [--max-lifetime S]
// Prints one JSON line {"url"} when ready; stops by itself when its stdin closes, after
// --max-lifetime seconds (default 3600), and stops every IdP it started.

import http from 'node:http';
import { spawn, execFile } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { json, readBody } from './http.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const maxLifetime = Number(args.includes('--max-lifetime') ? args[args.indexOf('--max-lifetime') + 1] : 3600);
const idps = new Map(); // port -> child

async function body(req) {
  const text = await readBody(req);
  return text ? JSON.parse(text) : {};
}

function startIdp(idpArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [join(here, 'server.mjs'), ...idpArgs], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.once('error', reject);
    createInterface({ input: child.stdout }).once('line', (line) => {
      const ready = JSON.parse(line);
      idps.set(ready.port, child);
      child.stdout.resume();
      resolve(ready);
    });
  });
}

function run(script, scriptArgs) {
  return new Promise((resolve) => {
    execFile('node', [join(here, script), ...scriptArgs], { timeout: 120000 }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout}${stderr}` }),
    );
  });
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://127.0.0.1');
    const input = req.method === 'POST' ? await body(req) : {};
    if (url.pathname === '/idp/start') return json(res, 200, await startIdp(input.args ?? []));
    if (url.pathname === '/idp/stop') {
      idps.get(input.port)?.kill();
      idps.delete(input.port);
      return json(res, 200, { ok: true });
    }
    if (url.pathname === '/approve') return json(res, 200, await run('approve.mjs', ['--url', input.url, ...(input.deny ? ['--deny'] : [])]));
    if (url.pathname === '/approve-browser') return json(res, 200, await run('approve-browser.mjs', ['--url', input.url]));
    json(res, 404, { error: 'not_found' });
  } catch (err) {
    json(res, 500, { error: String(err) });
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const stop = () => {
  for (const child of idps.values()) child.kill();
  server.close();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
setTimeout(stop, maxLifetime * 1000).unref();
process.on('SIGTERM', stop);
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
