// Fails the build when the UI's modules import each other in a circle, or a file outgrows 350
// lines: both make the code hard to find one's way in. No dependencies; run before tsc.
//   node scripts/check-imports.mjs [DIR]   (DIR defaults to ui/src)
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LINES = 350;
const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

// Import and export statements start a line; `[^;]*?` spans a multi-line name list. Dynamic
// imports and side-effect-only imports count too. Only relative specifiers can make a circle here.
const patterns = [
  /^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The .ts file a relative specifier names, or null (a stylesheet, a package). */
function resolveSpec(from, spec) {
  if (!spec.startsWith('./') && !spec.startsWith('../')) return null;
  const base = resolve(dirname(from), spec);
  const candidates = [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), join(base, 'index.ts')];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) ?? null;
}

const files = walk(root);
const problems = [];
const imports = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_LINES) problems.push(`${relative(root, file)} has ${lines} lines (at most ${MAX_LINES}): split it`);
  if (!file.endsWith('.ts')) continue;
  const targets = new Set();
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) {
      const target = resolveSpec(file, m[1]);
      if (target) targets.add(target);
    }
  }
  imports.set(file, [...targets]);
}

// Depth-first search; a module met again while still on the path closes a circle.
const done = new Set();
const path = [];
const seen = new Set();
function visit(file) {
  if (done.has(file)) return;
  const at = path.indexOf(file);
  if (at >= 0) {
    const circle = [...path.slice(at), file].map((f) => relative(root, f)).join(' -> ');
    if (!seen.has(circle)) problems.push(`import circle: ${circle}`);
    seen.add(circle);
    return;
  }
  path.push(file);
  for (const next of imports.get(file) ?? []) visit(next);
  path.pop();
  done.add(file);
}
for (const file of imports.keys()) visit(file);

if (problems.length) {
  console.error(`check-imports: ${problems.length} problem(s) in ${root}`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`check-imports: ${imports.size} modules, no import circle, none over ${MAX_LINES} lines`);
