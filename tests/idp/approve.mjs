// Approves (or declines) a device code at the test IdP over plain HTTP with a cookie jar, the way
// a browser would: device page -> confirm -> login -> consent. Test-only.
//
// Usage: node approve.mjs --url VERIFICATION_URI_COMPLETE [--deny] [--login NAME]
// Prints "approved" or "denied" and exits 0, or prints what went wrong and exits 1.

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

const jar = new Map();
const remember = (res) => {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
  }
};
const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

async function go(target, method = 'GET', form = null) {
  for (let hops = 0; hops < 20; hops += 1) {
    const res = await fetch(target, {
      method,
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    remember(res);
    if (res.status >= 300 && res.status < 400) {
      target = new URL(res.headers.get('location'), target).toString();
      method = 'GET';
      form = null;
      continue;
    }
    return { url: target, status: res.status, html: await res.text() };
  }
  throw new Error('too many redirects');
}

function parseForm(page) {
  const m = page.html.match(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/);
  if (!m) return null;
  const fields = {};
  for (const input of m[2].matchAll(/<input([^>]*)>/g)) {
    const name = input[1].match(/name="([^"]*)"/)?.[1];
    const value = input[1].match(/value="([^"]*)"/)?.[1] ?? '';
    if (name) fields[name] = value;
  }
  return { action: new URL(m[1], page.url).toString(), fields };
}

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
