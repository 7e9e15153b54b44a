import {
  Agent,
  AgentList,
  Approval,
  ApprovalGrant,
  ApprovalList,
  type ApprovalCompleteRequest,
  type ApprovalDecideRequest,
  type ApprovalListQuery,
  CommitBatchResponse,
  Decision,
  DecisionList,
  Reservation,
  ReservationList,
  ResetResponse,
  type BudgetUpdate,
  type CommitBatchRequest,
  type DecideRequest,
  type DecisionListQuery,
  type ReservationListQuery,
  type SimulateRequest,
  TreasuryLimit,
} from '@nexus/types';
import { ServiceClient, type ServiceClientOptions } from './http-client';
import type { CallContext } from './payment-client';
import { isServiceCallError } from './service-call-error';

/** The policy service's API (apps/policy, port 8005), typed. */
export class PolicyClient {
  private readonly client: ServiceClient;

  constructor(options: ServiceClientOptions) {
    this.client = new ServiceClient('policy', options);
  }

  /** Decides and holds. Idempotent by `idempotencyKey` (a repeat gets the stored answer), so it is retried on transient failures. */
  decide(request: DecideRequest, context?: CallContext): Promise<Decision> {
    return this.client.call('POST', '/decisions', Decision, { body: request, retry: true, ...context });
  }

  /** A dry run: nothing is held. */
  simulate(request: SimulateRequest, context?: CallContext): Promise<Decision> {
    return this.client.call('POST', '/decisions/simulate', Decision, { body: request, retry: true, ...context });
  }

  getReservation(id: string, context?: CallContext): Promise<Reservation> {
    return this.client.call('GET', `/reservations/${encodeURIComponent(id)}`, Reservation, { retry: true, ...context });
  }

  /** The hold becomes spend. */
  commit(id: string, amount?: string, context?: CallContext): Promise<Reservation> {
    return this.settle(id, 'commit', amount === undefined ? {} : { amount }, context);
  }

  /**
   * Several holds become spend in one request, each answered in its place
   * (the reservation, or the error a lone commit would get). A commit
   * repeated gets the same answer, so the request is retried on transient failures.
   */
  commitMany(commits: CommitBatchRequest['commits'], context?: CallContext): Promise<CommitBatchResponse> {
    return this.client.call('POST', '/reservations/commits', CommitBatchResponse, { body: { commits }, retry: true, ...context });
  }

  /** Keeps the hold held (counted) past its expiry while its payment may still land; repeating it changes nothing more. */
  pin(id: string, context?: CallContext): Promise<Reservation> {
    return this.client.call('POST', `/reservations/${encodeURIComponent(id)}/pin`, Reservation, { body: {}, retry: true, ...context });
  }

  /** The hold is dropped: nothing is charged. */
  release(id: string, reason: string, context?: CallContext): Promise<Reservation> {
    return this.settle(id, 'release', { reason: reason.slice(0, 200) }, context);
  }

  listAgents(context?: CallContext): Promise<AgentList> {
    return this.client.call('GET', '/agents', AgentList, { retry: true, ...context });
  }

  getAgent(id: string, context?: CallContext): Promise<Agent> {
    return this.client.call('GET', `/agents/${encodeURIComponent(id)}`, Agent, { retry: true, ...context });
  }

  /** Sets the budget to the values given: repeating it changes nothing more, so it is retried. */
  updateBudget(id: string, update: BudgetUpdate, context?: CallContext): Promise<Agent> {
    return this.client.call('PUT', `/agents/${encodeURIComponent(id)}/budget`, Agent, { body: update, retry: true, ...context });
  }

  setPaused(id: string, { paused }: { paused: boolean }, context?: CallContext): Promise<Agent> {
    const path = `/agents/${encodeURIComponent(id)}/${paused ? 'pause' : 'resume'}`;
    return this.client.call('POST', path, Agent, { retry: true, ...context });
  }

