// Architecture guard: imports must follow the data flow request → adapter → core → processor → exporter.
// Every source file (packages/*/src/**/*.ts, not .d.ts) gets a layer; a file may import only its own layer
// or lower ones. Type-only imports count too. A file the table does not cover fails the test until it is
// given a layer, so new folders get classified on purpose.
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');

// ---------------------------------------------------------------------------------------------------------
// The layer table
// ---------------------------------------------------------------------------------------------------------

type Layer = 0 | 1 | 2 | 3 | 4;
const LAYER_NAMES: Record<Layer, string> = { 0: 'shared', 1: 'exporter', 2: 'processor', 3: 'core', 4: 'adapter' };

const CORE = 'packages/core/src/';
// Each rule is either an exact file or a folder (ending in '/', matches everything below it).
const LAYER_RULES: ReadonlyArray<readonly [string, Layer]> = [
  // 0 shared: importable by anyone; imports only layer 0 and node: builtins.
  ...['types.ts', 'diag.ts', 'clock.ts', 'ids.ts', 'semconv.ts', 'invalidOption.ts', 'matcher.ts', 'ownProperty.ts', 'globalState.ts', 'version.ts'].map((f) => [CORE + f, 0] as const),
  [CORE + 'context/', 0],
  [CORE + 'propagation/', 0],
  [CORE + 'sampling/', 0],
  // 1 exporter
  [CORE + 'export/', 1],
  // 2 processor
  [CORE + 'processor/', 2],
  [CORE + 'security/', 2],
  // 3 core (analysis is here, so only layer >= 3 may import it)
  [CORE + 'trace/', 3],
  [CORE + 'config.ts', 3],
  [CORE + 'analysis/', 3],
  [CORE + 'http/', 3],
  [CORE + 'index.ts', 3],
  // 4 adapter
  ['packages/express/src/', 4],
  ['packages/koa/src/', 4],
  ['packages/fastify/src/', 4],
  ['packages/fetch/src/', 4],
  ['packages/opentelemetry/src/', 4],
  ['packages/logging/src/', 4],
  // the command line is an application on top of core (it may load @audit-tracing/kms-aws)
  [CORE + 'cli/', 4],
  ['packages/kms-aws/src/', 4],
  ['packages/metrics/src/', 4],
  ['packages/viewer/src/', 4],
];

/** The layer of a repo-relative (posix) path, or undefined when the table does not cover it. */
export /** Whether `name` is an optional peer dependency of the package `file` belongs to. */
function optionalPeerOf(file: string, name: string): boolean {
  const match = /^packages\/([^/]+)\//.exec(file);
  if (!match) return false;
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'packages', match[1], 'package.json'), 'utf8')) as {
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  return manifest.peerDependenciesMeta?.[name]?.optional === true;
}

function layerOf(file: string): Layer | undefined {
  const matches = LAYER_RULES.filter(([rule]) => (rule.endsWith('/') ? file.startsWith(rule) : file === rule));
  if (matches.length > 1) throw new Error(`layer table is ambiguous for ${file}: ${matches.map(([r]) => r).join(', ')}`);
  return matches[0]?.[1];
}

const describeLayer = (layer: Layer) => `layer ${layer} ${LAYER_NAMES[layer]}`;

// ---------------------------------------------------------------------------------------------------------
// Collecting imports (TypeScript compiler API)
// ---------------------------------------------------------------------------------------------------------

export interface ImportRef {
  /** The module specifier as written, or undefined when it is not a string literal (cannot be checked). */
  specifier: string | undefined;
  line: number;
}

function literalText(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

/**
 * Every module reference in a source text: import / export … from (type-only included), import x = require(),
 * dynamic import(), require(), import('x') types and `declare module 'x'` augmentations.
 */
export function collectImports(fileName: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const add = (node: ts.Node, specifier: string | undefined) =>
    refs.push({ specifier, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier) add(node, literalText(node.moduleSpecifier));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, literalText(node.moduleReference.expression));
    } else if (ts.isCallExpression(node)) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1;
      if (isDynamicImport || isRequire) add(node, literalText(node.arguments[0]));
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      add(node, ts.isLiteralTypeNode(arg) ? literalText(arg.literal) : undefined);
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name) && ts.isExternalModule(source)) {
      add(node, node.name.text); // module augmentation: depends on that module's types
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

// ---------------------------------------------------------------------------------------------------------
// Resolving specifiers
// ---------------------------------------------------------------------------------------------------------

export type Target =
  | { kind: 'file'; path: string } // repo-relative posix path
  | { kind: 'builtin'; name: string }
  | { kind: 'package'; name: string } // third-party
  | { kind: 'unresolved'; reason: string };

const toRel = (abs: string) => path.relative(ROOT, abs).split(path.sep).join('/');
const isFile = (abs: string) => existsSync(abs) && statSync(abs).isFile();

function resolveFile(base: string): string | undefined {
  const candidates: string[] = [];
  const jsToTs: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts', '.jsx': '.tsx' };
  const ext = path.extname(base);
  if (jsToTs[ext]) candidates.push(base.slice(0, -ext.length) + jsToTs[ext]);
  if (['.ts', '.mts', '.cts', '.tsx'].includes(ext)) candidates.push(base);
  candidates.push(base + '.ts', base + '.tsx', path.join(base, 'index.ts'), path.join(base, 'index.tsx'));
  return candidates.find(isFile);
}

let workspacePackages: Map<string, string> | undefined;
/** '@audit-tracing/x' → absolute packages/x/src, from the workspace package.json names. */
function workspaces(): Map<string, string> {
  if (!workspacePackages) {
    workspacePackages = new Map();
    for (const dir of readdirSync(path.join(ROOT, 'packages'))) {
      const manifest = path.join(ROOT, 'packages', dir, 'package.json');
      if (!isFile(manifest)) continue;
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name) workspacePackages.set(name, path.join(ROOT, 'packages', dir, 'src'));
    }
  }
  return workspacePackages;
}

