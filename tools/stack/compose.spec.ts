import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { parseEnv } from 'node:util';
import yaml from 'js-yaml';
import { z } from 'zod';
import { journalPathFor } from '@nexus/chain';
import { loadChainEnv, loadServiceEnv } from '@nexus/config';
import { CALLERS_ACCEPTED_BY, SERVICE_CALLERS, callerDigestEnv, callerTokenEnv, isServiceCaller } from '@nexus/types';
import { workspaceRoot } from './build';
import { loadEnvFile } from './env-file';
import { namesRead, parseEnvExample, reachFrom } from './env-reads';
import { PROCESS_SECRETS, isSecretName } from './process-secrets';
import { STACK } from './stack-services';

const Healthcheck = z.object({
  test: z.array(z.string()),
  interval: z.string(),
  timeout: z.string(),
  retries: z.number().int(),
  start_period: z.string().optional(),
});

/** The parts of docker-compose.yml these checks read. */
const Compose = z.object({
  services: z.record(
    z.string(),
    z.object({
      image: z.string().optional(),
      build: z.object({ context: z.string(), target: z.string().optional(), args: z.object({ APP: z.string() }).optional() }).optional(),
      command: z.union([z.string(), z.array(z.string())]).optional(),
      entrypoint: z.union([z.string(), z.array(z.string())]).optional(),
      user: z.string().optional(),
      env_file: z.union([z.string(), z.array(z.string())]).optional(),
      cap_drop: z.array(z.string()).optional(),
      security_opt: z.array(z.string()).optional(),
      read_only: z.boolean().optional(),
      tmpfs: z.array(z.string()).optional(),
      environment: z.record(z.string(), z.string()).optional(),
      ports: z.array(z.string()).optional(),
      volumes: z.array(z.string()).optional(),
      depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
      healthcheck: Healthcheck,
    }),
  ),
  volumes: z.record(z.string(), z.null()),
});
type Service = z.infer<typeof Compose>['services'][string];

const read = (file: string) => readFileSync(join(workspaceRoot, file), 'utf8');
const compose = Compose.parse(yaml.load(read('docker-compose.yml')));
/** Services built from an Nx app (`--build-arg APP=<project>`). */
const appServices = Object.entries(compose.services).filter(([, s]) => s.build?.args !== undefined);
const upperSnake = (project: string) => project.toUpperCase().replace(/[^A-Z0-9]/g, '_');
const portEnvOf = (project: string) => `${upperSnake(project)}_PORT`;
const example = parseEnvExample(read('.env.example'));
const documented = new Set(example.map((entry) => entry.name));

/** A stage of the Dockerfile: `FROM <base> AS <name>` and its instructions, continuation lines joined. */
interface Stage {
  name: string;
  base: string;
  instructions: { op: string; args: string }[];
}

function stagesOf(dockerfile: string): Stage[] {
  const stages: Stage[] = [];
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const [, base = '', name = ''] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ name, base, instructions: [] });
    } else stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

const dockerfile = read('Dockerfile');
const stages = stagesOf(dockerfile);
const stage = (name: string | undefined): Stage => {
  // no target: the last stage
  const found = name === undefined ? stages.at(-1) : stages.find((s) => s.name === name);
  if (!found) throw new Error(`the Dockerfile has no stage ${name ?? '(last)'}`);
  return found;
};
const parentOf = (s: Stage) => stages.find((other) => other.name === s.base);
const argsOf = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op).map((i) => i.args);
/** The stage's ENV, with the stages it is built on. */
const imageEnv = (s: Stage): Record<string, string> => {
  const parent = parentOf(s);
  const own = argsOf(s, 'ENV').flatMap((args) =>
    args.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  return { ...(parent ? imageEnv(parent) : {}), ...Object.fromEntries(own) };
};
const workdirOf = (s: Stage): string => {
  const parent = parentOf(s);
  return argsOf(s, 'WORKDIR').at(-1) ?? (parent ? workdirOf(parent) : '/');
};
const execForm = (args: string) => z.array(z.string()).parse(JSON.parse(args));
const stageOf = (service: Service) => stage(service.build?.target);

/** `${VAR}`, `${VAR:-default}`, `${VAR:?message}` taken from `dotEnv`, as docker-compose interpolates them. */
const interpolate = (value: string, dotEnv: Record<string, string>) =>
  value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, fallback?: string) =>
    dotEnv[name] ? (dotEnv[name] ?? '') : op === '-' ? (fallback ?? '') : '',
  );

