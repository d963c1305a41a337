// Test-only Lake environment on loopback: a real OpenID provider (oidc-provider) mounted where
// Lake's in-house IdP lives (`{base_url}/auth`), and a fake Lake control plane that validates PAT
// JWTs with Node's own crypto (independent of the code under test).
//
// Usage: node server.mjs [--env ENV] [--access-ttl S] [--device-ttl S] [--interval S]
//                        [--no-rotation] [--client-id ID]... [--max-lifetime S]
//                        [--tls-cert PEM --tls-key PEM]
// Prints one JSON line {"base_url","issuer","port","tls_port"} when ready (tls_port: the same
// server over HTTPS with the given certificate, for the fault matrix's TLS cells; else null). Stops by itself when its stdin
// closes (the test that started it is gone) or after --max-lifetime seconds.

import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import { json, readBody } from './http.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const flag = (name) => args.includes(`--${name}`);
const many = (name) => args.flatMap((a, i) => (a === `--${name}` ? [args[i + 1]] : []));

const envId = opt('env', 'env-0001');
const accessTtl = Number(opt('access-ttl', '600'));
const deviceTtl = Number(opt('device-ttl', '600'));
const interval = opt('interval', null);
const rotation = !flag('no-rotation');
const clientIds = ['acme-oaf-device', ...many('client-id')];
const maxLifetime = Number(opt('max-lifetime', '900'));

const prefix = `/api/accounts/${envId}/auth`;
const lakeKeys = new Map(); // kid -> { publicKey, pat, username }
const control = { slowDownPolls: 0, failNext: [], accessTtl, deviceTtl, fault: null, rewrite: null, refreshDelayMs: 0, revokeDelayMs: 0, verificationHost: null };
const stats = { polls: [], refreshes: [], revocations: 0, validations: [], deviceRequests: 0, deviceCodes: [], codeExchanges: [], services: [], faulted: [] };

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const baseUrl = `http://127.0.0.1:${port}/api/accounts/${envId}`;
const issuer = `http://127.0.0.1:${port}${prefix}`;

