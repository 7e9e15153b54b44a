/**
 * Which environment variables the code reads, found in its TypeScript source
 * (parsed with the compiler, so comments and strings that are not reads do
 * not count): the checks of docker-compose.yml, the Dockerfile and
 * .env.example compare themselves with this, so none of them can rot silently.
 *
 * A name is read when it is spelled out where a variable is read:
 * `env['NAME']`, `env.NAME` (any `…env`/`…Env`: process.env, fileEnv...),
 * a key of a zod object written in capitals (the env schemas), a string of a
 * name table (`const NAMES = {...}`, `{ env: 'NAME' }`, `portEnv: 'NAME'`),
 * or the argument of a helper that takes a variable's name. Names built from
 * a template (`${prefix}_PORT`) are listed in BUILT_NAMES with what they
 * expand to; a template shaped like a name that is in neither list is
 * reported, so a new one cannot go unnoticed.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import yaml from 'js-yaml';
import ts from 'typescript';
import { z } from 'zod';
import { workspaceRoot } from './build';
import { CALLERS_ACCEPTED_BY, SERVICE_CALLERS, callerDigestEnv, callerTokenEnv, isServiceCaller } from '@nexus/types';
import { STACK, type StackService } from './stack-services';

/** What one source file reads and imports. */
export interface FileReads {
  /** workspace-relative path */
  path: string;
  /** variable names spelled out */
  names: string[];
  /** names built from a template, each `${…}` written `*` (`*_PORT`) */
  shapes: string[];
  /** workspace-relative paths of the modules it runs (type-only imports left out) */
  imports: string[];
}

/** A family of names the code builds from a template. */
export interface BuiltName {
  path: string;
  shape: string;
  /** the names it builds in the code of `service` (its own prefix), or in any code when undefined */
  expand: (service: StackService | undefined) => string[];
}

const NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{2,}[A-Z0-9]*$/;
/** Helpers of @nexus/config that take a variable's name as their first argument. */
const NAME_TAKING = new Set(['requirePrivateKey', 'optionalPrivateKeys']);

const upperSnake = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, '_');

const ServicesFile = z.object({
  // an x402 service (`kind: x402`) has no variants and no payee key of ours
  services: z.array(z.object({ id: z.string(), kind: z.string().optional(), variants: z.array(z.object({ id: z.string() })).default([]) })),
});
const configuredServices = () => ServicesFile.parse(yaml.load(readFileSync(join(workspaceRoot, 'config/services.yaml'), 'utf8'))).services;

const ownPrefix = (service: StackService | undefined) =>
  service ? [upperSnake(service.project)] : STACK.map((s) => upperSnake(s.project));
const ownProviderIds = (service: StackService | undefined) =>
  service ? (service.serviceId ? [service.serviceId] : []) : configuredServices().flatMap((s) => (s.kind === 'x402' ? [] : [s.id]));

/** Every template of the code that builds a variable's name, and the names it builds. */
export const BUILT_NAMES: readonly BuiltName[] = [
  // loadServiceEnv(service): the service's own port and database
  { path: 'libs/config/src/service-env.ts', shape: '*_PORT', expand: (s) => ownPrefix(s).map((p) => `${p}_PORT`) },
  { path: 'libs/config/src/service-env.ts', shape: '*_DATABASE_URL', expand: (s) => ownPrefix(s).map((p) => `${p}_DATABASE_URL`) },
  // ...and its own token
  { path: 'libs/config/src/service-env.ts', shape: '*_TOKEN', expand: (s) => ownPrefix(s).map((p) => `${p}_TOKEN`) },
  // a caller's token (its own, in a service) and the token hashes of the callers a service accepts
  {
    path: 'libs/types/src/service-callers.ts',
    shape: '*_TOKEN',
    expand: (s) => (s ? (isServiceCaller(s.project) ? [s.project] : []) : SERVICE_CALLERS).map(callerTokenEnv),
  },
  {
    path: 'libs/types/src/service-callers.ts',
    shape: '*_TOKEN_SHA256',
    expand: (s) => {
      if (!s) return SERVICE_CALLERS.map(callerDigestEnv);
      const project = s.project;
      return project === 'policy' || project === 'payment' || project === 'logger' ? CALLERS_ACCEPTED_BY[project].map(callerDigestEnv) : [];
    },
  },
  // serviceEnvName(id, 'URL' | 'PAYEE'): loadConfig overrides every service of services.yaml, in whichever service loads it
  {
    path: 'libs/config/src/env-overrides.ts',
    shape: 'NEXUS_SERVICE_*_*',
    expand: () => configuredServices().flatMap(({ id }) => ['URL', 'PAYEE'].map((field) => `NEXUS_SERVICE_${upperSnake(id)}_${field}`)),
  },
  // a provider's own payee key
  {
    path: 'libs/provider-kit/src/payee-signer.ts',
    shape: '*_PAYEE_PRIVATE_KEY',
    expand: (s) => ownProviderIds(s).map((id) => `${upperSnake(id)}_PAYEE_PRIVATE_KEY`),
  },
  // IMAGE_GEN's size limit per variant of services.yaml
  {
    path: 'apps/image-gen/src/image-limits.ts',
    shape: 'IMAGE_GEN_MAX_SIDE_*',
    expand: () =>
      configuredServices()
        .filter(({ id }) => id === 'IMAGE_GEN')
        .flatMap((service) => service.variants.map((variant) => `IMAGE_GEN_MAX_SIDE_${upperSnake(variant.id)}`)),
  },
  // the e2e suite gives every service of the stack a port and a database
  { path: 'apps/e2e/src/support/stack-settings.ts', shape: '*_PORT', expand: () => STACK.map((s) => s.portEnv) },
  {
    path: 'apps/e2e/src/support/stack-settings.ts',
    shape: '*_DATABASE_URL',
    expand: () => ownPrefix(undefined).map((p) => `${p}_DATABASE_URL`),
  },
  // npm run reconcile: the URL (or port) of the policy, payment and logger services
  { path: 'tools/reconcile/settings.ts', shape: '*_URL', expand: () => STACK.flatMap((s) => (s.urlEnv ? [s.urlEnv] : [])) },
  { path: 'tools/reconcile/settings.ts', shape: '*_PORT', expand: () => STACK.flatMap((s) => (s.urlEnv ? [s.portEnv] : [])) },
];