/** What compose sets in a service's container: its `environment` only (no env_file), interpolated from `dotEnv`. */
function composeEnv(service: Service, dotEnv: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(v, dotEnv)]));
}

/** The variables of .env a service's `environment` interpolates. */
const interpolatedNames = (service: Service) =>
  Object.values(service.environment ?? {}).flatMap((value) => [...value.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1] ?? ''));

/** What a service's process gets: the image's ENV, overridden by what compose sets. */
const containerEnv = (service: Service, dotEnv: Record<string, string>) => ({
  ...imageEnv(stageOf(service)),
  ...composeEnv(service, dotEnv),
});

const UNIT_MS = new Map([
  ['ms', 1],
  ['s', 1_000],
  ['m', 60_000],
  ['h', 3_600_000],
]);
/** `5s`, `1m30s` → ms */
const durationMs = (text: string) =>
  [...text.matchAll(/(\d+)(ms|s|m|h)/g)].reduce((sum, [, n, unit]) => sum + Number(n) * (UNIT_MS.get(unit ?? '') ?? NaN), 0);

/** `<host>:<port>` of the compose services a value points at (`http://payment:8006`, `@postgres:5432`). */
const referencedServices = (value: string) =>
  [...value.matchAll(/(?:\/\/|@)([a-z][a-z0-9-]*):(\d+)/g)].flatMap(([, host = '', port = '']) =>
    compose.services[host] ? [{ host, port }] : [],
  );

/** The port a service we build listens on inside its container. */
const listenPort = (name: string) => {
  const service = compose.services[name];
  return service?.environment?.[portEnvOf(name)] ?? new URL(service?.environment?.['CHAIN_RPC_URL'] ?? 'http://x').port;
};

