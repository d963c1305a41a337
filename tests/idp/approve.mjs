// Approves (or declines) a device code at the test IdP over plain HTTP with a cookie jar, the way
// a browser would: device page -> confirm -> login -> consent. Test-only.
//
// Usage: node approve.mjs --url VERIFICATION_URI_COMPLETE [--deny] [--login NAME]
// Prints "approved" or "denied" and exits 0, or prints what went wrong and exits 1.

import { newBrowser, parseForm } from './pages.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const deny = args.includes('--deny');
const login = opt('login', 'analyst');
let url = opt('url');
if (!url) {
  console.error('usage: node approve.mjs --url VERIFICATION_URI_COMPLETE [--deny]');
  process.exit(2);
}

const { go } = newBrowser();

let page = await go(url);
for (let step = 0; step < 10; step += 1) {
  if (/Sign-in Success|is now connected|successful/i.test(page.html)) {
    console.log('approved');
    process.exit(0);
  }
  if (/access_denied|aborted|interrupted|request was denied/i.test(page.html)) {
    console.log('denied');
    process.exit(0);
  }
  const form = parseForm(page);
  if (!form) break;
  if ('login' in form.fields || /name="login"/.test(page.html)) {
    form.fields.login = login;
    form.fields.password = 'any';
  }
  const abort = page.html.match(/href="([^"]*\/abort)"/)?.[1];
  if (deny && abort) {
    page = await go(new URL(abort, page.url).toString());
    continue;
  }
  // The device confirmation page: go on to the login (declining happens there, with "Cancel").
  if (/name="confirm"/.test(page.html)) form.fields.confirm = 'yes';
  page = await go(form.action, 'POST', form.fields);
}
console.error(`could not finish the approval; last page ${page.url} (HTTP ${page.status}):\n${page.html.slice(0, 2000)}`);
process.exit(1);
