import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@nexus/chain/testing';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import type { StackSettings } from './stack-process';

export type StoreKind = 'sqlite' | 'postgres';
/** How the payment service settles on chain (PAYMENT_SETTLEMENT). */
export type Settlement = 'batch' | 'single';

/** The eight services, by the prefix of their `<NAME>_PORT` / `<NAME>_DATABASE_URL` variables. */
const SERVICES = ['GATEWAY', 'POLICY', 'PAYMENT', 'LOGGER', 'IMAGE_GEN', 'PRICE_ORACLE', 'BATCH_COMPUTE', 'LOG_ARCHIVE'] as const;

export interface StackFixture {
  settings: StackSettings;
  /** drops the PostgreSQL databases (the data directory stays, for a look after a failure) */
  cleanup(): Promise<void>;
}

/**
 * Settings for a whole stack of its own: a fresh directory (no env file yet:
 * `npm start` writes one), free ports for every service and the Hardhat
 * node, chain mode, settlement batched or per payment; with `postgres`, a throw-away database per service
 * (`<NAME>_DATABASE_URL`), otherwise SQLite under the data directory.
 */
export async function stackFixture(store: StoreKind, settlement: Settlement): Promise<StackFixture> {
  const dir = mkdtempSync(join(tmpdir(), `nexus-e2e-${store}-`));
  const env: Record<string, string> = {
    PAYMENT_MODE: 'chain',
    PAYMENT_SETTLEMENT: settlement,
    CHAIN_RPC_URL: `http://127.0.0.1:${await freePort()}`,
    // One test key sends hundreds of calls at once; the limit itself is the gateway tests' business.
    RATE_LIMIT_MAX: '100000',
    LOG_LEVEL: 'info',
    // Timeouts that fit a local node, so a hold left HELD by a call whose payment service died (nothing was paid,
    // but nobody could say so) expires within the suite: the hold TTL must still cover precheck, payment and provider.
    PAYMENT_RECEIPT_TIMEOUT_MS: '5000',
    PAYMENT_TIMEOUT_MS: '15000',
    PROVIDER_TIMEOUT_MS: '10000',
    NEXUS_HOLD_TTL_SECONDS: '45',
    NEXUS_HOLD_SWEEP_SECONDS: '2',
    // where the stand-in x402 API (services.yaml EXT_WEATHER) is served while npm run demo:x402 runs
    NEXUS_SERVICE_EXT_WEATHER_URL: `http://127.0.0.1:${await freePort()}/weather`,
  };
  for (const service of SERVICES) env[`${service}_PORT`] = String(await freePort());
  const databases: TemporaryPostgres[] = [];
  if (store === 'postgres') {
    for (const service of SERVICES) {
      const database = await createTemporaryPostgres(`nexus_e2e_${service.toLowerCase()}`);
      databases.push(database);
      env[`${service}_DATABASE_URL`] = database.url;
    }
  }
  return {
    settings: { envFile: join(dir, '.env'), dataDir: join(dir, 'data'), env },
    cleanup: async () => {
      await Promise.all(databases.map((database) => database.drop()));
    },
  };
}
