import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error';
import { collectOverrides, setPath, type ConfigFileName, type Override } from './env-overrides';
import {
  AgentsFile,
  PolicyFile,
  ServicesFile,
  type AgentConfig,
  type PolicySettings,
  type ServiceConfig,
  type X402ServiceConfig,
} from './schemas';

export interface NexusConfig {
  dir: string;
  agents: AgentConfig[];
  /** our providers */
  services: ServiceConfig[];
  /** external x402 services (`kind: x402`) */
  x402Services: X402ServiceConfig[];
  policy: PolicySettings;
}

export interface LoadConfigOptions {
  /** Directory holding the three files; `NEXUS_CONFIG_DIR`, else `./config`. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads, overrides from the environment and validates the three config files; throws ConfigError listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): NexusConfig {
  const env = options.env ?? process.env;
  const dir = resolve(options.dir ?? (env['NEXUS_CONFIG_DIR'] || 'config'));
  const problems: ConfigProblem[] = [];

  const raw = {
    'agents.yaml': readYaml(dir, 'agents.yaml', problems),
    'services.yaml': readYaml(dir, 'services.yaml', problems),
    'policy.yaml': readYaml(dir, 'policy.yaml', problems),
  };
  const overrides = collectOverrides(env, raw['services.yaml']);
  // A file that could not be read is already reported; an override must not invent one.
  for (const o of overrides) if (raw[o.file] !== undefined) raw[o.file] = setPath(raw[o.file], o.path, o.value);

  const agents = validate(AgentsFile, raw, 'agents.yaml', dir, overrides, problems);
  const services = validate(ServicesFile, raw, 'services.yaml', dir, overrides, problems);
  const policy = validate(PolicyFile, raw, 'policy.yaml', dir, overrides, problems);

  const split = services ? splitServices(services.services) : undefined;
  if (split) problems.push(...checkServices(split, services?.services ?? [], resolve(dir, 'services.yaml')));
  if (agents) problems.push(...checkAgents(agents.agents, services?.services, resolve(dir, 'agents.yaml')));
  if (agents && policy) problems.push(...checkWindows(agents.agents, policy.policy, resolve(dir, 'agents.yaml')));
  if (problems.length > 0 || !agents || !split || !policy) throw new ConfigError(problems);
  return { dir, agents: agents.agents, ...split, policy: policy.policy };
}

function readYaml(dir: string, file: ConfigFileName, problems: ConfigProblem[]): unknown {
  const path = resolve(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown error';
    problems.push({ source: path, path: '', message: `cannot be read (${code})` });
    return undefined;
  }
  try {
    const document = yaml.load(text, { filename: path }) as unknown;
    // An empty (or comments-only) file loads as undefined, which would otherwise fail start-up with no problem listed.
    if (document === undefined) problems.push({ source: path, path: '', message: 'is empty' });
    return document;
  } catch (error: unknown) {
    const message =
      error instanceof yaml.YAMLException
        ? `is not valid YAML: ${error.reason} (line ${error.mark.line + 1}, column ${error.mark.column + 1})`
        : 'is not valid YAML';
    problems.push({ source: path, path: '', message });
    return undefined;
  }
}

function validate<T extends z.ZodType>(
  schema: T,
  raw: Record<ConfigFileName, unknown>,
  file: ConfigFileName,
  dir: string,
  overrides: readonly Override[],
  problems: ConfigProblem[],
): z.infer<T> | undefined {
  const value = raw[file];
  if (value === undefined) return undefined; // already reported by readYaml
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = issue.path.map(String);
    const override = overrides.find((o) => o.file === file && o.path.every((segment, i) => String(segment) === path[i]));
    problems.push({
      source: override ? `environment variable ${override.env}` : resolve(dir, file),
      path: path.join('.'),
      message: issue.message,
    });
  }
  return undefined;
}

function duplicates(ids: readonly string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

type ServiceEntry = z.infer<typeof ServicesFile>['services'][number];

/** Our providers, and the x402 services, each without its `kind`. */
function splitServices(entries: readonly ServiceEntry[]): Pick<NexusConfig, 'services' | 'x402Services'> {
  const services: ServiceConfig[] = [];
  const x402Services: X402ServiceConfig[] = [];
  for (const entry of entries) {
    if (entry.kind === 'x402') x402Services.push(entry);
    else services.push(withoutKind(entry));
  }
  return { services, x402Services };
}

/** A provider's entry as ServiceConfig has it: `kind` only tells the two apart in the file. */
function withoutKind(entry: ServiceConfig & { kind: 'provider' }): ServiceConfig {
  const service: Partial<typeof entry> = { ...entry };
  delete service.kind;
  return service as ServiceConfig;
}

function checkServices(
  { services }: Pick<NexusConfig, 'services' | 'x402Services'>,
  entries: readonly ServiceEntry[],
  source: string,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const id of duplicates(entries.map((s) => s.id))) {
    problems.push({ source, path: 'services', message: `service id "${id}" appears more than once` });
  }
  services.forEach((service) => {
    const i = entries.findIndex((entry) => entry.id === service.id);
    const variantIds = service.variants.map((v) => v.id);
    for (const id of duplicates(variantIds)) {
      problems.push({ source, path: `services.${i}.variants`, message: `variant id "${id}" appears more than once` });
    }
    if (!variantIds.includes(service.defaultVariant)) {
      problems.push({
        source,
        path: `services.${i}.defaultVariant`,
        message: `"${service.defaultVariant}" is not one of the variants (${variantIds.join(', ')})`,
      });
    }
  });
  return problems;
}

/**
 * Weekly and monthly windows sum the budget periods that start in them, which
 * is exact only when periods are days (a week or a month may cross a window).
 */
function checkWindows(agents: readonly AgentConfig[], policy: PolicySettings, source: string): ConfigProblem[] {
  if (policy.period.length === 'daily') return [];
  return agents.flatMap((agent, i) =>
    (['weeklyBudget', 'monthlyBudget'] as const)
      .filter((field) => agent[field] !== undefined)
      .map((field) => ({
        source,
        path: `agents.${i}.${field}`,
        message: `needs policy.yaml period.length daily (it is ${policy.period.length})`,
      })),
  );
}

function checkAgents(agents: readonly AgentConfig[], services: readonly ServiceEntry[] | undefined, source: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const id of duplicates(agents.map((a) => a.id))) {
    problems.push({ source, path: 'agents', message: `agent id "${id}" appears more than once` });
  }
  if (!services) return problems;
  const known = new Set(services.map((s) => s.id));
  agents.forEach((agent, i) => {
    agent.allowedServices.forEach((serviceId, j) => {
      if (!known.has(serviceId)) {
        problems.push({
          source,
          path: `agents.${i}.allowedServices.${j}`,
          message: `"${serviceId}" is not a service in services.yaml`,
        });
      }
    });
    for (const serviceId of Object.keys(agent.approvalAboveByService ?? {})) {
      if (!agent.allowedServices.includes(serviceId)) {
        problems.push({
          source,
          path: `agents.${i}.approvalAboveByService.${serviceId}`,
          message: `"${serviceId}" is not one of this agent's allowedServices`,
        });
      }
    }
  });
  return problems;
}
