/**
 * The gateway's record of the answers it gave to `Idempotency-Key`s: a key is
 * claimed once, its first answer kept, and every retry gets that answer back.
 */

/** IN_FLIGHT: an attempt holds the key (until `lockedUntil`). DONE: the answer is stored. */
export type IdempotencyState = 'IN_FLIGHT' | 'DONE';

export interface StoredAnswer {
  /** the HTTP status the first attempt answered with */
  status: number;
  /**
   * the JSON body it answered with, as text (`JSON.stringify` output: it
   * never holds a NUL character, which PostgreSQL text would refuse)
   */
  body: string;
}

export interface IdempotencyRecord {
  /** whose key it is (the agent id): two agents may use the same key */
  scope: string;
  key: string;
  /** a hash of what the first request asked for; a retry that asks for something else is refused */
  fingerprint: string;
  state: IdempotencyState;
  answer: StoredAnswer | null;
  /** an in-flight attempt that has not finished by then is taken to have died (a crash) and the key may be claimed again (after this instant, not at it) */
  lockedUntil: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewClaim {
  scope: string;
  key: string;
  fingerprint: string;
}

export type ClaimResult =
  /** the key is this attempt's: run the call, then `complete` (or `abandon`) */
  | { claimed: true; record: IdempotencyRecord; resumed: boolean }
  /** someone else holds or has answered it: `existing` says which */
  | { claimed: false; existing: IdempotencyRecord };

export interface IdempotencyStore {
  /**
   * Claims (scope, key), once, also under a race between replicas: a new
   * key, or an IN_FLIGHT one whose lock has lapsed (then `resumed: true`,
   * keeping the first fingerprint check), is claimed until `now + leaseMs`.
   * A DONE key, or one still locked, is not. The store does not compare
   * fingerprints: the caller checks `existing.fingerprint` (or, resumed,
   * `record.fingerprint`) against its own.
   */
  claim(claim: NewClaim, now: Date, leaseMs: number): Promise<ClaimResult>;
  /** IN_FLIGHT → DONE with the answer to give every retry. A DONE key keeps its first answer; an unknown key stays unknown. */
  complete(scope: string, key: string, answer: StoredAnswer, now: Date): Promise<void>;
  /** Gives the key up (the attempt ended before anything happened that a retry must see), so a retry runs afresh. A DONE key is kept. */
  abandon(scope: string, key: string): Promise<void>;
  get(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Deletes DONE records last updated before `before` (housekeeping); returns how many. */
  purge(before: Date): Promise<number>;
}
