// A stand-in for the user's browser, for the browser sign-in tests: put where the OS looks up its
// URL handler (an `xdg-open` first on PATH, see tests/browser_sign_in.rs), it is started with the
// identity provider's authorization URL, drives the provider's real login and consent pages over
// HTTP with a cookie jar, and follows the redirect to LakeKey's loopback listener as a browser
// would. Test-only.
//
// LAKEKEY_TEST_BROWSER (or the file $LAKEKEY_TEST_BROWSER_LOG.mode) picks what it does:
//   approve      sign in and consent, follow the redirect
//   deny         decline at the consent page (the provider redirects with error=access_denied)
//   wrong-state  follow the redirect with another `state`
//   no-code      follow the redirect without its `code`
//   other-iss    follow the redirect naming another issuer (`iss`)
//   second       follow the redirect, then send a second request to the listener
//   never        open nothing (the user walked away)
// It appends one JSON line per run to $LAKEKEY_TEST_BROWSER_LOG: what it saw.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { newBrowser, parseForm } from './pages.mjs';

const url = process.argv[2];
const logFile = process.env.LAKEKEY_TEST_BROWSER_LOG;
// The mode from the environment, else from LOG.mode (a test that cannot change the environment of
// the app that starts this writes it there).
const modeFile = logFile ? `${logFile}.mode` : null;
const mode = process.env.LAKEKEY_TEST_BROWSER ?? (modeFile && existsSync(modeFile) ? readFileSync(modeFile, 'utf8').trim() : 'approve');
const seen = { mode, url };
const done = (code) => {
  if (logFile) appendFileSync(logFile, `${JSON.stringify(seen)}\n`);
  process.exit(code);
};

const redirectUri = new URL(url).searchParams.get('redirect_uri');
seen.redirect_uri = redirectUri;
const port = new URL(redirectUri).port;
// What listens on the redirect's port, as the OS reports it: the test checks it is loopback only.
try {
  seen.listening = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
} catch (e) {
  seen.listening = `ss failed: ${e.message}`;
}
if (mode === 'never') done(0);

const { go } = newBrowser({ stopAt: redirectUri });

let page = await go(url);
for (let step = 0; step < 10 && !page.callback; step += 1) {
  const abort = page.html.match(/href="([^"]*\/abort)"/)?.[1];
  if (mode === 'deny' && abort) {
    page = await go(new URL(abort, page.url).toString());
    continue;
  }
  const form = parseForm(page);
  if (!form) break;
  if ('login' in form.fields || /name="login"/.test(page.html)) {
    form.fields.login = 'analyst';
    form.fields.password = 'any';
  }
  page = await go(form.action, 'POST', form.fields);
}
if (!page.callback) {
  seen.error = `no redirect to LakeKey; last page ${page.url} (HTTP ${page.status}): ${page.html?.slice(0, 500)}`;
  done(1);
}

const callback = new URL(page.callback);
seen.answer_had = [...callback.searchParams.keys()].sort();
if (mode === 'wrong-state') callback.searchParams.set('state', 'forged-state');
if (mode === 'no-code') callback.searchParams.delete('code');
if (mode === 'other-iss') callback.searchParams.set('iss', 'https://evil.example.com/realms/lake');
const answer = await fetch(callback, { redirect: 'manual' });
seen.callback_status = answer.status;
seen.callback_page = await answer.text();
if (mode === 'second') {
  // A moment for the listener to close, as a user reloading the page would take.
  await new Promise((r) => setTimeout(r, 300));
  try {
    const again = await fetch(callback, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
    seen.second = `answered HTTP ${again.status}`;
  } catch (e) {
    seen.second = `not answered (${e.cause?.code ?? e.name})`;
  }
}
done(0);
