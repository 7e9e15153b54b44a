import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { z } from 'zod';
import { workspaceRoot } from './build';
import { STACK } from './stack-services';

/** The parts of docker-compose.yml these checks read. */
const Compose = z.object({
  services: z.record(
    z.string(),
    z.object({
      build: z.object({ context: z.string(), target: z.string().optional(), args: z.object({ APP: z.string() }).optional() }).optional(),
      env_file: z.string().optional(),
      environment: z.record(z.string(), z.string()).optional(),
      ports: z.array(z.string()).optional(),
      volumes: z.array(z.string()).optional(),
      depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
      healthcheck: z.object({ test: z.array(z.string()) }),
    }),
  ),
});

const read = (file: string) => readFileSync(join(workspaceRoot, file), 'utf8');
const compose = Compose.parse(yaml.load(read('docker-compose.yml')));
/** Services built from an Nx app (`--build-arg APP=<project>`). */
const appServices = Object.entries(compose.services).filter(([, s]) => s.build?.args !== undefined);
const portEnvOf = (project: string) => `${project.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORT`;
const documented = new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

describe('docker-compose.yml', () => {
  it('runs every app of the stack, each built from its own Nx app project', () => {
    const names = appServices.map(([name]) => name);
    for (const s of STACK) expect(names).toContain(s.project);
    for (const [name, service] of appServices) {
      expect(existsSync(join(workspaceRoot, 'apps', name, 'project.json'))).toBe(true);
      expect(service.build?.args?.APP).toBe(name);
    }
  });

  it('publishes each app on its own port, tells it that port, and health-checks /health there', () => {
    for (const [name, service] of appServices) {
      const port = service.environment?.[portEnvOf(name)];
      expect(port).toMatch(/^\d+$/);
      expect(service.ports).toContain(`${port}:${port}`);
      expect(service.healthcheck.test.join(' ')).toContain(`127.0.0.1:${port}/health`);
    }
    for (const stackService of STACK) {
      expect(stackService.portEnv).toBe(portEnvOf(stackService.project));
      expect(compose.services[stackService.project]?.environment?.[stackService.portEnv]).toBe(String(stackService.port));
    }
  });

  it('starts services only once their dependencies are healthy', () => {
    for (const service of Object.values(compose.services)) {
      for (const dependency of Object.values(service.depends_on ?? {})) expect(dependency.condition).toBe('service_healthy');
    }
  });

  it('takes secrets from .env only, and every variable it sets is documented in .env.example', () => {
    const text = read('docker-compose.yml');
    expect(text).not.toMatch(/(TOKEN|KEYS?|PASSWORD):\s*["']?[A-Za-z0-9]{8,}/);
    for (const [, service] of appServices) expect(service.env_file).toBe('.env');
    for (const service of Object.values(compose.services)) {
      if (service.build === undefined) continue;
      for (const name of Object.keys(service.environment ?? {})) expect(documented).toContain(name);
    }
    for (const [, name] of text.matchAll(/\$\{([A-Z_]+)/g)) expect(documented).toContain(name);
  });

  it('gives each app its own PostgreSQL database, created by the init script', () => {
    const init = read('tools/docker/postgres-init.sql');
    for (const [name, service] of appServices) {
      const database = name.replace(/-/g, '_');
      const url = service.environment?.['DATABASE_URL'];
      expect(url).toMatch(new RegExp(`@postgres:5432/${database}$`));
      expect(init).toContain(`CREATE DATABASE ${database};`);
    }
  });
});

describe('the local chain in docker-compose.yml', () => {
  const chain = compose.services['chain'];
  const dockerfile = read('Dockerfile');
  const deploymentFile = chain?.environment?.['CHAIN_DEPLOYMENT_FILE'] ?? '';
  const volumeOf = (service: { volumes?: string[] | undefined } | undefined, readOnly: boolean) =>
    service?.volumes?.find((v) => {
      const [, target, mode] = v.split(':');
      return target !== undefined && deploymentFile.startsWith(`${target}/`) && (mode === 'ro') === readOnly;
    });

  it('is built from a Dockerfile stage that keeps the dev dependencies (Hardhat, tsx) and runs tools/chain/up.ts as a non-root user', () => {
    const target = chain?.build?.target;
    expect(target).toBeDefined();
    const stage = dockerfile.split(/^FROM /m).find((s) => s.startsWith(`deps AS ${target}\n`));
    expect(stage).toBeDefined();
    expect(stage).toMatch(/^USER node$/m);
    expect(stage).toMatch(/^CMD \["node", "--import", "tsx", "tools\/chain\/up\.ts"\]$/m);
    // Built before `build`, which needs APP: the legacy builder runs every stage up to the target.
    expect(dockerfile.indexOf(`AS ${target}\n`)).toBeLessThan(dockerfile.indexOf('AS build\n'));
  });

  it('listens on every interface of its container, and is published on this machine only (its keys are public)', () => {
    expect(chain?.environment?.['CHAIN_LISTEN_HOST']).toBe('0.0.0.0');
    expect(chain?.environment?.['CHAIN_RPC_URL']).toBe('http://127.0.0.1:8545');
    expect(chain?.ports).toEqual(['127.0.0.1:8545:8545']);
    expect(chain?.env_file).toBeUndefined();
  });

  it('is healthy once the recorded router has code on the node, that is once the deployment is live', () => {
    const check = chain?.healthcheck.test.join(' ') ?? '';
    expect(check).toContain('process.env.CHAIN_DEPLOYMENT_FILE');
    expect(check).toContain("'eth_getCode'");
    expect(check).toContain('http://127.0.0.1:8545');
  });

  it.each(['payment', 'image-gen', 'price-oracle', 'batch-compute', 'log-archive'])(
    'records the deployment on a shared volume that %s reads, read-only, at the same path',
    (name) => {
      const service = compose.services[name];
      expect(volumeOf(chain, false)).toMatch(/^chain-data:/);
      expect(volumeOf(service, true)).toMatch(/^chain-data:/);
      expect(service?.environment?.['CHAIN_DEPLOYMENT_FILE']).toBe(deploymentFile);
      expect(service?.environment?.['CHAIN_RPC_URL']).toBe('http://chain:8545');
      expect(service?.depends_on?.['chain']?.condition).toBe('service_healthy');
    },
  );

  it('points every provider at the payment service, and starts it once the payment service is healthy', () => {
    for (const name of ['image-gen', 'price-oracle', 'batch-compute', 'log-archive']) {
      const service = compose.services[name];
      expect(service?.environment?.['PAYMENT_URL']).toBe('http://payment:8006');
      expect(service?.depends_on?.['payment']?.condition).toBe('service_healthy');
    }
  });
});

describe('.env.example', () => {
  it('documents every variable the services and tools read', () => {
    const variables = [
      'INTERNAL_TOKEN',
      'ADMIN_API_KEY',
      'AGENT_API_KEYS',
      'POSTGRES_PASSWORD',
      'HOST',
      'DATABASE_URL',
      'NEXUS_DATA_DIR',
      'NEXUS_CONFIG_DIR',
      'LOG_LEVEL',
      'TEST_DATABASE_URL',
      'PAYMENT_MODE',
      'CHAIN_RPC_URL',
      'CHAIN_ID',
      'CHAIN_DEPLOYMENT_FILE',
      'CHAIN_LISTEN_HOST',
      'MNEE_TOKEN_ADDRESS',
      'PAYMENT_ROUTER_ADDRESS',
      'PAYMENT_CONFIRMATIONS',
      'CHAIN_RPC_ATTEMPTS',
      'CHAIN_RPC_BACKOFF_MS',
      'PAYMENT_RECEIPT_TIMEOUT_MS',
      'TREASURY_PRIVATE_KEY',
      'PAYEE_PRIVATE_KEYS',
      'NEXUS_ENV_FILE',
      'PAYMENT_URL',
    ];
    for (const project of new Set([...STACK.map((s) => s.project), ...appServices.map(([name]) => name)])) {
      variables.push(portEnvOf(project), `${project.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_DATABASE_URL`);
    }
    for (const provider of ['IMAGE_GEN', 'PRICE_ORACLE', 'BATCH_COMPUTE', 'LOG_ARCHIVE']) {
      variables.push(`${provider}_PAYEE_PRIVATE_KEY`);
    }
    for (const name of variables) expect(documented).toContain(name);
  });
});