  /** This period's treasury-wide spend and holds against the policy's daily limit, and the HIGH reserve left. */
  treasury(context?: CallContext): Promise<TreasuryLimit> {
    return this.client.call('GET', '/treasury', TreasuryLimit, { retry: true, ...context });
  }

  /** Starts a new budget period now. Not retried: a repeat would start yet another period. */
  reset(context?: CallContext): Promise<ResetResponse> {
    return this.client.call('POST', '/period/reset', ResetResponse, { ...context });
  }

  /** Stored decisions, newest first; pass the page's `nextCursor` as `cursor` for the next one. */
  listDecisions(query: Partial<DecisionListQuery> = {}, context?: CallContext): Promise<DecisionList> {
    return this.client.call('GET', '/decisions', DecisionList, { query, retry: true, ...context });
  }

  /** Holds with their status as stored, newest first; pass the page's `nextCursor` as `cursor` for the next one. */
  listReservations(query: Partial<ReservationListQuery> = {}, context?: CallContext): Promise<ReservationList> {
    return this.client.call('GET', '/reservations', ReservationList, { query, retry: true, ...context });
  }

  /** Approvals of calls above a threshold, newest first. */
  listApprovals(query: Partial<ApprovalListQuery> = {}, context?: CallContext): Promise<ApprovalList> {
    return this.client.call('GET', '/approvals', ApprovalList, { query, retry: true, ...context });
  }

  getApproval(id: string, context?: CallContext): Promise<Approval> {
    return this.client.call('GET', `/approvals/${encodeURIComponent(id)}`, Approval, { retry: true, ...context });
  }

  /**
   * PENDING → APPROVED: the decision with its grant and the call's input.
   * Not retried: a repeat is refused (409, already APPROVED), and a lost answer
   * leaves the approval APPROVED with its hold to expire, never paid twice.
   */
  approve(id: string, answer: ApprovalDecideRequest, context?: CallContext): Promise<ApprovalGrant> {
    return this.client.call('POST', `/approvals/${encodeURIComponent(id)}/approve`, ApprovalGrant, { body: answer, ...context });
  }

  /** PENDING → DENIED; the hold is released. Not retried: a repeat is a 409. */
  deny(id: string, answer: ApprovalDecideRequest, context?: CallContext): Promise<Approval> {
    return this.client.call('POST', `/approvals/${encodeURIComponent(id)}/deny`, Approval, { body: answer, ...context });
  }

  /** APPROVED → COMPLETED or FAILED with the call's answer. */
  completeApproval(id: string, end: ApprovalCompleteRequest, context?: CallContext): Promise<Approval> {
    return this.client.call('POST', `/approvals/${encodeURIComponent(id)}/complete`, Approval, { body: end, ...context });
  }

  /** Lets the calls under way finish, then closes the client's connections. */
  close(): Promise<void> {
    return this.client.close();
  }

  /** Throws a ServiceCallError unless the service reports itself healthy. */
  async ping(): Promise<void> {
    await this.client.send('GET', '/health', { timeoutMs: 2_000 });
  }

  /**
   * Commit and release are retried on transient failures. When an earlier
   * attempt did land and only its answer was lost, the retry is refused as
   * already settled: the reservation is then read back, and it is the answer
   * if it settled the way this call asked.
   */
  private async settle(id: string, verb: 'commit' | 'release', body: object, context?: CallContext): Promise<Reservation> {
    const path = `/reservations/${encodeURIComponent(id)}/${verb}`;
    try {
      return await this.client.call('POST', path, Reservation, { body, retry: true, ...context });
    } catch (error: unknown) {
      if (!isServiceCallError(error) || error.code !== 'RESERVATION_ALREADY_SETTLED') throw error;
      const reservation = await this.getReservation(id, context);
      if (reservation.status === (verb === 'commit' ? 'COMMITTED' : 'RELEASED')) return reservation;
      throw error;
    }
  }
}