/** Templates shaped like a variable's name that are not one. */
export const NOT_NAMES: readonly { path: string; shape: string }[] = [{ path: 'libs/provider-kit/src/paywall.ts', shape: 'HTTP_*' }];

/** A spec, or a test helper (`testing/`): their reads are the tests' own. */
export const isTestSource = (path: string) => path.endsWith('.spec.ts') || /(^|\/)testing\//.test(path);

/** This file spells names to describe them, not to read them. */
const SELF = 'tools/stack/env-reads.ts';

/** Every TypeScript source of apps/*\/src, libs/*\/src and tools (generated code and this file left out), workspace-relative. */
export function workspaceSources(): string[] {
  const roots = [
    ...['apps', 'libs'].flatMap((dir) =>
      readdirSync(join(workspaceRoot, dir), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${dir}/${entry.name}/src`),
    ),
    'tools',
  ];
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(join(workspaceRoot, dir))) return;
    for (const entry of readdirSync(join(workspaceRoot, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory() && entry.name !== 'generated' && entry.name !== 'node_modules') walk(path);
      else if (entry.isFile() && path.endsWith('.ts') && !path.endsWith('.d.ts') && path !== SELF) files.push(path);
    }
  };
  roots.forEach(walk);
  return files.sort();
}

const aliases = (() => {
  const config = ts.readConfigFile(join(workspaceRoot, 'tsconfig.base.json'), ts.sys.readFile).config as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  return new Map(Object.entries(config.compilerOptions.paths).map(([alias, [target]]) => [alias, target ?? '']));
})();

function resolveImport(from: string, specifier: string): string | undefined {
  const aliased = aliases.get(specifier);
  if (aliased) return aliased;
  if (!specifier.startsWith('.')) return undefined;
  const base = relative(workspaceRoot, resolve(workspaceRoot, dirname(from), specifier));
  return [`${base}.ts`, `${base}/index.ts`, base].find(
    (candidate) => candidate.endsWith('.ts') && existsSync(join(workspaceRoot, candidate)),
  );
}

const isEnvObject = (node: ts.Expression) =>
  (ts.isIdentifier(node) && /env$/i.test(node.text)) || (ts.isPropertyAccessExpression(node) && /env$/i.test(node.name.text));

function shapeOf(template: ts.TemplateExpression): string {
  return template.head.text + template.templateSpans.map((span) => `*${span.literal.text}`).join('');
}

const cache = new Map<string, FileReads>();

/** What `path` (workspace-relative) reads and imports. */
export function readsOf(path: string): FileReads {
  const cached = cache.get(path);
  if (cached) return cached;
  const source = ts.createSourceFile(path, readFileSync(join(workspaceRoot, path), 'utf8'), ts.ScriptTarget.Latest, true);
  const names = new Set<string>();
  const shapes = new Set<string>();
  const imports = new Set<string>();
  /** A name spelled out in `node`, or in either branch of `cond ? 'A' : 'B'`. */
  const name = (node: ts.Node | undefined): void => {
    if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && NAME.test(node.text)) names.add(node.text);
    else if (node && ts.isConditionalExpression(node)) [node.whenTrue, node.whenFalse].forEach(name);
    else if (node && ts.isParenthesizedExpression(node)) name(node.expression);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isElementAccessExpression(node) && isEnvObject(node.expression)) name(node.argumentExpression);
    else if (ts.isPropertyAccessExpression(node) && isEnvObject(node.expression) && NAME.test(node.name.text)) names.add(node.name.text);
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && /^names$/i.test(node.name.text) && node.initializer) {
      const table = ts.isAsExpression(node.initializer) ? node.initializer.expression : node.initializer;
      if (ts.isObjectLiteralExpression(table)) for (const p of table.properties) if (ts.isPropertyAssignment(p)) name(p.initializer);
    } else if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && /^(env|\w+Env|\w+Name)$/.test(node.name.text))
      name(node.initializer); // `{ privateName: 'POLICY_GRANT_PRIVATE_KEY' }`: a table of variables read by name
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee) && NAME_TAKING.has(callee.text)) name(node.arguments[0]);
      const argument = node.arguments[0];
      const isZodObject = ts.isPropertyAccessExpression(callee) && callee.name.text === 'object' && callee.expression.getText() === 'z';
      if (isZodObject && argument && ts.isObjectLiteralExpression(argument)) {
        for (const p of argument.properties) if (p.name && ts.isIdentifier(p.name) && NAME.test(p.name.text)) names.add(p.name.text);
      }
      if (ts.isIdentifier(callee) && ['require', 'import'].includes(callee.text)) {
        const target = argument && ts.isStringLiteral(argument) ? resolveImport(path, argument.text) : undefined;
        if (target) imports.add(target);
      }
    } else if (ts.isTemplateExpression(node)) {
      const shape = shapeOf(node);
      if (/^[A-Z0-9_*]+$/.test(shape) && /[A-Z]{2}/.test(shape)) shapes.add(shape);
    } else if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
      const target = ts.isStringLiteral(node.moduleSpecifier) ? resolveImport(path, node.moduleSpecifier.text) : undefined;
      if (target && !typeOnly) imports.add(target);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const reads: FileReads = { path, names: [...names].sort(), shapes: [...shapes].sort(), imports: [...imports].sort() };
  cache.set(path, reads);
  return reads;
}

/** `entry` and every workspace module it runs, transitively. */
export function reachFrom(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    if (seen.has(path)) continue;
    seen.add(path);
    queue.push(...readsOf(path).imports);
  }
  return [...seen].sort();
}

export interface NamesRead {
  /** name → the files that read it */
  names: Map<string, string[]>;
  /** templates shaped like a name that BUILT_NAMES and NOT_NAMES do not know, as `path: shape` */
  unknownTemplates: string[];
}

/** The names `paths` read; built names expanded for `service` (the service running that code), or for any. */
export function namesRead(paths: readonly string[], service?: StackService): NamesRead {
  const names = new Map<string, string[]>();
  const add = (name: string, path: string) => names.set(name, [...(names.get(name) ?? []), path]);
  const unknownTemplates: string[] = [];
  for (const path of paths) {
    const reads = readsOf(path);
    for (const name of reads.names) add(name, path);
    for (const shape of reads.shapes) {
      const built = BUILT_NAMES.find((b) => b.path === path && b.shape === shape);
      if (built) for (const name of built.expand(service)) add(name, path);
      else if (!NOT_NAMES.some((n) => n.path === path && n.shape === shape)) unknownTemplates.push(`${path}: ${shape}`);
    }
  }
  return { names, unknownTemplates };
}

/** One variable of .env.example: `NAME=value`, or `# NAME=value` when it is left unset. */
export interface ExampleEntry {
  name: string;
  /** 1-based */
  line: number;
  /** the title of the `# --- Title ---` heading it is under */
  section: string;
  /** the line is `# NAME=...`: unset unless copied */
  commented: boolean;
  /** the nearest line above it that is not a variable: its comment, unless it is blank or a heading */
  above: string;
}

const ENTRY = /^(#\s*)?([A-Z][A-Z0-9_]*)=/;
const HEADING = /^#\s*---\s*(.*?)\s*-*\s*$/;

/** The variables .env.example lists, in order. */
export function parseEnvExample(text: string): ExampleEntry[] {
  const lines = text.split('\n');
  const entries: ExampleEntry[] = [];
  let section = '';
  let above = '';
  lines.forEach((line, index) => {
    const heading = HEADING.exec(line);
    const entry = ENTRY.exec(line);
    if (heading) section = heading[1] ?? '';
    if (entry?.[2]) entries.push({ name: entry[2], line: index + 1, section, commented: entry[1] !== undefined, above });
    else above = heading ? '' : line.trim();
  });
  return entries;
}