const provider = new Provider(issuer, {
  clients: [
    ...clientIds.map((client_id) => ({
      client_id,
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      response_types: [],
      redirect_uris: [],
    })),
    // The browser sign-in's client: a native app allowed a loopback redirect on any port
    // (RFC 8252 §7.3), public, with PKCE (required by this provider for public clients).
    {
      client_id: 'lakekey-browser',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
  ],
  features: {
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    devInteractions: { enabled: true },
  },
  scopes: ['openid', 'offline_access'],
  // Lake's default scope is `openid`; this provider hands out refresh tokens for it too.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: rotation,
  ttl: {
    // Functions, so a test can change the lifetime of later tokens and codes through /__test/control.
    AccessToken: () => control.accessTtl,
    DeviceCode: () => control.deviceTtl,
    RefreshToken: 86400,
    Grant: 86400,
    Interaction: 3600,
    Session: 86400,
  },
  cookies: { keys: ['lakekey-test-only-cookie-key'] },
  findAccount: async (ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
});
provider.on('server_error', (ctx, err) => console.error('idp server_error', err));

// Test hooks around the token and device endpoints: count requests, add `interval`, inject slow_down.
provider.use(async (ctx, next) => {
  if (ctx.path.endsWith('/token/revocation')) {
    // Counted on arrival: the race tests hold a revocation back, so that a sign-in finishes
    // while it is in flight, and wait for this count rather than for a guessed time.
    stats.revocations += 1;
    if (control.revokeDelayMs > 0) await new Promise((r) => setTimeout(r, control.revokeDelayMs));
  }
  await next();
  // The fault-matrix test points one endpoint elsewhere (a closed port) through discovery.
  if (ctx.path.endsWith('/.well-known/openid-configuration') && control.rewrite && ctx.body) {
    ctx.body = { ...ctx.body, ...control.rewrite };
  }
  const grant = ctx.oidc?.params?.grant_type;
  if (ctx.path.endsWith('/device/auth') && ctx.method === 'POST') {
    stats.deviceRequests += 1;
    if (interval !== null && ctx.body && typeof ctx.body === 'object') ctx.body.interval = Number(interval);
    // Both codes, so the log scans can look for them; and, for the page-host test, the sign-in
    // page moved to another host name (still this machine).
    if (ctx.body?.device_code) stats.deviceCodes.push({ device_code: ctx.body.device_code, user_code: ctx.body.user_code });
    if (control.verificationHost && ctx.body?.verification_uri) {
      for (const key of ['verification_uri', 'verification_uri_complete']) {
        const moved = new URL(ctx.body[key]);
        moved.hostname = control.verificationHost;
        ctx.body[key] = moved.toString();
      }
    }
  }
  if (ctx.path.endsWith('/token') && grant === 'urn:ietf:params:oauth:grant-type:device_code') {
    let error = ctx.body?.error ?? null;
    if (error === 'authorization_pending' && control.slowDownPolls > 0) {
      control.slowDownPolls -= 1;
      ctx.body = { error: 'slow_down', error_description: 'polling too fast (test)' };
      error = 'slow_down';
    }
    stats.polls.push({ at: Date.now(), status: ctx.status, error });
  }
  if (ctx.path.endsWith('/token') && grant === 'authorization_code') {
    stats.codeExchanges.push({ at: Date.now(), status: ctx.status, error: ctx.body?.error ?? null });
  }
  if (ctx.path.endsWith('/token') && grant === 'refresh_token') {
    stats.refreshes.push({ at: Date.now(), status: ctx.status, error: ctx.body?.error ?? null });
    // The race tests hold the answer back (the grant has already rotated) so that every other
    // caller arrives while this refresh is in flight.
    if (control.refreshDelayMs > 0) await new Promise((r) => setTimeout(r, control.refreshDelayMs));
  }
});

const providerCallback = provider.callback();

// Faults for the fault-matrix test, applied to requests whose path ends with control.fault.path.
// Returns false when the request should go on normally.
function injectFault(kind, req, res) {
  const send = (status, headers, body) => {
    res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  switch (kind) {
    case 'hang':
      return true; // never answers; the client's timeout ends it
    case 'reset':
      req.socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"access_tok');
      req.socket.destroy();
      return true;
    case 'status_500':
      send(500, { 'content-type': 'application/json' }, '{"error":"server_error"}');
      return true;
    case 'status_503':
      send(503, { 'content-type': 'text/plain', 'retry-after': '120' }, 'Service Unavailable');
      return true;
    case 'html':
      send(200, { 'content-type': 'text/html' }, '<!DOCTYPE html><html><body><form>Sign in to the proxy</form></body></html>');
      return true;
    case 'truncated_json':
      send(200, { 'content-type': 'application/json' }, '{"access_token":"abc","token_type":"Bea');
      return true;
    case 'undefined_error':
      send(400, { 'content-type': 'application/json' }, '{"error":"teapot_mode","error_description":"not in any spec"}');
      return true;
    case 'large_body':
      send(200, { 'content-type': 'application/json' }, `{"padding":"${'x'.repeat(3 * 1024 * 1024)}"}`);
      return true;
    case 'redirect':
      send(302, { location: 'https://elsewhere.example.com/login' }, '');
      return true;
    default:
      return false;
  }
}

// The fake Lake control plane: GET /api/accounts/{env} with a PAT JWT.
function validateLake(req, res) {
  const auth = req.headers.authorization ?? '';
  const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  const verdict = verifyPatJwt(token);
  stats.validations.push({ at: Date.now(), ok: verdict.ok, reason: verdict.reason });
  if (verdict.ok) json(res, 200, { id: envId, status: 'active' });
  else json(res, 401, { error: 'unauthorized', reason: verdict.reason });
}

// A fake Open Analytics service ({base_url}/open-analytics, where teradataml sends its requests
// after set_auth_token): it answers only a bearer token the IdP issued and has not expired, or a
// PAT JWT the fake Lake accepts, and records each request with a digest of the token it carried.
async function openAnalytics(req, res, path) {
  const auth = req.headers.authorization ?? '';
  const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  let kind = null;
  const access = token ? await provider.AccessToken.find(token) : undefined;
  if (access && !access.isExpired) kind = 'access_token';
  else if (token && verifyPatJwt(token).ok) kind = 'pat_jwt';
  const sha256 = crypto.createHash('sha256').update(token).digest('hex');
  stats.services.push({ at: Date.now(), path, ok: kind !== null, kind, sha256 });
  if (!kind) return json(res, 401, { req_id: 'test', error_code: '401', error_description: 'The token is not accepted.' });
  if (path.endsWith('/base_environments')) return json(res, 200, [{ base_name: 'python_3.10', language: 'Python', version: '3.10.4' }]);
  if (/\/users\/[^/]+\/environments$/.test(path)) {
    return json(res, 200, [{ env_name: 'e1', env_description: 'test', base_env_name: 'python_3.10', language: 'Python', conda: false }]);
  }
  return json(res, 404, { req_id: 'test', error_code: '404', error_description: 'not found' });
}

function verifyPatJwt(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
  const dec = (p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  let header;
  let claims;
  try {
    header = dec(parts[0]);
    claims = dec(parts[1]);
  } catch {
    return { ok: false, reason: 'undecodable' };
  }
  const entry = lakeKeys.get(header.kid);
  if (!entry) return { ok: false, reason: `unknown kid ${header.kid}` };
  if (header.alg !== 'RS256' || header.typ !== 'JWT') return { ok: false, reason: 'bad header' };
  const verified = crypto.verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), entry.publicKey, Buffer.from(parts[2], 'base64url'));
  if (!verified) return { ok: false, reason: 'bad signature' };
  const expectedOrder = ['aud', 'exp', 'iss', 'multi-use', 'org_id', 'pat', 'sub', 'iat'];
  if (JSON.stringify(Object.keys(claims)) !== JSON.stringify(expectedOrder)) return { ok: false, reason: 'claim order' };
  if (claims.aud?.[0] !== 'td:service:authentication' || claims.iss !== 'teradataml' || claims['multi-use'] !== true) {
    return { ok: false, reason: 'bad claims' };
  }
  if (claims.pat !== entry.pat) return { ok: false, reason: 'wrong pat' };
  if (entry.username && claims.sub !== entry.username) return { ok: false, reason: 'wrong user' };
  if (claims.exp <= Date.now() / 1000) return { ok: false, reason: 'expired' };
  return { ok: true, reason: 'ok' };
}

server.on('request', async (req, res) => {
  try {
    const url = new URL(req.url, baseUrl);
    if (control.fault && url.pathname.endsWith(control.fault.path) && injectFault(control.fault.kind, req, res)) {
      stats.faulted.push({ at: Date.now(), path: url.pathname, kind: control.fault.kind });
      return;
    }
    if (control.failNext.length > 0 && !url.pathname.startsWith('/__test/')) {
      const status = control.failNext.shift();
      return json(res, status, { error: 'injected failure' });
    }
    if (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)) {
      // Mount the provider under the prefix the way connect does.
      req.originalUrl = req.url;
      req.url = req.url.slice(prefix.length) || '/';
      return providerCallback(req, res);
    }
    if (req.method === 'GET' && url.pathname === `/api/accounts/${envId}`) return validateLake(req, res);
    if (url.pathname.startsWith(`/api/accounts/${envId}/open-analytics/`)) return openAnalytics(req, res, url.pathname);
    if (req.method === 'POST' && url.pathname === '/__test/lake/keys') {
      const body = JSON.parse(await readBody(req));
      lakeKeys.set(body.kid, { publicKey: crypto.createPublicKey(body.public_key_pem), pat: body.pat, username: body.username });
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/__test/control') {
      Object.assign(control, JSON.parse(await readBody(req)));
      return json(res, 200, control);
    }
    if (req.method === 'GET' && url.pathname === '/__test/stats') return json(res, 200, stats);
    json(res, 404, { error: 'not_found' });
  } catch (err) {
    console.error('test server error', err);
    json(res, 500, { error: 'server_error' });
  }
});

const stop = () => {
  server.close();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
setTimeout(stop, maxLifetime * 1000).unref();
process.on('SIGTERM', stop);

let tlsPort = null;
if (opt('tls-cert', null)) {
  const tls = https.createServer({ cert: fs.readFileSync(opt('tls-cert')), key: fs.readFileSync(opt('tls-key')) });
  tls.on('request', (req, res) => server.emit('request', req, res));
  await new Promise((resolve) => tls.listen(0, '127.0.0.1', resolve));
  tlsPort = tls.address().port;
}

process.stdout.write(`${JSON.stringify({ base_url: baseUrl, issuer, port, tls_port: tlsPort })}\n`);
