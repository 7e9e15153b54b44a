import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestPaymentNetwork } from './test-payment-network';

/** The environment of a provider process (`app`: its Nx app) on `network`, with a fresh data directory and `extra` on top. */
export function providerProcessEnv(network: TestPaymentNetwork, app: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...network.providerEnv, NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), `${app}-main-`)), ...extra };
}
