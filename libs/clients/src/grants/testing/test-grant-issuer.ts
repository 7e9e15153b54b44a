import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { GrantTerms } from '@nexus/types';
import { signGrant } from '../grant-token';

/** A policy's grant keys for tests: signs grants as the policy would, and gives the keys as the environment takes them. */
export class TestGrantIssuer {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor() {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ed25519'));
  }

  /** POLICY_GRANT_PRIVATE_KEY (for a policy process): a base64-encoded PKCS8 PEM. */
  get policyEnv(): Record<string, string> {
    return { POLICY_GRANT_PRIVATE_KEY: base64Pem(this.privateKey.export({ type: 'pkcs8', format: 'pem' })) };
  }

  /** POLICY_GRANT_PUBLIC_KEY (for a payment process): a base64-encoded SPKI PEM. */
  get paymentEnv(): Record<string, string> {
    return { POLICY_GRANT_PUBLIC_KEY: base64Pem(this.publicKey.export({ type: 'spki', format: 'pem' })) };
  }

  /** A grant for a fresh decision and reservation, live for two minutes unless told otherwise. */
  issue(terms: Pick<GrantTerms, 'serviceId' | 'amount'> & Partial<GrantTerms>, key: KeyObject = this.privateKey): Promise<string> {
    return signGrant(
      {
        decisionId: `dec_${randomBytes(16).toString('hex')}`,
        reservationId: `res_${randomBytes(16).toString('hex')}`,
        agentId: 'test-agent',
        variant: 'default',
        expiresAt: new Date(Date.now() + 120_000),
        ...terms,
      },
      key,
    );
  }
}

const base64Pem = (pem: string | Buffer) => Buffer.from(pem).toString('base64');
