// Copies a fresh Vite build (FROM) into the dist folder the desktop app embeds (TO), touching only
// files whose bytes changed and removing stale ones. Tauri's build script asks Cargo to rebuild the
// app whenever anything under dist is modified, and a rebuild is minutes in release: rewriting
// identical files would cost that on every `scripts/run`.
//   node scripts/sync-dist.mjs FROM TO
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

function sync(from, to) {
  mkdirSync(to, { recursive: true });
  const fresh = new Set(readdirSync(from));
  for (const name of readdirSync(to)) {
    if (!fresh.has(name)) rmSync(join(to, name), { recursive: true, force: true });
  }
  for (const name of fresh) {
    const src = join(from, name);
    const dst = join(to, name);
    if (statSync(src).isDirectory()) {
      if (existsSync(dst) && !statSync(dst).isDirectory()) rmSync(dst, { force: true });
      sync(src, dst);
      continue;
    }
    if (existsSync(dst) && statSync(dst).isDirectory()) rmSync(dst, { recursive: true, force: true });
    const bytes = readFileSync(src);
    if (!existsSync(dst) || !bytes.equals(readFileSync(dst))) writeFileSync(dst, bytes);
  }
}

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error('usage: node scripts/sync-dist.mjs FROM TO');
  process.exit(2);
}
sync(from, to);
