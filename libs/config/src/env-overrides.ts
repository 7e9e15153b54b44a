/**
 * Environment variables that override a value of a config file. Applied to the
 * raw YAML before validation, so a bad override is reported like a bad file
 * value, naming the variable.
 */
export type ConfigFileName = 'agents.yaml' | 'services.yaml' | 'policy.yaml';

export interface Override {
  env: string;
  file: ConfigFileName;
  path: (string | number)[];
  value: unknown;
}

const POLICY_OVERRIDES: { env: string; path: string[]; kind: 'string' | 'number' }[] = [
  { env: 'NEXUS_PERIOD_LENGTH', path: ['policy', 'period', 'length'], kind: 'string' },
  { env: 'NEXUS_TIME_ZONE', path: ['policy', 'period', 'timeZone'], kind: 'string' },
  { env: 'NEXUS_HOLD_TTL_SECONDS', path: ['policy', 'holds', 'ttlSeconds'], kind: 'number' },
  { env: 'NEXUS_HOLD_SWEEP_SECONDS', path: ['policy', 'holds', 'sweepIntervalSeconds'], kind: 'number' },
  { env: 'NEXUS_TREASURY_DAILY_LIMIT', path: ['policy', 'treasury', 'dailyLimit'], kind: 'string' },
  { env: 'NEXUS_RESERVE_HIGH_SHARE', path: ['policy', 'reserve', 'highShare'], kind: 'number' },
  { env: 'NEXUS_BUDGET_PRESSURE_FRACTION', path: ['policy', 'budgetPressure', 'fraction'], kind: 'number' },
];

/** `LOG_ARCHIVE` → `NEXUS_SERVICE_LOG_ARCHIVE_URL`. */
export function serviceEnvName(serviceId: string, field: 'URL' | 'PAYEE'): string {
  return `NEXUS_SERVICE_${serviceId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${field}`;
}

function parseNumber(raw: string): unknown {
  const value = Number(raw);
  return raw.trim() !== '' && Number.isFinite(value) ? value : raw;
}

/** The overrides the environment asks for, given the raw services file (to find each service's index). */
export function collectOverrides(env: NodeJS.ProcessEnv, rawServices: unknown): Override[] {
  const overrides: Override[] = [];
  for (const { env: name, path, kind } of POLICY_OVERRIDES) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    overrides.push({ env: name, file: 'policy.yaml', path, value: kind === 'number' ? parseNumber(raw) : raw });
  }
  const services = isRecord(rawServices) && Array.isArray(rawServices['services']) ? rawServices['services'] : [];
  services.forEach((service: unknown, index) => {
    if (!isRecord(service) || typeof service['id'] !== 'string') return;
    // an x402 service (docs/x402.md) names the same two as `url` and `payTo`
    const x402 = service['kind'] === 'x402';
    const fields = [
      ['URL', x402 ? 'url' : 'providerUrl'],
      ['PAYEE', x402 ? 'payTo' : 'payee'],
    ] as const;
    for (const [suffix, key] of fields) {
      const name = serviceEnvName(service['id'], suffix);
      const raw = env[name];
      if (raw !== undefined && raw !== '') {
        overrides.push({ env: name, file: 'services.yaml', path: ['services', index, key], value: raw });
      }
    }
  });
  return overrides;
}

/** Writes `value` at `path` inside `target`, creating objects on the way. */
export function setPath(target: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(target) && typeof head === 'number') {
    const copy: unknown[] = [...target];
    copy[head] = setPath(copy[head], rest, value);
    return copy;
  }
  const container: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  container[String(head)] = setPath(container[String(head)], rest, value);
  return container;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
