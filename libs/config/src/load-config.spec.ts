import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config';
import { configErrorOf, problemsOf } from './testing/config-error-of';

const SHIPPED = join(__dirname, '../../../config');
type FileName = 'agents.yaml' | 'services.yaml' | 'policy.yaml';

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh copy of the shipped config to break. */
function copyConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-config-'));
  tempDirs.push(dir);
  cpSync(SHIPPED, dir, { recursive: true });
  return dir;
}

/** Replaces text in one file of `dir`, failing loudly if the text is not there (so a test cannot pass by editing nothing). */
function edit(dir: string, file: FileName, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`test setup: ${file} has no ${JSON.stringify(from)}`);
  writeFileSync(path, text.replace(from, to));
}

describe('loadConfig', () => {
  it('loads the shipped config with its agents, services and policy', () => {
    const config = loadConfig({ dir: SHIPPED, env: {} });

    expect(config.dir).toBe(SHIPPED);
    expect(config.agents.map((a) => a.id)).toEqual(['user-agent', 'batch-agent', 'ops-agent']);
    expect(config.agents[0]).toMatchObject({ priority: 'HIGH', dailyBudget: '5.00', maxPerCall: '1.00' });
    expect(config.services.map((s) => s.id)).toEqual(['IMAGE_GEN', 'PRICE_ORACLE', 'BATCH_COMPUTE', 'LOG_ARCHIVE']);
    expect(config.services.find((s) => s.id === 'LOG_ARCHIVE')?.variants.map((v) => v.id)).toEqual(['full', 'summary']);
    expect(config.services.every((s) => s.pressureDowngrade)).toBe(true);
    expect(config.policy).toMatchObject({
      period: { length: 'daily', timeZone: 'UTC' },
      holds: { ttlSeconds: 120, sweepIntervalSeconds: 15 },
      treasury: { dailyLimit: '8.00' },
      reserve: { highShare: 0.5, restrictedPriorities: ['LOW', 'MEDIUM'] },
      budgetPressure: { fraction: 0.25 },
      alerts: { treasuryBelow: '100.00' },
    });
  });

  it('reports a broken YAML file with its path and the line of the fault', () => {
    const dir = copyConfig();
    // A duplicated key on line 10 of the rewritten file.
    edit(dir, 'agents.yaml', '    priority: HIGH\n', '    priority: HIGH\n    priority: LOW\n');
    const lines = readFileSync(join(dir, 'agents.yaml'), 'utf8').split('\n');
    const faultLine = lines.indexOf('    priority: LOW') + 1;

    const error = configErrorOf(() => loadConfig({ dir, env: {} }));

    expect(error.problems).toEqual([
      {
        source: join(dir, 'agents.yaml'),
        path: '',
        message: expect.stringMatching(new RegExp(`^is not valid YAML: .*\\(line ${faultLine}, column \\d+\\)$`)),
      },
    ]);
    expect(error.message).toContain(join(dir, 'agents.yaml'));
    expect(error.message).toContain(`line ${faultLine}`);
  });

  it('reports an unterminated flow sequence as invalid YAML rather than as schema problems', () => {
    const dir = copyConfig();
    edit(dir, 'services.yaml', 'payee: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"', 'payee: [0x7099');

    const problems = problemsOf(() => loadConfig({ dir, env: {} }));

    expect(problems).toHaveLength(1);
    expect(problems[0]?.source).toBe(join(dir, 'services.yaml'));
    expect(problems[0]?.message).toMatch(/^is not valid YAML: .*line \d+/);
  });

  it('lists one problem per schema issue, each with the file and the dotted path', () => {
    const dir = copyConfig();
    const source = join(dir, 'agents.yaml');
    edit(dir, 'agents.yaml', 'dailyBudget: "5.00"', 'dailyBudget: 5.00'); // money as a YAML number
    edit(dir, 'agents.yaml', 'priority: LOW', 'priority: URGENT'); // unknown priority
    edit(dir, 'agents.yaml', '    maxPerCall: "0.50"\n', ''); // missing field (ops-agent)
    edit(dir, 'agents.yaml', '    name: Back-office batch worker\n', '    name: Back-office batch worker\n    colour: blue\n'); // unknown key

    const problems = problemsOf(() => loadConfig({ dir, env: {} }));

    expect(problems).toHaveLength(4);
    expect(problems.every((p) => p.source === source)).toBe(true);
    const byPath = new Map(problems.map((p) => [p.path, p.message]));
    expect(byPath.get('agents.0.dailyBudget')).toContain('not a number');
    expect(byPath.get('agents.1.priority')).toMatch(/HIGH.*MEDIUM.*LOW/);
    expect(byPath.get('agents.2.maxPerCall')).toBe('is required');
    expect(byPath.get('agents.1')).toContain('colour');
  });

  it('lists the problems of every file at once', () => {
    const dir = copyConfig();
    edit(dir, 'agents.yaml', 'maxPerCall: "2.00"', 'maxPerCall: "two"');
    edit(dir, 'services.yaml', '"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"', '"0x3C44"');
    edit(dir, 'services.yaml', 'providerUrl: http://127.0.0.1:8004', 'providerUrl: ftp://127.0.0.1:8004');
    edit(dir, 'policy.yaml', 'highShare: 0.5', 'highShare: 1.5');

    const error = configErrorOf(() => loadConfig({ dir, env: {} }));

    expect(error.problems.map((p) => [p.source, p.path])).toEqual([
      [join(dir, 'agents.yaml'), 'agents.1.maxPerCall'],
      [join(dir, 'services.yaml'), 'services.1.payee'],
      [join(dir, 'services.yaml'), 'services.3.providerUrl'],
      [join(dir, 'policy.yaml'), 'policy.reserve.highShare'],
    ]);
    expect(error.message).toMatch(/^invalid configuration \(4 problems\):/);
    expect(error.message).toContain(`${join(dir, 'services.yaml')} at services.1.payee: must be a 0x-prefixed 20-byte hex address`);
  });

  it('reports a missing file and still checks the others', () => {
    const dir = copyConfig();
    rmSync(join(dir, 'policy.yaml'));
    edit(dir, 'agents.yaml', 'priority: MEDIUM', 'priority: medium');

    const problems = problemsOf(() => loadConfig({ dir, env: {} }));

    expect(problems).toEqual([
      { source: join(dir, 'policy.yaml'), path: '', message: 'cannot be read (ENOENT)' },
      { source: join(dir, 'agents.yaml'), path: 'agents.2.priority', message: expect.any(String) },
    ]);
  });

  it('reports a missing file only once even when an environment variable overrides a value in it', () => {
    const dir = copyConfig();
    rmSync(join(dir, 'policy.yaml'));

    const problems = problemsOf(() => loadConfig({ dir, env: { NEXUS_HOLD_TTL_SECONDS: '30' } }));

    expect(problems).toEqual([{ source: join(dir, 'policy.yaml'), path: '', message: 'cannot be read (ENOENT)' }]);
  });

  it('reports an empty file instead of failing with no problem listed', () => {
    const dir = copyConfig();
    writeFileSync(join(dir, 'services.yaml'), '');

    const error = configErrorOf(() => loadConfig({ dir, env: {} }));

    expect(error.problems).toEqual([{ source: join(dir, 'services.yaml'), path: '', message: 'is empty' }]);
    expect(error.message).toMatch(/^invalid configuration \(1 problem\):/);
  });

  it('reports a file holding only comments as a problem with the whole file', () => {
    const dir = copyConfig();
    writeFileSync(join(dir, 'policy.yaml'), '# nothing here yet\n');

    const problems = problemsOf(() => loadConfig({ dir, env: {} }));

    expect(problems).toEqual([{ source: join(dir, 'policy.yaml'), path: '', message: expect.any(String) }]);
  });

  it('refuses an agent allowed a service that services.yaml does not define', () => {
    const dir = copyConfig();
    edit(dir, 'agents.yaml', '[BATCH_COMPUTE, PRICE_ORACLE, LOG_ARCHIVE]', '[BATCH_COMPUTE, WEATHER, LOG_ARCHIVE]');

    const problems = problemsOf(() => loadConfig({ dir, env: {} }));

    expect(problems).toEqual([
      {
        source: join(dir, 'agents.yaml'),
        path: 'agents.1.allowedServices.1',
        message: '"WEATHER" is not a service in services.yaml',
      },
    ]);
  });

  it('reads approval thresholds, and refuses one for a service the agent may not use', () => {
    const dir = copyConfig();
    edit(
      dir,
      'agents.yaml',
      '    maxPerCall: "1.00"\n',
      '    maxPerCall: "1.00"\n    approvalAbove: "0.50"\n    approvalAboveByService: { IMAGE_GEN: "0.40" }\n',
    );
    expect(loadConfig({ dir, env: {} }).agents[0]).toMatchObject({ approvalAbove: '0.50', approvalAboveByService: { IMAGE_GEN: '0.40' } });

    edit(dir, 'agents.yaml', '{ IMAGE_GEN: "0.40" }', '{ BATCH_COMPUTE: "0.40" }');
    expect(problemsOf(() => loadConfig({ dir, env: {} }))).toEqual([
      {
        source: join(dir, 'agents.yaml'),
        path: 'agents.0.approvalAboveByService.BATCH_COMPUTE',
        message: '"BATCH_COMPUTE" is not one of this agent\'s allowedServices',
      },
    ]);
  });

  it('loads budget windows, alert thresholds and rollover, with their defaults', () => {
    const config = loadConfig({ dir: SHIPPED, env: {} });
    expect(config.agents.every((a) => a.weeklyBudget === undefined && a.monthlyBudget === undefined)).toBe(true);
    expect(config.policy.alerts).toMatchObject({ budgetThresholds: [50, 80, 95, 100], rejectionSpike: { count: 10, minutes: 5 } });
    expect(config.policy.rollover).toEqual({ enabled: false, maxCarry: '1.00' });
  });

  it('refuses weekly and monthly windows unless periods are days, and bad alert thresholds', () => {
    const dir = copyConfig();
    edit(dir, 'policy.yaml', 'length: daily', 'length: weekly');
    edit(dir, 'agents.yaml', '    dailyBudget: "1.00"\n', '    dailyBudget: "1.00"\n    alertThresholds: [50, 50, 120]\n');

    const problems = problemsOf(() => loadConfig({ dir, env: {} }));

    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['agents.2.alertThresholds.2', expect.stringContaining('100')],
      ['agents.2.alertThresholds', 'must not repeat a threshold'],
    ]);
    edit(dir, 'agents.yaml', '    alertThresholds: [50, 50, 120]\n', '');
    edit(dir, 'agents.yaml', '    # weeklyBudget: "30.00"', '    weeklyBudget: "30.00"');
    edit(dir, 'agents.yaml', '    # monthlyBudget: "100.00"', '    monthlyBudget: "100.00"');
    expect(problemsOf(() => loadConfig({ dir, env: {} }))).toEqual([
      { source: join(dir, 'agents.yaml'), path: 'agents.1.weeklyBudget', message: 'needs policy.yaml period.length daily (it is weekly)' },
      { source: join(dir, 'agents.yaml'), path: 'agents.1.monthlyBudget', message: 'needs policy.yaml period.length daily (it is weekly)' },
    ]);
  });

  it('refuses a defaultVariant that is not among the variants', () => {
    const dir = copyConfig();
    edit(dir, 'services.yaml', 'defaultVariant: full', 'defaultVariant: premium');

    const problems = problemsOf(() => loadConfig({ dir, env: {} }));

    expect(problems).toEqual([
      {
        source: join(dir, 'services.yaml'),
        path: 'services.3.defaultVariant',
        message: '"premium" is not one of the variants (full, summary)',
      },
    ]);
  });

  it('refuses duplicate agent, service and variant ids', () => {
    const dir = copyConfig();
    edit(dir, 'agents.yaml', 'id: ops-agent', 'id: user-agent');
    edit(dir, 'services.yaml', 'id: BATCH_COMPUTE', 'id: PRICE_ORACLE');
    edit(dir, 'services.yaml', 'id: summary', 'id: full');
    edit(dir, 'agents.yaml', '[BATCH_COMPUTE, PRICE_ORACLE, LOG_ARCHIVE]', '[PRICE_ORACLE, LOG_ARCHIVE]');

    const problems = problemsOf(() => loadConfig({ dir, env: {} }));

    expect(problems).toEqual(
      expect.arrayContaining([
        { source: join(dir, 'services.yaml'), path: 'services', message: 'service id "PRICE_ORACLE" appears more than once' },
        { source: join(dir, 'services.yaml'), path: 'services.3.variants', message: 'variant id "full" appears more than once' },
        { source: join(dir, 'agents.yaml'), path: 'agents', message: 'agent id "user-agent" appears more than once' },
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('applies environment overrides over the files', () => {
    const payee = '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc';
    const config = loadConfig({
      dir: SHIPPED,
      env: {
        NEXUS_HOLD_TTL_SECONDS: '300',
        NEXUS_TIME_ZONE: 'Europe/Paris',
        NEXUS_SERVICE_PRICE_ORACLE_URL: 'http://127.0.0.1:9002',
        NEXUS_SERVICE_LOG_ARCHIVE_PAYEE: payee,
        NEXUS_TREASURY_DAILY_LIMIT: '12.50',
      },
    });

    expect(config.policy.holds.ttlSeconds).toBe(300);
    expect(config.policy.period.timeZone).toBe('Europe/Paris');
    expect(config.policy.treasury.dailyLimit).toBe('12.50');
    const byId = new Map(config.services.map((s) => [s.id, s]));
    expect(byId.get('PRICE_ORACLE')?.providerUrl).toBe('http://127.0.0.1:9002');
    expect(byId.get('LOG_ARCHIVE')?.payee).toBe(payee);
    // Untouched values keep their file values.
    expect(byId.get('IMAGE_GEN')?.providerUrl).toBe('http://127.0.0.1:8001');
    expect(byId.get('PRICE_ORACLE')?.payee).toBe('0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC');
    expect(config.policy.holds.sweepIntervalSeconds).toBe(15);
  });

  it('ignores empty environment variables', () => {
    const config = loadConfig({ dir: SHIPPED, env: { NEXUS_HOLD_TTL_SECONDS: '', NEXUS_SERVICE_IMAGE_GEN_URL: '' } });

    expect(config.policy.holds.ttlSeconds).toBe(120);
    expect(config.services[0]?.providerUrl).toBe('http://127.0.0.1:8001');
  });

  it('reports a bad override naming the environment variable, not the file', () => {
    const problems = problemsOf(() =>
      loadConfig({
        dir: SHIPPED,
        env: {
          NEXUS_HOLD_TTL_SECONDS: 'soon',
          NEXUS_TREASURY_DAILY_LIMIT: 'lots',
          NEXUS_SERVICE_LOG_ARCHIVE_PAYEE: '0x1234',
          NEXUS_SERVICE_PRICE_ORACLE_URL: 'not a url',
        },
      }),
    );

    expect(problems.map((p) => [p.source, p.path])).toEqual([
      ['environment variable NEXUS_SERVICE_PRICE_ORACLE_URL', 'services.1.providerUrl'],
      ['environment variable NEXUS_SERVICE_LOG_ARCHIVE_PAYEE', 'services.3.payee'],
      ['environment variable NEXUS_HOLD_TTL_SECONDS', 'policy.holds.ttlSeconds'],
      ['environment variable NEXUS_TREASURY_DAILY_LIMIT', 'policy.treasury.dailyLimit'],
    ]);
  });

  it('reads the directory named by NEXUS_CONFIG_DIR when no dir is given', () => {
    const dir = copyConfig();
    edit(dir, 'policy.yaml', 'ttlSeconds: 120', 'ttlSeconds: 45');

    const config = loadConfig({ env: { NEXUS_CONFIG_DIR: dir } });

    expect(config.dir).toBe(dir);
    expect(config.policy.holds.ttlSeconds).toBe(45);
  });

  it('prefers the dir option over NEXUS_CONFIG_DIR', () => {
    const dir = copyConfig();
    edit(dir, 'policy.yaml', 'ttlSeconds: 120', 'ttlSeconds: 45');

    const config = loadConfig({ dir: SHIPPED, env: { NEXUS_CONFIG_DIR: dir } });

    expect(config.policy.holds.ttlSeconds).toBe(120);
  });

  it('refuses a time zone that is not an IANA zone, from the file or the environment', () => {
    const dir = copyConfig();
    edit(dir, 'policy.yaml', 'timeZone: UTC', 'timeZone: Mars/Olympus_Mons');

    expect(problemsOf(() => loadConfig({ dir, env: {} }))).toEqual([
      { source: join(dir, 'policy.yaml'), path: 'policy.period.timeZone', message: expect.stringContaining('IANA time zone') },
    ]);
    expect(problemsOf(() => loadConfig({ dir: SHIPPED, env: { NEXUS_TIME_ZONE: 'Central European' } }))).toEqual([
      {
        source: 'environment variable NEXUS_TIME_ZONE',
        path: 'policy.period.timeZone',
        message: expect.stringContaining('IANA time zone'),
      },
    ]);
  });

  describe('x402 services (kind: x402)', () => {
    it('loads them apart from our providers, with their defaults', () => {
      const config = loadConfig({ dir: SHIPPED, env: {} });
      expect(config.x402Services).toEqual([
        expect.objectContaining({
          id: 'EXT_WEATHER',
          kind: 'x402',
          url: 'http://127.0.0.1:8010/weather',
          method: 'GET',
          maxPrice: '0.10',
          payTo: '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc',
          input: { schema: expect.objectContaining({ type: 'object', required: ['city'] }) },
        }),
      ]);
      expect(config.services.map((s) => s.id)).not.toContain('EXT_WEATHER');
    });

    it('takes the url and payee overrides of the environment as url and payTo', () => {
      const env = { NEXUS_SERVICE_EXT_WEATHER_URL: 'http://127.0.0.1:9999/w', NEXUS_SERVICE_EXT_WEATHER_PAYEE: `0x${'a'.repeat(40)}` };
      expect(loadConfig({ dir: SHIPPED, env }).x402Services[0]).toMatchObject({
        url: env.NEXUS_SERVICE_EXT_WEATHER_URL,
        payTo: `0x${'a'.repeat(40)}`,
      });
    });

    it.each([
      ['a missing payTo', '    payTo: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"\n', '', 'payTo'],
      ['maxPrice as a number', 'maxPrice: "0.10"', 'maxPrice: 0.10', 'maxPrice'],
      ['a zero maxPrice', 'maxPrice: "0.10"', 'maxPrice: "0"', 'maxPrice'],
      ['a method other than GET or POST', 'method: GET', 'method: DELETE', 'method'],
      ['an input schema that is not an object', '        type: object\n', '        type: string\n', 'input'],
      ['a provider field', 'method: GET', 'method: GET\n    variants: []', ''],
    ])('refuses %s, naming the entry', (_name, from, to, field) => {
      const dir = copyConfig();
      edit(dir, 'services.yaml', from, to);
      const paths = problemsOf(() => loadConfig({ dir, env: {} })).map((problem) => problem.path);
      expect(paths.some((path) => path.startsWith('services.4') && path.includes(field))).toBe(true);
    });

    it('refuses an x402 service with the id of a provider', () => {
      const dir = copyConfig();
      edit(dir, 'services.yaml', 'id: EXT_WEATHER', 'id: PRICE_ORACLE');
      edit(dir, 'agents.yaml', ', EXT_WEATHER]', ']');
      expect(problemsOf(() => loadConfig({ dir, env: {} }))).toContainEqual(
        expect.objectContaining({ path: 'services', message: 'service id "PRICE_ORACLE" appears more than once' }),
      );
    });
  });
});
