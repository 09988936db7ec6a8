#!/usr/bin/env node
/**
 * Copies what one app loads at run time out of the build stage's workspace:
 *
 *   node docker/runtime-deps.cjs apps/<app> <out>
 *
 * It follows the app's `dependencies` the way Node resolves them (nearest
 * node_modules upwards), through the workspace libraries (their
 * `dependencies` only: a devDependency such as tools/infra never reaches an
 * image), and copies into <out>, keeping the workspace layout:
 *   <out>/apps/<app>/{package.json,dist}          the app's build output
 *   <out>/libs/<lib>/{package.json,dist}          each workspace library it links
 *   <out>/node_modules/@order-fulfillment/<lib>   -> ../../libs/<lib> (as npm links them)
 *   <out>/node_modules/<pkg>                      each third-party package, once
 * TypeScript sources, declaration maps and build info stay behind.
 *
 * The lockfile decided the versions (npm ci ran in the build stage); this only
 * chooses which installed packages go in. Two narrowings, both for packages
 * whose unused parts dwarf the rest, are listed in PRUNE below.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [appArg, outArg] = process.argv.slice(2);
if (!appArg || !outArg) {
  console.error('usage: node docker/runtime-deps.cjs apps/<app> <out-dir>');
  process.exit(2);
}
const root = process.cwd();
const appDir = path.resolve(root, appArg);
const out = path.resolve(outArg);
if (!fs.existsSync(path.join(appDir, 'package.json'))) fail(`${appArg}: no package.json (run from the workspace root)`);
if (!fs.existsSync(path.join(appDir, 'dist', 'main.js'))) fail(`${appArg}: no dist/main.js (build the app first)`);
if (fs.existsSync(out) && fs.readdirSync(out).length) fail(`${outArg} is not empty`);

/** The Rust bridge's native library for this platform only, and no Rust sources. */
const bridgeTargets = { 'linux-x64': 'x86_64-unknown-linux-gnu', 'linux-arm64': 'aarch64-unknown-linux-gnu' };
const PRUNE = {
  '@temporalio/core-bridge': (rel) => {
    const target = bridgeTargets[`${process.platform}-${process.arch}`];
    if (!target) fail(`no Temporal core bridge for ${process.platform}-${process.arch}`);
    return rel === 'package.json' || /^[^/]+\.js$/.test(rel) || rel.startsWith('lib/') || rel.startsWith(`releases/${target}/`);
  },
};
/**
 * Loaded only to bundle workflow code, never with a pre-built bundle (a worker
 * image always has one): the workflow sources (the bundle holds them), the SWC
 * compiler and webpack's loaders for it. webpack itself stays: @temporalio/worker
 * requires it when it loads.
 */
const BUNDLING_ONLY = new Set(['@order-fulfillment/workflows', '@swc/core', 'swc-loader', 'source-map-loader']);

/** Never loaded by Node at run time: type declarations, TypeScript sources, source maps, docs. */
const NOT_LOADED = /(\.d\.[cm]?ts|\.[cm]?tsx?|\.map|\.md|\.markdown)$/i;

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const packages = new Map(); // where the package is found (link path) -> { real, workspace, name }
const queue = [];
const enqueue = (fromDir, pkg) => {
  const deps = [
    ...Object.keys(pkg.dependencies ?? {}).map((n) => [n, 'required']),
    ...Object.keys(pkg.optionalDependencies ?? {}).map((n) => [n, 'optional']),
    // Required peers (npm 7+ installs them). An optional peer is loaded only if something else
    // depends on it; that it is installed may be the doing of a devDependency (typeorm's dedent
    // has babel-plugin-macros as an optional peer, installed here for jest).
    ...Object.keys(pkg.peerDependencies ?? {})
      .filter((n) => !pkg.peerDependenciesMeta?.[n]?.optional)
      .map((n) => [n, 'optional']),
  ];
  for (const [name, kind] of deps) queue.push({ fromDir, name, kind, by: pkg.name });
};

const app = readJson(path.join(appDir, 'package.json'));
const isWorker = fs.existsSync(path.join(appDir, 'dist', 'workflow-bundle.js'));
enqueue(appDir, app);
while (queue.length) {
  const { fromDir, name, kind, by } = queue.shift();
  if (isWorker && BUNDLING_ONLY.has(name)) continue;
  const found = resolvePackage(fromDir, name);
  if (!found) {
    if (kind === 'required') fail(`${by} depends on ${name}, which is not installed under ${path.relative(root, fromDir) || '.'}`);
    continue;
  }
  if (packages.has(found)) continue;
  const real = fs.realpathSync(found);
  const workspace = !real.includes(`${path.sep}node_modules${path.sep}`);
  packages.set(found, { real, workspace, name });
  enqueue(real, readJson(path.join(real, 'package.json')));
}

copyBuildOutput(appDir);
let bytes = 0;
for (const [found, { real, workspace, name }] of packages) {
  const target = path.join(out, path.relative(root, found));
  if (workspace) {
    copyBuildOutput(real);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(target), path.join(out, path.relative(root, real))), target);
  } else {
    const narrowed = PRUNE[name] ?? (() => true);
    bytes += copyTree(real, target, '', (rel) => narrowed(rel) && !NOT_LOADED.test(rel));
  }
}
const external = [...packages.values()].filter((p) => !p.workspace).length;
console.log(`runtime-deps: ${app.name}: ${external} packages (${(bytes / 1e6).toFixed(1)} MB), ${packages.size - external} workspace libraries`);

function resolvePackage(fromDir, name) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === path.dirname(dir)) return null;
  }
}

/** package.json and dist/ of a workspace project, without TypeScript leftovers. */
function copyBuildOutput(projectDir) {
  const target = path.join(out, path.relative(root, projectDir));
  if (!fs.existsSync(path.join(projectDir, 'dist'))) fail(`${path.relative(root, projectDir)}: no dist/ (build it first)`);
  fs.mkdirSync(target, { recursive: true });
  fs.copyFileSync(path.join(projectDir, 'package.json'), path.join(target, 'package.json'));
  copyTree(path.join(projectDir, 'dist'), path.join(target, 'dist'), '', (rel) => !/\.(ts|tsbuildinfo|d\.ts\.map)$/.test(rel));
}

/** Copies a package's files (not its nested node_modules: those are packages of their own). */
function copyTree(from, to, rel, keep) {
  let total = 0;
  for (const entry of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      total += copyTree(from, to, childRel, keep);
    } else if (keep(childRel)) {
      const dest = path.join(to, childRel);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(path.join(from, childRel)), dest);
      else {
        fs.copyFileSync(path.join(from, childRel), dest);
        total += fs.statSync(dest).size;
      }
    }
  }
  return total;
}

function fail(message) {
  console.error(`runtime-deps: ${message}`);
  process.exit(1);
}
