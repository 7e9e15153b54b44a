import type { KeyObject } from 'node:crypto';
import { getAddress } from 'ethers';
import { verifyGrant } from '@nexus/clients';
import type { ServiceConfig } from '@nexus/config';
import { AppError } from '@nexus/service-kit';
import { toBaseUnits } from '@nexus/types';

/** What a verified grant lets the treasury pay: everything from the grant, the payee from our own services.yaml. */
export interface PaymentOrder {
  decisionId: string;
  reservationId: string;
  agentId: string;
  serviceId: string;
  variant: string;
  payee: string;
  /** base units: exactly the grant's amount, never more */
  amount: bigint;
  expiresAt: Date;
}

/** What a grant pays: one of our providers (through the router), or an external x402 service (an authorization it settles). */
export type GrantKind = 'provider' | 'x402';

/** The payee of each service this payment service may pay, from its own services.yaml. */
export interface GrantPayees {
  providers: readonly Pick<ServiceConfig, 'id' | 'payee'>[];
  /** the x402 services (`kind: x402`), each paid only to its `payTo` */
  x402?: readonly { id: string; payee: string }[];
}

/** The router keys a service by a bytes32 of its id. */
const MAX_SERVICE_ID_BYTES = 31;

/**
 * Reads the policy's grants for the payment service: checked locally (no
 * network hop) against the policy's public key, the payee looked up in the
 * payment service's own copy of the service configuration.
 */
export class GrantReader {
  private readonly payees: ReadonlyMap<string, { payee: string; kind: GrantKind }>;

  constructor(
    private readonly publicKey: KeyObject,
    services: readonly Pick<ServiceConfig, 'id' | 'payee'>[],
    x402Services: GrantPayees['x402'] = [],
  ) {
    const entry = (kind: GrantKind) => (service: { id: string; payee: string }) =>
      [service.id, { payee: getAddress(service.payee.toLowerCase()), kind }] as const;
    this.payees = new Map([...services.map(entry('provider')), ...x402Services.map(entry('x402'))]);
  }

  /**
   * The order a grant carries, and whether its hold has expired; GRANT_INVALID (403) for anything not signed by
   * the policy for us, or for a service of another `kind` than the route pays: a provider is paid through the
   * router (`POST /payments`), an x402 service by an authorization it settles (`POST /x402/payments`).
   */
  async read(token: string, now: Date, kind: GrantKind = 'provider'): Promise<{ order: PaymentOrder; expired: boolean }> {
    const check = await verifyGrant(token, this.publicKey, now);
    if (!check.valid) throw grantInvalid(`the grant was refused: ${check.reason}`);
    const { claims } = check;
    const service = this.payees.get(claims.serviceId);
    if (!service) throw grantInvalid(`the grant names service ${claims.serviceId}, which this payment service does not know`);
    if (service.kind !== kind)
      throw grantInvalid(
        service.kind === 'x402'
          ? `the grant names x402 service ${claims.serviceId}: it is paid through POST /x402/payments, never the router`
          : `the grant names provider ${claims.serviceId}: it is paid through POST /payments, never by an x402 authorization`,
      );
    const { payee } = service;
    if (kind === 'provider' && Buffer.byteLength(claims.serviceId) > MAX_SERVICE_ID_BYTES)
      throw grantInvalid(`the grant names service ${claims.serviceId}, longer than the router's ${MAX_SERVICE_ID_BYTES} bytes`);
    return {
      order: {
        decisionId: claims.decisionId,
        reservationId: claims.reservationId,
        agentId: claims.agentId,
        serviceId: claims.serviceId,
        variant: claims.variant,
        payee,
        amount: toBaseUnits(claims.amount),
        expiresAt: new Date(claims.exp * 1000),
      },
      expired: check.expired,
    };
  }
}

/** 403: no live policy grant is behind this payment; nothing was written or sent. */
export function grantInvalid(message: string): AppError {
  return new AppError('GRANT_INVALID', `${message}; nothing was paid`);
}
