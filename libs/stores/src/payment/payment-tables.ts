import type { Generated } from 'kysely';

/** Table shape of the payments ledger. Integers are BIGINT (read back as bigint); times are epoch milliseconds. */
export interface PaymentTables {
  payments: {
    id: string;
    /** Unique: a retried pay with the same key finds this row and sends nothing. */
    idempotency_key: string;
    agent_id: string;
    service_id: string;
    payee: string;
    /** base units of 10^-6 MNEE */
    amount: bigint;
    decision_id: string;
    reservation_id: string | null;
    mode: string;
    /** the router's once-only reference (bytes32 hex); null in mock mode */
    payment_ref: string | null;
    status: string;
    tx_hash: string | null;
    /** the highest nonce a transaction of this payment was signed with (chain mode) */
    tx_nonce: bigint | null;
    /** the last signed transaction, as broadcast (so it can be sent again) */
    raw_tx: string | null;
    block_number: bigint | null;
    gas_used: bigint | null;
    failure_code: string | null;
    failure_message: string | null;
    refund_tx_hash: string | null;
    refund_reason: string | null;
    /** settlement attempts begun */
    attempts: bigint;
    /** who may settle this PENDING payment, until when (one settler across replicas) */
    lease_owner: string | null;
    lease_until: bigint | null;
    created_at: bigint;
    updated_at: bigint;
    settled_at: bigint | null;
    refunded_at: bigint | null;
    /** `grant` (a policy grant's payment, from the treasury) or `x402` (a third party's, through the facilitator) */
    method: Generated<string>;
    /** x402: who paid (the authorization's `from`); null for a grant's payment (the treasury pays) */
    payer: string | null;
    /** x402: the ERC-3009 authorization nonce (bytes32 hex); unique with the payer */
    authorization_nonce: string | null;
    /** x402-out: the signed x402 v2 PaymentPayload (JSON), the PAYMENT-SIGNATURE handed to the gateway */
    x402_payload: string | null;
    /** x402-out: 1 the service served the paid call, 0 it did not, null not reported yet */
    served: bigint | null;
  };
}
