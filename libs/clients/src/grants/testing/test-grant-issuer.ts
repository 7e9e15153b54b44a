import { randomBytes, type KeyObject } from 'node:crypto';
import type { GrantTerms } from '@nexus/types';
import { TestKeyPair } from '../../jws/testing/test-key-pair';
import { signGrant } from '../grant-token';

/** A policy's grant keys for tests: signs grants as the policy would, and gives the keys as the environment takes them. */
export class TestGrantIssuer extends TestKeyPair {
  /** POLICY_GRANT_PRIVATE_KEY, for a policy process. */
  get policyEnv(): Record<string, string> {
    return this.privateEnv('POLICY_GRANT_PRIVATE_KEY');
  }

  /** POLICY_GRANT_PUBLIC_KEY, for a payment process. */
  get paymentEnv(): Record<string, string> {
    return this.publicEnv('POLICY_GRANT_PUBLIC_KEY');
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
