/** Table shape of the gateway's idempotency keys. Integers are BIGINT (read back as bigint); times are epoch milliseconds. */
export interface IdempotencyTables {
  idempotency_keys: {
    /** whose key it is (the agent id); the primary key is (scope, key) */
    scope: string;
    /** the client's `Idempotency-Key` (or one the gateway made up once per tool call) */
    key: string;
    /** a hash of what the first claim asked for; kept as it was through a resumed claim */
    fingerprint: string;
    /** `IN_FLIGHT` (an attempt holds the key until `locked_until`) or `DONE` (the answer is stored) */
    state: string;
    /** the HTTP status of the stored answer; set exactly when DONE */
    status: bigint | null;
    /** the JSON body of the stored answer, as text; set exactly when DONE */
    body: string | null;
    /** an IN_FLIGHT attempt not finished by then is taken to have died, and the key may be claimed again */
    locked_until: bigint;
    created_at: bigint;
    /** the last claim or completion: DONE rows last updated long ago are purged */
    updated_at: bigint;
  };
}
