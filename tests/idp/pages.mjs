// Browsing the test identity provider's pages over plain HTTP with a cookie jar, as a browser
// does: follow redirects (stopping, if asked, at an address that leads back to LakeKey), read a
// page's form. Used by approve.mjs (device codes) and browser.mjs (the browser sign-in). Test-only.

export function newBrowser({ stopAt = null } = {}) {
  const jar = new Map();
  const remember = (res) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
  };

  /** Follows redirects; returns the last page, or `{ callback }` at an address under `stopAt`. */
  async function go(target, method = 'GET', form = null) {
    for (let hops = 0; hops < 20; hops += 1) {
      if (stopAt && target.startsWith(stopAt)) return { callback: target };
      const res = await fetch(target, {
        method,
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
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

  return { go };
}

/** The first form of a page: where it posts, and its fields with their values. */
export function parseForm(page) {
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