/** Resolves `specifier` as imported from the repo-relative file `from`. */
export function resolveImport(from: string, specifier: string): Target {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const found = resolveFile(path.resolve(ROOT, path.dirname(from), specifier));
    return found ? { kind: 'file', path: toRel(found) } : { kind: 'unresolved', reason: `no .ts file for '${specifier}'` };
  }
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return { kind: 'builtin', name: specifier };
  const parts = specifier.split('/');
  const pkgName = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const src = workspaces().get(pkgName);
  if (src) {
    // '@audit-tracing/core' counts as importing packages/core/src/index.ts.
    const sub = specifier.slice(pkgName.length).replace(/^\//, '');
    const found = resolveFile(sub ? path.join(src, sub) : path.join(src, 'index.ts'));
    return found ? { kind: 'file', path: toRel(found) } : { kind: 'unresolved', reason: `no source for '${specifier}'` };
  }
  return { kind: 'package', name: pkgName };
}

// ---------------------------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------------------------

export interface ImportEdge {
  from: string; // repo-relative source file
  specifier: string | undefined;
  line: number;
  target: Target;
}

/** All source files: packages/*\/src/**\/*.ts (and .mts/.cts/.tsx), excluding declaration files. */
export function listSourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (/\.(ts|mts|cts|tsx)$/.test(entry.name) && !/\.d\.(ts|mts|cts)$/.test(entry.name)) out.push(toRel(abs));
    }
  };
  for (const pkg of readdirSync(path.join(ROOT, 'packages'))) {
    const src = path.join(ROOT, 'packages', pkg, 'src');
    if (existsSync(src) && statSync(src).isDirectory()) walk(src);
  }
  return out.sort();
}

export function buildImportEdges(files: readonly string[]): ImportEdge[] {
  return files.flatMap((from) =>
    collectImports(from, readFileSync(path.join(ROOT, from), 'utf8')).map(({ specifier, line }) => ({
      from,
      specifier,
      line,
      target: specifier === undefined ? ({ kind: 'unresolved', reason: 'specifier is not a string literal' } as const) : resolveImport(from, specifier),
    })),
  );
}

/**
 * Layering violations, as `file -> imported (layer A imports layer B)`, plus one line per file the table does
 * not cover. Pure: works on any list of files and edges, so it can be tested on synthetic input.
 */
export function checkLayering(files: readonly string[], edges: readonly ImportEdge[]): string[] {
  const violations: string[] = [];
  const seen = new Set<string>();
  const report = (message: string) => {
    if (!seen.has(message)) violations.push(message), seen.add(message);
  };

  for (const file of files) {
    if (layerOf(file) === undefined) report(`${file} needs a layer: add it (or its folder) to LAYER_RULES in test/architecture/layers.test.ts`);
  }
  for (const { from, specifier, target } of edges) {
    const fromLayer = layerOf(from);
    if (fromLayer === undefined) continue; // already reported as needing a layer
    switch (target.kind) {
      case 'builtin':
        break;
      case 'package':
        // Core has no runtime dependencies: the one package it may load is an optional peer it declares (cls-hooked,
        // loaded only when its context manager is chosen).
        if (fromLayer === 0 && !optionalPeerOf(from, target.name)) report(`${from} -> ${target.name} (${describeLayer(0)} imports a third-party package; layer 0 may import only layer 0, node: builtins and its package's optional peers)`);
        break;
      case 'unresolved':
        report(`${from} -> ${specifier ?? '<dynamic>'} (cannot be checked: ${target.reason})`);
        break;
      case 'file': {
        const toLayer = layerOf(target.path);
        if (toLayer === undefined) report(`${from} -> ${target.path} (${target.path} needs a layer)`);
        else if (toLayer > fromLayer) report(`${from} -> ${target.path} (${describeLayer(fromLayer)} imports ${describeLayer(toLayer)})`);
        break;
      }
    }
  }
  return violations;
}

