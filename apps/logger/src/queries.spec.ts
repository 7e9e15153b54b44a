import request from 'supertest';
import { expectValidationError } from '@nexus/service-kit/testing';
import { LoggedEventList, LogStats, type LogEvent } from '@nexus/types';
import { at, decisionEvent, transactionEvent } from './testing/events';
import { auth, createLoggerUnderTest, type LoggerUnderTest } from './testing/logger-harness';

/** A small day of traffic: two agents, two services, every action and status, a refund, equal timestamps. */
const EVENTS: LogEvent[] = [
  decisionEvent('d01', { occurredAt: at(0) }),
  transactionEvent('t01', { occurredAt: at(0), amount: '0.05' }),
  decisionEvent('d02', { occurredAt: at(1_000), agentId: 'batch-agent', serviceId: 'BATCH_COMPUTE', action: 'REJECTED', amount: null }),
  decisionEvent('d03', { occurredAt: at(2_000), action: 'DOWNGRADED', serviceId: 'LOG_ARCHIVE', variant: 'summary', amount: '0.01' }),
  transactionEvent('t03', { occurredAt: at(2_000), serviceId: 'LOG_ARCHIVE', amount: '0.01', status: 'MOCK', txHash: null }),
  decisionEvent('d04', { occurredAt: at(3_000), agentId: 'batch-agent', serviceId: 'BATCH_COMPUTE', amount: '1.25' }),
  transactionEvent('t04', { occurredAt: at(3_000), agentId: 'batch-agent', serviceId: 'BATCH_COMPUTE', amount: '1.25' }),
  transactionEvent('t04r', {
    occurredAt: at(4_000),
    agentId: 'batch-agent',
    serviceId: 'BATCH_COMPUTE',
    amount: '1.25',
    status: 'REFUNDED',
    reason: 'PROVIDER_FAILED',
  }),
  decisionEvent('d05', { occurredAt: at(5_000) }),
  transactionEvent('t05', { occurredAt: at(5_000), status: 'FAILED', amount: '0.05', reason: 'PAYMENT_REVERTED', txHash: null }),
  decisionEvent('d06', { occurredAt: at(5_000), agentId: 'batch-agent', serviceId: 'IMAGE_GEN', amount: '0.05' }),
  transactionEvent('t06', { occurredAt: at(5_000), agentId: 'batch-agent', serviceId: 'IMAGE_GEN', amount: '0.05' }),
];

