import { AppError } from '@nexus/service-kit';
import type { ChatToolCall } from '@nexus/types';
import type { PaidCallOutcome, PaidCallRequest } from '../pipeline/paid-call-types';
import { parseToolReport } from './tool-report';
import { createPaidTools, type PaidToolsOptions } from './tools';
import { RecordingPaidCalls, answerFor, served } from './testing/recording-paid-calls';

function paidTools(paidCalls: RecordingPaidCalls, options: Partial<PaidToolsOptions> = {}) {
  const records: ChatToolCall[] = [];
  const tools = createPaidTools({ paidCalls, agentId: 'user-agent', requestId: 'req-7', record: (call) => records.push(call), ...options });
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const run = async (name: string, args: Record<string, unknown>) => {
    const tool = byName.get(name);
    if (!tool) throw new Error(`no tool ${name}`);
    const output: unknown = await tool.invoke(args);
    if (typeof output !== 'string') throw new Error('a tool answers with text');
    return { text: output, report: parseToolReport(output) };
  };
  return { tools, run, records };
}

const LINE = { timestamp: '2026-03-10T12:00:00Z', level: 'info', message: 'started' } as const;

describe('the paid tools', () => {
  it('are the four tools, each paying its own service', async () => {
    const paidCalls = new RecordingPaidCalls();
    const { tools, run } = paidTools(paidCalls);
    expect(tools.map((tool) => tool.name)).toEqual(['generate_image', 'get_price', 'submit_batch_job', 'archive_logs']);

    await run('generate_image', { prompt: 'a fox', variant: 'draft' });
    await run('get_price', { base: 'eth', quote: 'eur' });
    await run('submit_batch_job', { kind: 'primes', below: 100 });
    await run('archive_logs', { lines: [LINE], variant: 'summary' });

    expect(
      paidCalls.requests.map(({ serviceId, variant, input, agentId, requestId }) => ({ serviceId, variant, input, agentId, requestId })),
    ).toEqual([
      {
        serviceId: 'IMAGE_GEN',
        variant: 'draft',
        input: { prompt: 'a fox', width: 512, height: 512, format: 'png' },
        agentId: 'user-agent',
        requestId: 'req-7',
      },
      { serviceId: 'PRICE_ORACLE', variant: undefined, input: { base: 'ETH', quote: 'EUR' }, agentId: 'user-agent', requestId: 'req-7' },
      {
        serviceId: 'BATCH_COMPUTE',
        variant: undefined,
        input: { kind: 'primes', below: 100, list: false },
        agentId: 'user-agent',
        requestId: 'req-7',
      },
      { serviceId: 'LOG_ARCHIVE', variant: 'summary', input: { lines: [LINE] }, agentId: 'user-agent', requestId: 'req-7' },
    ]);
  });

  it('uses a fresh idempotency key for every call, the same call twice included', async () => {
    const paidCalls = new RecordingPaidCalls();
    const { run } = paidTools(paidCalls);

    await run('get_price', { base: 'ETH' });
    await run('get_price', { base: 'ETH' });

    const [first, second] = paidCalls.requests.map((request) => request.idempotencyKey);
    expect(first).toMatch(/^[\x21-\x7E]{1,200}$/);
    expect(first).not.toBe(second);
  });

  it('records a served call and tells the model the decision, the payment and a compact result', async () => {
    const image = { format: 'png', width: 512, height: 512, contentHash: 'ab'.repeat(32), data: 'A'.repeat(5000), url: '/images/x' };
    const paidCalls = new RecordingPaidCalls(served(() => image));
    const { run, records } = paidTools(paidCalls);

    const { report, text } = await run('generate_image', { prompt: 'a fox' });

    expect(report).toMatchObject({
      tool: 'generate_image',
      serviceId: 'IMAGE_GEN',
      outcome: 'served',
      decision: { action: 'ALLOWED', reason: 'WITHIN_POLICY' },
      payment: { status: 'SUCCESS', amount: '0.05' },
      charged: true,
      result: { data: '[5000 characters omitted]', url: '/images/x' },
    });
    expect(text.length).toBeLessThan(2_000);
    expect(records).toEqual([
      expect.objectContaining({ tool: 'generate_image', serviceId: 'IMAGE_GEN', reason: 'WITHIN_POLICY', amount: '0.05', result: image }),
    ]);
  });

  it('tells the model why a call was rejected or downgraded, and records both', async () => {
    const paidCalls = new RecordingPaidCalls((request, index): PaidCallOutcome =>
      index === 0
        ? {
            kind: 'rejected',
            answer: answerFor(request, {
              action: 'REJECTED',
              reason: 'SERVICE_NOT_ALLOWED',
              message: 'user-agent may not use BATCH_COMPUTE',
            }),
          }
        : {
            kind: 'served',
            answer: answerFor(request, {
              action: 'DOWNGRADED',
              reason: 'BUDGET_PRESSURE_DOWNGRADE',
              message: 'summary only: budget is low',
              variant: 'summary',
              amount: '0.05',
            }),
          },
    );
    const { run, records } = paidTools(paidCalls);

    const rejected = await run('submit_batch_job', { kind: 'primes', below: 100 });
    const downgraded = await run('archive_logs', { lines: [LINE] });

    expect(rejected.report).toMatchObject({
      outcome: 'rejected',
      charged: false,
      payment: null,
      decision: { action: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED', message: 'user-agent may not use BATCH_COMPUTE' },
    });
    expect(downgraded.report).toMatchObject({
      outcome: 'served',
      decision: { action: 'DOWNGRADED', reason: 'BUDGET_PRESSURE_DOWNGRADE', variant: 'summary', message: 'summary only: budget is low' },
    });
    expect(records.map(({ tool, reason, variant, payment }) => ({ tool, reason, variant, paid: payment !== null }))).toEqual([
      { tool: 'submit_batch_job', reason: 'SERVICE_NOT_ALLOWED', variant: 'standard', paid: false },
      { tool: 'archive_logs', reason: 'BUDGET_PRESSURE_DOWNGRADE', variant: 'summary', paid: true },
    ]);
  });

  it('tells the model a paid call failed and was refunded', async () => {
    const paidCalls = new RecordingPaidCalls((request): PaidCallOutcome => {
      const answer = answerFor(request);
      const error = new AppError('UPSTREAM_UNAVAILABLE', 'PRICE_ORACLE cannot be reached');
      return {
        kind: 'failed',
        error,
        answer: {
          ...answer,
          result: null,
          error: { code: error.code, message: error.message },
          refund: { status: 'REFUNDED', paymentId: answer.payment?.id ?? '', txHash: null, message: 'refunded' },
        },
      };
    });
    const { run, records } = paidTools(paidCalls);

    const { report } = await run('get_price', { base: 'ETH' });

    expect(report).toMatchObject({
      outcome: 'failed',
      charged: false,
      error: { code: 'UPSTREAM_UNAVAILABLE', message: 'PRICE_ORACLE cannot be reached' },
      refund: { status: 'REFUNDED' },
    });
    expect(records).toEqual([
      expect.objectContaining({ tool: 'get_price', error: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }) }),
    ]);
  });

  it('refuses input the provider would refuse, before any decision or payment', async () => {
    const paidCalls = new RecordingPaidCalls();
    const { run, records } = paidTools(paidCalls);

    const missing = await run('submit_batch_job', { kind: 'primes' });
    const mixed = await run('submit_batch_job', { kind: 'primes', below: 10, iterations: 5 });
    const same = await run('get_price', { base: 'ETH', quote: 'eth' });

    for (const { report } of [missing, mixed, same])
      expect(report).toMatchObject({ outcome: 'invalid_input', error: { code: 'VALIDATION_ERROR' } });
    expect(missing.report?.error?.message).toContain('below');
    expect(same.report?.error?.message).toContain('quote: must differ from base');
    expect(paidCalls.requests).toHaveLength(0);
    expect(records).toHaveLength(0);
  });

  it('hands a failure before any decision to the chat and tells the model nothing was paid', async () => {
    const down = new AppError('UPSTREAM_UNAVAILABLE', 'policy cannot be reached');
    const paidCalls = new RecordingPaidCalls(() => Promise.reject(down));
    const unavailable: AppError[] = [];
    const { run, records } = paidTools(paidCalls, { onUnavailable: (error) => unavailable.push(error) });

    const { report } = await run('get_price', { base: 'ETH' });

    expect(unavailable).toEqual([down]);
    expect(report).toMatchObject({ outcome: 'unavailable', charged: false, error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(report?.error?.message).toContain('nothing was held or paid');
    expect(records).toHaveLength(0);
  });

  it('makes no call once the chat is stopping', async () => {
    const paidCalls = new RecordingPaidCalls();
    const stop = new AbortController();
    stop.abort();
    const { run } = paidTools(paidCalls, { signal: stop.signal });

    const { report } = await run('get_price', { base: 'ETH' });

    expect(report).toMatchObject({ outcome: 'unavailable' });
    expect(paidCalls.requests).toHaveLength(0);
  });

  it('runs the calls of one request one at a time, in the order they come', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const paidCalls = new RecordingPaidCalls(async (request: PaidCallRequest, index) => {
      if (index === 0) {
        firstStarted();
        await held;
      }
      return { kind: 'served', answer: answerFor(request) };
    });
    const { run } = paidTools(paidCalls);

    const first = run('get_price', { base: 'ETH' });
    const second = run('get_price', { base: 'BTC' });
    await started;
    await new Promise((resolve) => setImmediate(resolve));
    expect(paidCalls.requests.map((request) => request.input['base'])).toEqual(['ETH']);

    release();
    await Promise.all([first, second]);
    expect(paidCalls.requests.map((request) => request.input['base'])).toEqual(['ETH', 'BTC']);
  });
});