/**
 * Import cycles among layer 1–3 files that span more than one layer (cycles within a single layer are not
 * checked). Each is reported as one concrete cycle path. Implied by checkLayering, but stated on its own.
 */
export function findCrossLayerCycles(edges: readonly ImportEdge[]): string[] {
  const inScope = (f: string) => {
    const l = layerOf(f);
    return l !== undefined && l >= 1 && l <= 3;
  };
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.target.kind !== 'file' || !inScope(e.from) || !inScope(e.target.path)) continue;
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    if (!graph.has(e.target.path)) graph.set(e.target.path, new Set());
    graph.get(e.from)!.add(e.target.path);
  }

  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strongConnect = (v: string) => {
    idx.set(v, index), low.set(v, index), index++;
    stack.push(v), onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!idx.has(w)) strongConnect(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do (w = stack.pop()!), onStack.delete(w), component.push(w);
      while (w !== v);
      components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strongConnect(v);

  const cycles: string[] = [];
  for (const component of components) {
    const members = new Set(component);
    if (new Set(component.map((f) => layerOf(f))).size < 2) continue;
    // A cross-layer cycle has an upward edge u -> v; close it with the shortest path v ... u inside the component.
    const [u, v] = component.flatMap((a) => [...graph.get(a)!].filter((b) => members.has(b) && layerOf(b)! > layerOf(a)!).map((b) => [a, b])).sort()[0];
    const prev = new Map<string, string>([[v, v]]);
    const queue = [v];
    while (queue.length && !prev.has(u)) {
      const a = queue.shift()!;
      for (const b of graph.get(a)!) if (members.has(b) && !prev.has(b)) prev.set(b, a), queue.push(b);
    }
    const path: string[] = [u];
    for (let at = u; at !== v; at = prev.get(at)!) path.unshift(prev.get(at)!);
    const cycle = [u, ...path];
    cycles.push(`cycle across layers: ${cycle.map((f) => `${f} [${LAYER_NAMES[layerOf(f)!]}]`).join(' -> ')}`);
  }
  return cycles;
}

// ---------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------

const listing = (title: string, lines: string[]) => `${lines.length} ${title}:\n  ${lines.join('\n  ')}\n`;

describe('architecture: imports follow request → adapter → core → processor → exporter', function () {
  const files = listSourceFiles();
  const edges = buildImportEdges(files);

  it('finds the source files and their imports', function () {
    expect(files).to.include('packages/core/src/index.ts');
    expect(edges.length).to.be.greaterThan(files.length);
  });

  it('every file has a layer and imports only its own layer or lower ones', function () {
    const violations = checkLayering(files, edges);
    expect(violations.length, listing('layering violation(s)', violations)).to.equal(0);
  });

  it('has no import cycle across layers 1–3 (exporter, processor, core)', function () {
    const cycles = findCrossLayerCycles(edges);
    expect(cycles.length, listing('cross-layer cycle(s)', cycles)).to.equal(0);
  });

  it('the checker itself fails on an upward import, an unclassified file and a hidden type-only import', function () {
    const exporter = 'packages/core/src/export/ConsoleExporter.ts';
    const span = 'packages/core/src/trace/AuditSpan.ts';
    const upward: ImportEdge = { from: exporter, specifier: '../trace/AuditSpan.js', line: 1, target: { kind: 'file', path: span } };
    expect(checkLayering([exporter, span], [upward])).to.deep.equal([`${exporter} -> ${span} (layer 1 exporter imports layer 3 core)`]);
    // The same pair the other way round (core importing the exporter) is fine.
    expect(checkLayering([exporter, span], [{ ...upward, from: span, target: { kind: 'file', path: exporter } }])).to.deep.equal([]);
    // And the pair in a cycle is a cross-layer cycle.
    expect(findCrossLayerCycles([upward, { ...upward, from: span, target: { kind: 'file', path: exporter } }])).to.have.length(1);

    expect(checkLayering(['packages/core/src/newfolder/thing.ts'], [])).to.deep.equal([
      'packages/core/src/newfolder/thing.ts needs a layer: add it (or its folder) to LAYER_RULES in test/architecture/layers.test.ts',
    ]);

    const refs = collectImports(
      'x.ts',
      [
        "import type { A } from './a.js';",
        "import { type B } from './b.js';",
        "export type { C } from './c.js';",
        "const d = await import('./d.js');",
        "const e = require('e');",
      ].join('\n'),
    );
    expect(refs.map((r) => r.specifier)).to.deep.equal(['./a.js', './b.js', './c.js', './d.js', 'e']);
  });
});