/** Runs `use` with a throw-away directory. */
function inTempDir<T>(use: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-compose-'));
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The .env `npm run env` writes (fresh secrets). */
const freshDotEnv = () => inTempDir((dir) => loadEnvFile(join(dir, '.env'), {}).env);

/** .env files a user may have: `npm run env`'s, .env.example with the secrets filled in, and that with every line uncommented. */
function dotEnvVariants(): Record<string, Record<string, string>> {
  const fresh = freshDotEnv();
  const text = read('.env.example');
  const withSecrets = (values: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries({ ...values, ...fresh }).flatMap(([k, v]) => (v === undefined ? [] : [[k, v]])));
  return {
    'npm run env': fresh,
    '.env.example': withSecrets(parseEnv(text)),
    '.env.example, every line uncommented': withSecrets(parseEnv(text.replace(/^#\s*([A-Z][A-Z0-9_]*=)/gm, '$1'))),
  };
}
const dotEnvText = (env: Record<string, string>) =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');

describe('docker-compose.yml', () => {
  it('runs every app of the stack, each built from its own Nx app project', () => {
    const names = appServices.map(([name]) => name);
    for (const s of STACK) expect(names).toContain(s.project);
    for (const [name, service] of appServices) {
      expect(existsSync(join(workspaceRoot, 'apps', name, 'project.json'))).toBe(true);
      expect(service.build?.args?.APP).toBe(name);
    }
  });

  it("runs each app's own bundle: the image copies dist/apps/<app>, which the app's build target writes from its main.ts, and runs it", () => {
    const build = stage('build');
    expect(argsOf(build, 'RUN').join('\n')).toMatch(/npx nx run "?\$APP:build"?/);
    for (const [name, service] of appServices) {
      const runtime = stageOf(service);
      expect(runtime.name).toBe('runtime');
      const target = z
        .object({
          executor: z.literal('@nx/esbuild:esbuild'),
          options: z.object({ main: z.string(), outputPath: z.string(), bundle: z.literal(true) }),
        })
        .parse(JSON.parse(read(`apps/${name}/project.json`)).targets.build);
      expect(target.options.main).toBe(`apps/${name}/src/main.ts`);
      expect(existsSync(join(workspaceRoot, target.options.main))).toBe(true);
      // esbuild names the bundle after its entry point
      const bundle = posix.join(target.options.outputPath, `${basename(target.options.main, '.ts')}.js`);

      const copy = argsOf(runtime, 'COPY')
        .map((args) => /^--from=build\s+(\S+)\s+(\S+)$/.exec(args))
        .find((m) => m?.[1]?.includes('${APP}'));
      const from = copy?.[1]?.replace('${APP}', name) ?? '';
      expect(from).toBe(posix.join(workdirOf(build), target.options.outputPath));
      const copiedTo = posix.resolve(workdirOf(runtime), copy?.[2] ?? '');
      const cmd = execForm(argsOf(runtime, 'CMD').at(-1) ?? '[]');
      expect(cmd[0]).toBe('node');
      const script = posix.resolve(workdirOf(runtime), cmd.at(-1) ?? '');
      expect(posix.relative(copiedTo, script)).toBe(posix.relative(target.options.outputPath, bundle));

      expect(service.entrypoint).toBeUndefined();
      if (service.command !== undefined) expect([service.command].flat().join(' ')).toContain(posix.relative(workdirOf(runtime), script));
    }
  });

  it('publishes the gateway alone, and the chain RPC on this machine only: every other service is reached inside the network', () => {
    const published = Object.fromEntries(Object.entries(compose.services).flatMap(([name, s]) => (s.ports ? [[name, s.ports]] : [])));
    expect(published).toEqual({ gateway: ['8000:8000'], chain: ['127.0.0.1:8545:8545'] });
  });

  it('tells each app its port, and health-checks /health there (with node: the image has no curl)', () => {
    for (const [name, service] of appServices) {
      const port = service.environment?.[portEnvOf(name)];
      expect(port).toMatch(/^\d+$/);
      expect(service.healthcheck.test.slice(0, 2)).toEqual(['CMD', 'node']);
      expect(service.healthcheck.test.join(' ')).toContain(`fetch('http://127.0.0.1:${port}/health')`);
    }
    for (const stackService of STACK) {
      expect(stackService.portEnv).toBe(portEnvOf(stackService.project));
      expect(compose.services[stackService.project]?.environment?.[stackService.portEnv]).toBe(String(stackService.port));
    }
  });

  it('checks health every few seconds, gives up on a check before the next, and leaves a service time to start', () => {
    const problems = Object.entries(compose.services).flatMap(([name, { healthcheck }]) => {
      const interval = durationMs(healthcheck.interval);
      const timeout = durationMs(healthcheck.timeout);
      const patience = interval * healthcheck.retries + durationMs(healthcheck.start_period ?? '0s');
      return [
        interval >= 1_000 && interval <= 30_000 ? [] : [`${name}: interval ${healthcheck.interval} is not 1-30 s`],
        timeout >= 500 && timeout <= interval ? [] : [`${name}: timeout ${healthcheck.timeout} is not 0.5 s up to the interval`],
        healthcheck.retries >= 3 ? [] : [`${name}: ${healthcheck.retries} retries let one slow check fail the stack`],
        patience >= 60_000 && patience <= 900_000 ? [] : [`${name}: ${patience} ms before unhealthy is not 1-15 min`],
      ].flat();
    });
    expect(problems).toEqual([]);
  });

  it("knows PostgreSQL is up once it answers over TCP as the stack's user (its init-time server listens on a socket only)", () => {
    const postgres = compose.services['postgres'];
    const check = postgres?.healthcheck.test.join(' ') ?? '';
    expect(check).toMatch(/pg_isready /);
    expect(check).toMatch(/ -h 127\.0\.0\.1 /);
    expect(check).toContain(` -U ${postgres?.environment?.['POSTGRES_USER']} `);
    expect(check).toMatch(new RegExp(` -d ${postgres?.environment?.['POSTGRES_DB']}$`));
  });

  it('starts a service only once every service it points at is healthy, and points at the port that one listens on', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.values(service.depends_on ?? {})) expect(dependency.condition).toBe('service_healthy');
      for (const value of Object.values(service.environment ?? {})) {
        for (const { host, port } of referencedServices(value)) {
          expect({ name, host, condition: service.depends_on?.[host]?.condition }).toEqual({ name, host, condition: 'service_healthy' });
          if (compose.services[host]?.build) expect({ host, port }).toEqual({ host, port: listenPort(host) });
        }
      }
    }
  });

  it("sets only variables the service's own code reads (its app, or the chain's tool, and the libs they import)", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build === undefined) continue;
      const runs = stageOf(service);
      const entry = service.build.args ? `apps/${name}/src/main.ts` : (execForm(argsOf(runs, 'CMD').at(-1) ?? '[]').at(-1) ?? '');
      const reads = namesRead(
        reachFrom(entry),
        STACK.find((s) => s.project === name),
      ).names;
      const setByImage = Object.keys(imageEnv(runs)).filter((variable) => variable !== 'NODE_ENV'); // NODE_ENV: for express & co.
      const unread = [...Object.keys(service.environment ?? {}), ...setByImage].filter((variable) => !reads.has(variable));
      expect({ name, unread }).toEqual({ name, unread: [] });
    }
  });

  it('takes secrets from .env only, by interpolation, never .env as a whole, and every variable it sets is documented in .env.example', () => {
    const text = read('docker-compose.yml');
    expect(text).not.toMatch(/(TOKEN|KEYS?|PASSWORD|SHA256):\s*["']?[A-Za-z0-9]{8,}/);
    for (const [name, service] of Object.entries(compose.services))
      expect({ name, env_file: service.env_file }).toEqual({ name, env_file: undefined });
    for (const [name, service] of Object.entries(compose.services)) {
      const literal = Object.entries(service.environment ?? {}).filter(
        ([variable, value]) => isSecretName(variable) && !/^\$\{[A-Z0-9_]+(:[-?][^}]*)?\}$/.test(value),
      );
      expect({ name, literal }).toEqual({ name, literal: [] });
    }
    for (const service of Object.values(compose.services)) {
      if (service.build === undefined) continue;
      for (const name of Object.keys(service.environment ?? {})) expect(documented).toContain(name);
    }
    for (const [, name] of text.matchAll(/\$\{([A-Z0-9_]+)/g)) expect(documented).toContain(name);
  });

  it.each(Object.entries(dotEnvVariants()))(
    'gives each app what it needs to start in its container, whatever .env holds (%s)',
    (_, dotEnv) => {
      for (const [name, service] of appServices) {
        const stackService = STACK.find((s) => s.project === name);
        const env = containerEnv(service, dotEnv);
        const accepts = name === 'policy' || name === 'payment' || name === 'logger' ? CALLERS_ACCEPTED_BY[name] : [];
        const serviceEnv = loadServiceEnv(name, stackService?.port ?? 0, env, { accepts });
        const database = name.replace(/-/g, '_');
        const ownToken = isServiceCaller(name) ? dotEnv[callerTokenEnv(name)] : undefined;
        expect({
          name,
          ...serviceEnv,
          serviceToken: serviceEnv.serviceToken === ownToken,
          callers: [...serviceEnv.callers.keys()],
        }).toEqual({
          name,
          host: '0.0.0.0',
          port: Number(service.environment?.[portEnvOf(name)]),
          serviceToken: true,
          callers: [...accepts],
          databaseUrl: `postgres://${database}:${dotEnv[`${upperSnake(name)}_DB_PASSWORD`]}@postgres:5432/${database}`,
          dataDir: '/data',
        });
        // each caller's hash is the hash of that caller's token
        for (const caller of accepts) expect(serviceEnv.callers.get(caller)).toBe(dotEnv[callerDigestEnv(caller)]);
        // the data directory is the service's own volume
        expect(service.volumes).toContain(`${name}-data:${env['NEXUS_DATA_DIR']}`);
        const configDir = env['NEXUS_CONFIG_DIR'] ?? '';
        const copiedConfig =
          argsOf(stageOf(service), 'COPY')
            .find((args) => /^config\s/.test(args))
            ?.split(/\s+/)[1] ?? '';
        expect(configDir).toBe(posix.resolve(workdirOf(stageOf(service)), copiedConfig));
      }
    },
  );

  it('gives each app its own PostgreSQL role, which owns its own database only, created by the init script', () => {
    const init = read('tools/docker/postgres-init.sh');
    const postgres = compose.services['postgres'];
    const databases = /for database in ([a-z_ ]+); do/.exec(init)?.[1]?.split(' ') ?? [];
    expect(init).toContain('CREATE ROLE :"role" LOGIN PASSWORD :\'password\';');
    expect(init).toContain('CREATE DATABASE :"role" OWNER :"role";');
    expect(init).toContain('REVOKE ALL ON DATABASE :"role" FROM PUBLIC;');
    expect(postgres?.volumes).toContain('./tools/docker/postgres-init.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro');
    for (const [name, service] of appServices) {
      const database = name.replace(/-/g, '_');
      const password = `${upperSnake(name)}_DB_PASSWORD`;
      expect(service.environment?.['DATABASE_URL']).toBe(`postgres://${database}:\${${password}}@postgres:5432/${database}`);
      expect(databases).toContain(database);
      expect(postgres?.environment?.[password]).toMatch(new RegExp(`^\\$\\{${password}:\\?`));
      // the superuser's password reaches the postgres container only
      expect(Object.values(service.environment ?? {}).join(' ')).not.toContain('POSTGRES_PASSWORD');
    }
  });

  it('runs every container without capabilities, without privilege escalation, on a read-only root with tmpfs for /tmp, as a non-root user', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, cap_drop: service.cap_drop, security_opt: service.security_opt, read_only: service.read_only }).toEqual({
        name,
        cap_drop: ['ALL'],
        security_opt: ['no-new-privileges:true'],
        read_only: true,
      });
      expect({ name, tmpfs: service.tmpfs }).toEqual({ name, tmpfs: expect.arrayContaining(['/tmp']) });
      // images we build run as node (checked below); the postgres image is told to run as its own user
      if (service.build === undefined) expect({ name, user: service.user }).toEqual({ name, user: 'postgres' });
    }
    expect(compose.services['postgres']?.tmpfs).toContain('/var/run/postgresql');
  });

  it('gives each container only the secrets the table of process-secrets.ts gives that process: the treasury key to payment alone', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const given = Object.keys(service.environment ?? {}).filter(isSecretName);
      const interpolated = interpolatedNames(service).filter(isSecretName);
      const allowed = name === 'postgres' ? /(^POSTGRES_PASSWORD|_DB_PASSWORD)$/ : undefined;
      const extra = [...given, ...interpolated].filter((secret) =>
        allowed ? !allowed.test(secret) : !(PROCESS_SECRETS[name] ?? []).includes(secret) && !/_DB_PASSWORD$/.test(secret),
      );
      expect({ name, extra }).toEqual({ name, extra: [] });
    }
    const holders = (secret: string) =>
      Object.entries(compose.services)
        .filter(([, service]) => Object.keys(service.environment ?? {}).includes(secret) || interpolatedNames(service).includes(secret))
        .map(([name]) => name);
    expect(holders('TREASURY_PRIVATE_KEY')).toEqual(['payment']);
    expect(holders('PAYEE_PRIVATE_KEYS')).toEqual(['payment']);
    expect(holders('IMAGE_GEN_PAYEE_PRIVATE_KEY')).toEqual(['image-gen']);
    expect(holders('ADMIN_API_KEY')).toEqual(['gateway']);
    expect(holders('POSTGRES_PASSWORD')).toEqual(['postgres']);
    // each process its own token, and no other
    for (const caller of SERVICE_CALLERS) {
      expect({ caller, holders: holders(callerTokenEnv(caller)) }).toEqual({ caller, holders: caller === 'operator' ? [] : [caller] });
    }
    // a database password reaches its own service and the postgres container only
    for (const [name] of appServices) expect(holders(`${upperSnake(name)}_DB_PASSWORD`).sort()).toEqual([name, 'postgres'].sort());
  });

  it('runs every service it builds as the unprivileged node user, who owns the directory it writes to', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build === undefined) continue;
      const runs = stageOf(service);
      expect({ name, user: service.user }).toEqual({ name, user: undefined });
      const users = runs.instructions.filter((i) => i.op === 'USER').map((i) => i.args);
      expect({ name, stage: runs.name, lastUser: users.at(-1) }).toEqual({ name, stage: runs.name, lastUser: 'node' });
      const writable = name === 'chain' ? dirname(service.environment?.['CHAIN_DEPLOYMENT_FILE'] ?? '') : imageEnv(runs)['NEXUS_DATA_DIR'];
      const chown = argsOf(runs, 'RUN').join('\n');
      expect(chown).toMatch(new RegExp(`chown node:node ${writable}(\\s|$)`));
      // created before the image switches to node, so root can
      const order = runs.instructions.map((i) => i.op);
      expect(order.indexOf('RUN')).toBeLessThan(order.lastIndexOf('USER'));
    }
  });

  it('builds from the lock file, and leaves .env and local data out of the images', () => {
    const deps = stage('deps');
    expect(argsOf(deps, 'COPY')).toContain('package.json package-lock.json ./');
    expect(argsOf(deps, 'RUN')).toContain('npm ci');
    expect(stages.filter((s) => s.base === 'deps').map((s) => s.name)).toEqual(expect.arrayContaining(['chain', 'build']));
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'data', 'node_modules', 'dist']));
  });

  const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
  (dockerCompose ? it : it.skip)(
    'is valid for docker-compose, which merges .env and `environment` as these checks assume (where it is installed, as in .ci/run)',
    () => {
      const dotEnv = dotEnvVariants()['.env.example, every line uncommented'] ?? {};
      const resolved = inTempDir((dir) => {
        writeFileSync(join(dir, '.env'), dotEnvText(dotEnv));
        const args = ['--project-directory', dir, '-f', join(workspaceRoot, 'docker-compose.yml'), 'config'];
        // Only the temp .env may feed the interpolation: Nx hands the tests a root .env's variables, which docker-compose would prefer.
        const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? dir };
        return execFileSync('docker-compose', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
      });
      const Resolved = z.object({ services: z.record(z.string(), z.object({ environment: z.record(z.string(), z.string()).optional() })) });
      const services = Resolved.parse(yaml.load(resolved)).services;
      expect(Object.keys(services).sort()).toEqual(Object.keys(compose.services).sort());
      for (const [name, service] of Object.entries(compose.services)) {
        expect({ name, environment: services[name]?.environment ?? {} }).toEqual({ name, environment: composeEnv(service, dotEnv) });
      }
    },
  );
});