describe('logger queries', () => {
  let service: LoggerUnderTest;
  beforeAll(async () => {
    service = await createLoggerUnderTest();
    const response = await request(service.app).post('/events').set(auth).send({ events: EVENTS });
    expect(response.status).toBe(201);
  });
  afterAll(async () => {
    await service?.close();
  });

  const list = (query: Record<string, string | number>) => request(service.app).get('/events').set(auth).query(query);
  const stats = async (query: Record<string, string> = {}) => {
    const response = await request(service.app).get('/stats').set(auth).query(query);
    expect(response.status).toBe(200);
    return LogStats.parse(response.body);
  };

  /** Every id a query finds, walking its pages by nextCursor. */
  async function walk(query: Record<string, string | number>): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await list({ ...query, ...(cursor ? { cursor } : {}) });
      expect(response.status).toBe(200);
      const page = LoggedEventList.parse(response.body);
      ids.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  describe('GET /events', () => {
    it('lists newest first by occurredAt, then id, 50 to a page by default', async () => {
      const page = LoggedEventList.parse((await list({})).body);
      expect(page.items.map((item) => item.id)).toEqual([
        't06',
        't05',
        'd06',
        'd05',
        't04r',
        't04',
        'd04',
        't03',
        'd03',
        'd02',
        't01',
        'd01',
      ]);
      expect(page.nextCursor).toBeNull();
    });

    it('walks pages of 5 (then 1) by nextCursor with no event twice and none missed', async () => {
      const all = LoggedEventList.parse((await list({})).body).items.map((item) => item.id);
      expect(await walk({ limit: 5 })).toEqual(all);
      expect(await walk({ limit: 1 })).toEqual(all);
      const exact = LoggedEventList.parse((await list({ limit: 12 })).body);
      expect(exact.nextCursor).toBeNull();
    });

    it.each<[Record<string, string>, string[]]>([
      [{ kind: 'decision' }, ['d06', 'd05', 'd04', 'd03', 'd02', 'd01']],
      [{ agentId: 'batch-agent' }, ['t06', 'd06', 't04r', 't04', 'd04', 'd02']],
      [{ serviceId: 'LOG_ARCHIVE' }, ['t03', 'd03']],
      [{ action: 'DOWNGRADED' }, ['d03']],
      [{ status: 'REFUNDED' }, ['t04r']],
      [{ kind: 'transaction', status: 'SUCCESS', agentId: 'batch-agent' }, ['t06', 't04']],
      [{ from: at(3_000), to: at(5_000) }, ['t04r', 't04', 'd04']],
      [{ from: at(5_000) }, ['t06', 't05', 'd06', 'd05']],
      [{ to: at(1_000) }, ['t01', 'd01']],
      [{ kind: 'transaction', action: 'ALLOWED' }, []],
    ])('filters by %j', async (query, expected) => {
      expect(await walk({ ...query, limit: 2 })).toEqual(expected);
    });

    it.each<[Record<string, string>, string[]]>([
      [{ limit: '0' }, ['query.limit']],
      [{ limit: '501' }, ['query.limit']],
      [{ limit: 'ten' }, ['query.limit']],
      [{ kind: 'note' }, ['query.kind']],
      [{ action: 'allowed' }, ['query.action']],
      [{ status: 'PENDING' }, ['query.status']],
      [{ from: '2026-03-10' }, ['query.from']],
      [{ to: 'tomorrow' }, ['query.to']],
      [{ agentId: 'bad agent' }, ['query.agentId']],
      [{ sort: 'asc' }, ['query']],
      [{ cursor: 'not-one-we-issued' }, ['query.cursor']],
    ])('refuses %j with 400 naming the parameter', async (query, paths) => {
      expectValidationError(await list(query), paths);
    });

    it('refuses a repeated parameter instead of failing', async () => {
      expectValidationError(await request(service.app).get('/events?agentId=a&agentId=b').set(auth), ['query.agentId']);
    });
  });

  describe('GET /stats', () => {
    it('counts every action and status and sums spend and revenue as SUCCESS + MOCK less REFUNDED', async () => {
      expect(await stats()).toEqual({
        transactions: { total: 5, successful: 4, failed: 1, refunded: 1, byStatus: { SUCCESS: 3, MOCK: 1, FAILED: 1, REFUNDED: 1 } },
        policy: { total: 6, allowed: 4, rejected: 1, downgraded: 1, pendingApproval: 0 },
        totalSpent: '0.11',
        spendByAgent: { 'user-agent': '0.06', 'batch-agent': '0.05' },
        revenueByService: { IMAGE_GEN: '0.10', LOG_ARCHIVE: '0.01', BATCH_COMPUTE: '0.00' },
      });
    });

    it('narrows to an agent, a service and a window', async () => {
      expect(await stats({ agentId: 'batch-agent' })).toMatchObject({
        transactions: { total: 2, successful: 2, refunded: 1 },
        policy: { total: 3, allowed: 2, rejected: 1 },
        totalSpent: '0.05',
        spendByAgent: { 'batch-agent': '0.05' },
      });
      expect(await stats({ serviceId: 'LOG_ARCHIVE' })).toMatchObject({ totalSpent: '0.01', revenueByService: { LOG_ARCHIVE: '0.01' } });
      expect(await stats({ agentId: 'user-agent', from: at(1_000), to: at(5_000) })).toMatchObject({
        transactions: { total: 1, byStatus: { MOCK: 1 } },
        totalSpent: '0.01',
      });
    });

    it('answers a negative net for a window holding a refund without its payment', async () => {
      expect(await stats({ from: at(4_000), to: at(5_000) })).toMatchObject({
        totalSpent: '-1.25',
        spendByAgent: { 'batch-agent': '-1.25' },
        revenueByService: { BATCH_COMPUTE: '-1.25' },
      });
    });

    it('answers zeros and empty maps for an empty window', async () => {
      expect(await stats({ from: at(-2_000), to: at(-1_000) })).toEqual({
        transactions: { total: 0, successful: 0, failed: 0, refunded: 0, byStatus: { SUCCESS: 0, MOCK: 0, FAILED: 0, REFUNDED: 0 } },
        policy: { total: 0, allowed: 0, rejected: 0, downgraded: 0, pendingApproval: 0 },
        totalSpent: '0.00',
        spendByAgent: {},
        revenueByService: {},
      });
    });

    it('refuses list parameters and malformed ones with 400', async () => {
      expectValidationError(await request(service.app).get('/stats').set(auth).query({ limit: 5 }), ['query']);
      expectValidationError(await request(service.app).get('/stats').set(auth).query({ from: 'x', serviceId: '' }), [
        'query.from',
        'query.serviceId',
      ]);
    });
  });
});
