import { isServiceCallError, type LoggerClient, type PaymentClient, type PolicyClient } from '@nexus/clients';
import { type Agent, NexusError, type TreasuryView } from '@nexus/types';
import type { DecisionLogEvent, LedgerSnapshot, LoggerSnapshot, PolicySnapshot, TransactionLogEvent } from './snapshots';

/** A source could not be read: what to tell people (no stack, no secrets). */
export class SourceReadError extends NexusError {
  override readonly name = 'SourceReadError';
}

/** Pages followed before reconcile gives up on a list (a service that keeps answering a next page). */
const MAX_PAGES = 100_000;
/** Times the policy is read again when it changed while it was read (calls under way). */
const POLICY_ATTEMPTS = 3;

/** Every item of a newest-first list, following `nextCursor` to the last page. */
export async function allPages<T>(read: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await read(cursor);
    items.push(...answer.items);
    if (answer.nextCursor === null) return items;
    if (seen.has(answer.nextCursor)) throw new SourceReadError(`the list handed out cursor ${answer.nextCursor} twice`);
    seen.add(answer.nextCursor);
    cursor = answer.nextCursor;
  }
  throw new SourceReadError(`the list has more than ${MAX_PAGES} pages`);
}

/** Why a call to a service failed, in one line. A 404 on a list route means a service older than this tool. */
export function describeFailure(error: unknown, path: string): string {
  if (error instanceof SourceReadError) return error.message;
  if (isServiceCallError(error)) {
    if (error.upstreamStatus === 401) return `OPERATOR_TOKEN was refused (401) on GET ${path}: is it this stack's token?`;
    if (error.upstreamStatus === 404)
      return `GET ${path} answered 404 ${error.code}: the service predates this tool (rebuild and restart the stack)`;
    if (error.upstreamStatus !== undefined) return `GET ${path} answered ${error.upstreamStatus} ${error.code}: ${error.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Runs one read, turning its failure into a SourceReadError that names the call. */
async function reading<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error: unknown) {
    throw new SourceReadError(describeFailure(error, path), { cause: error });
  }
}

const agentFigures = (agents: Agent[]) => JSON.stringify(agents.map((a) => [a.id, a.periodId, a.spentToday, a.reserved]));

/**
 * Agents, every hold and every decision. The agents are read before and
 * after the lists; when their figures moved meanwhile (a call settled), it
 * reads again, so per-agent totals and holds come from one moment.
 */
export async function collectPolicy(client: PolicyClient, notes: string[]): Promise<PolicySnapshot> {
  for (let attempt = 1; ; attempt += 1) {
    const before = (await reading('/agents', () => client.listAgents())).items;
    const reservations = await reading('/reservations', () =>
      allPages((cursor) => client.listReservations({ limit: 500, ...(cursor ? { cursor } : {}) })),
    );
    const decisions = await reading('/decisions', () =>
      allPages((cursor) => client.listDecisions({ limit: 500, ...(cursor ? { cursor } : {}) })),
    );
    const after = (await reading('/agents', () => client.listAgents())).items;
    const steady = agentFigures(before) === agentFigures(after);
    if (steady || attempt >= POLICY_ATTEMPTS) {
      if (!steady)
        notes.push(
          `the policy kept changing while it was read (${attempt} attempts): calls are under way, so per-agent figures may be off`,
        );
      return { periodId: after[0]?.periodId ?? null, agents: after, reservations, decisions };
    }
  }
}

/** Every payment of the ledger, and the payment service's treasury view (mode, router, treasury address). */
export async function collectLedger(client: PaymentClient): Promise<{ ledger: LedgerSnapshot; treasury: TreasuryView }> {
  const treasury = await reading('/treasury', () => client.treasury());
  const payments = await reading('/payments', () => allPages((cursor) => client.list({ limit: 200, ...(cursor ? { cursor } : {}) })));
  return {
    treasury,
    ledger: {
      mode: treasury.mode,
      treasury: treasury.address,
      router: treasury.router,
      chainId: treasury.chainId,
      tokenDecimals: treasury.token?.decimals ?? null,
      payments,
    },
  };
}

/** Every transaction and decision event of the audit trail, and its unfiltered stats. */
export async function collectLogger(client: LoggerClient): Promise<LoggerSnapshot> {
  const events = (kind: 'transaction' | 'decision') =>
    reading(`/events?kind=${kind}`, () => allPages((cursor) => client.query({ kind, limit: 500, ...(cursor ? { cursor } : {}) })));
  const transactions = (await events('transaction')).filter((e): e is TransactionLogEvent => e.kind === 'transaction');
  const decisions = (await events('decision')).filter((e): e is DecisionLogEvent => e.kind === 'decision');
  const stats = await reading('/stats', () => client.stats());
  return { transactions, decisions, stats };
}