describe('the local chain in docker-compose.yml', () => {
  const chain = compose.services['chain'];
  const deploymentFile = chain?.environment?.['CHAIN_DEPLOYMENT_FILE'] ?? '';
  const volumeOf = (service: { volumes?: string[] | undefined } | undefined, { readOnly }: { readOnly: boolean }) =>
    service?.volumes?.find((v) => {
      const [, target, mode] = v.split(':');
      return target !== undefined && deploymentFile.startsWith(`${target}/`) && (mode === 'ro') === readOnly;
    });

  it('is built from a Dockerfile stage that keeps the dev dependencies (Hardhat, tsx) and runs tools/chain/up.ts as a non-root user', () => {
    const target = chain?.build?.target;
    expect(target).toBeDefined();
    const chainStage = stage(target);
    expect(chainStage.base).toBe('deps');
    expect(argsOf(chainStage, 'USER').at(-1)).toBe('node');
    expect(execForm(argsOf(chainStage, 'CMD').at(-1) ?? '[]')).toEqual(['node', '--import', 'tsx', 'tools/chain/up.ts']);
    expect(existsSync(join(workspaceRoot, 'tools/chain/up.ts'))).toBe(true);
    expect(chain?.command).toBeUndefined();
    // Built before `build`, which needs APP: the legacy builder runs every stage up to the target.
    expect(stages.findIndex((s) => s.name === target)).toBeLessThan(stages.findIndex((s) => s.name === 'build'));
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

  it('keeps the deployment and the journal of blocks beside it in a named volume the node user owns and writes', () => {
    const journal = journalPathFor(deploymentFile);
    const volume = volumeOf(chain, { readOnly: false }) ?? '';
    const [name = '', target = '', mode] = volume.split(':');
    expect(dirname(journal)).toBe(target);
    expect(dirname(deploymentFile)).toBe(target);
    expect(mode).toBeUndefined();
    // a named volume (not a bind mount): on first use it takes the owner of the image's directory
    expect(Object.keys(compose.volumes)).toContain(name);
    expect(name).not.toMatch(/^[./]/);
    const chainStage = stage(chain?.build?.target);
    expect(argsOf(chainStage, 'RUN').join('\n')).toMatch(new RegExp(`mkdir -p ${target} && chown node:node ${target}$`, 'm'));
    expect(imageEnv(chainStage)['CHAIN_DEPLOYMENT_FILE']).toBe(deploymentFile);
    // the chain's env, as its tool reads it, puts the deployment there
    if (!chain) throw new Error('docker-compose.yml has no chain service');
    const chainEnv = loadChainEnv('/nowhere', containerEnv(chain, {}));
    expect(chainEnv.target).toEqual({ kind: 'local', rpcUrl: 'http://127.0.0.1:8545', deploymentFile });
  });

  it.each(['payment', 'image-gen', 'price-oracle', 'batch-compute', 'log-archive'])(
    'records the deployment on a shared volume that %s reads, read-only, at the same path',
    (name) => {
      const service = compose.services[name];
      expect(volumeOf(chain, { readOnly: false })).toMatch(/^chain-data:/);
      expect(volumeOf(service, { readOnly: true })).toMatch(/^chain-data:/);
      expect(service?.environment?.['CHAIN_DEPLOYMENT_FILE']).toBe(deploymentFile);
      expect(service?.environment?.['CHAIN_RPC_URL']).toBe('http://chain:8545');
      expect(service?.depends_on?.['chain']?.condition).toBe('service_healthy');
      if (!service) throw new Error(`docker-compose.yml has no ${name} service`);
      for (const dotEnv of Object.values(dotEnvVariants()).slice(0, 2)) {
        const chainEnv = loadChainEnv('/data', containerEnv(service, dotEnv));
        expect(chainEnv.target).toEqual({ kind: 'local', rpcUrl: 'http://chain:8545', deploymentFile });
      }
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
