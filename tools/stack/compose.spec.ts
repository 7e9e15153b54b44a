import { readFileSync, readdirSync } from 'node:fs';
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
      build: z.object({ context: z.string(), args: z.object({ APP: z.string() }) }).optional(),
      env_file: z.string().optional(),
      environment: z.record(z.string(), z.string()).optional(),
      ports: z.array(z.string()).optional(),
      depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
      healthcheck: z.object({ test: z.array(z.string()) }),
    }),
  ),
});

const read = (file: string) => readFileSync(join(workspaceRoot, file), 'utf8');
const compose = Compose.parse(yaml.load(read('docker-compose.yml')));
const appServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
const documented = new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

describe('docker-compose.yml', () => {
  it('runs every app of the stack, built from its own project', () => {
    const apps = readdirSync(join(workspaceRoot, 'apps'));
    expect(appServices.map(([name]) => name).sort()).toEqual(STACK.map((s) => s.project).sort());
    for (const [name, service] of appServices) {
      expect(apps).toContain(name);
      expect(service.build?.args.APP).toBe(name);
    }
  });

  it('publishes each app on its own port, tells it that port, and health-checks /health there', () => {
    for (const stackService of STACK) {
      const service = compose.services[stackService.project];
      const port = String(stackService.port);
      expect(service?.ports).toContain(`${port}:${port}`);
      expect(service?.environment?.[stackService.portEnv]).toBe(port);
      expect(service?.healthcheck.test.join(' ')).toContain(`127.0.0.1:${port}/health`);
    }
  });

  it('starts apps only once their dependencies are healthy', () => {
    for (const [, service] of appServices) {
      for (const dependency of Object.values(service.depends_on ?? {})) expect(dependency.condition).toBe('service_healthy');
    }
  });

  it('takes secrets from .env only, and every variable it sets is documented in .env.example', () => {
    const text = read('docker-compose.yml');
    expect(text).not.toMatch(/(TOKEN|KEY|PASSWORD):\s*["']?[A-Za-z0-9]{8,}/);
    for (const [, service] of appServices) {
      expect(service.env_file).toBe('.env');
      for (const name of Object.keys(service.environment ?? {})) expect(documented).toContain(name);
    }
    for (const [, name] of text.matchAll(/\$\{([A-Z_]+)/g)) expect(documented).toContain(name);
  });

  it('gives each app its own PostgreSQL database, created by the init script', () => {
    const init = read('tools/docker/postgres-init.sql');
    for (const [name, service] of appServices) {
      const url = service.environment?.['DATABASE_URL'];
      expect(url).toMatch(new RegExp(`@postgres:5432/${name}$`));
      expect(init).toContain(`CREATE DATABASE ${name};`);
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
    ];
    for (const s of STACK) variables.push(s.portEnv, `${s.project.toUpperCase()}_DATABASE_URL`);
    for (const name of variables) expect(documented).toContain(name);
  });
});
