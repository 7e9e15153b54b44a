import { ChatResponse, fromBaseUnits, LogArchive, sumMoney, toBaseUnits, type ChatToolCall } from '@nexus/types';
import { waitFor, type WaitForOptions } from '@nexus/service-kit/testing';
import { useGatewayOverStack } from './testing/gateway-suite';

/** Across processes: a check that fails (a service restarting) is tried again. */
const POLL: WaitForOptions = { timeoutMs: 60_000, retryOnError: true };

jest.setTimeout(180_000);

const times = (count: number, amount: string) => fromBaseUnits(BigInt(count) * toBaseUnits(amount));

/**
 * The three coordination problems of the prototype, end to end: a message to
 * POST /chat, the built-in planner (no LLM key), the paid tools, the real
 * policy, payment service, providers and logger, with the shipped config
 * (policy.yaml: treasury dailyLimit 8.00, highShare 0.5 with LOW restricted,
 * budget pressure under 25%).
 */
describe('coordination problems through POST /chat with the built-in planner', () => {
  const suite = useGatewayOverStack();

  /** One chat turn as the agent itself (its own key), with exactly `calls` tool calls made. */
  async function chat(agentId: string, message: string, calls: number): Promise<ChatResponse> {
    const res = await suite.gw.http.post('/chat').set(suite.gw.auth(agentId)).send({ message });
    expect(res.status).toBe(200);
    const response = ChatResponse.parse(res.body);
    expect(response).toMatchObject({ agentId, model: 'planner', toolCallLimitReached: false });
    expect(response.toolCalls).toHaveLength(calls);
    return response;
  }
  const only = (response: ChatResponse): ChatToolCall => {
    const [call] = response.toolCalls;
    if (!call || response.toolCalls.length !== 1) throw new Error(`expected one tool call, got ${response.toolCalls.length}`);
    return call;
  };
  /** A served call: the decision, its reason, variant and amount, and the payment of that amount for that decision. */
  const expectPaid = (
    call: ChatToolCall,
    expected: { action: 'ALLOWED' | 'DOWNGRADED'; reason: string; variant: string; amount: string },
  ) => {
    expect(call).toMatchObject({ reason: expected.reason, variant: expected.variant, amount: expected.amount });
    expect(call.error ?? null).toBeNull();
    expect(call.decision).toMatchObject(expected);
    expect(call.payment).toMatchObject({
      status: 'MOCK',
      amount: expected.amount,
      decisionId: call.decision.id,
      agentId: call.decision.agentId,
    });
    expect(call.result).not.toBeNull();
  };

  it("rejects batch-agent's batch jobs once they would eat the reserve kept for HIGH agents, and user-agent is still served", async () => {
    const turns: ChatResponse[] = [];
    for (const below of [1000, 2000, 3000]) turns.push(await chat('batch-agent', `run a batch job: count the primes below ${below}`, 1));
    const [first, second, third] = turns.map(only);
    if (!first || !second || !third) throw new Error('three jobs expected');

    for (const job of [first, second]) {
      expect(job).toMatchObject({ tool: 'submit_batch_job', serviceId: 'BATCH_COMPUTE' });
      expectPaid(job, { action: 'ALLOWED', reason: 'WITHIN_POLICY', variant: 'standard', amount: '1.50' });
      expect(job.result).toMatchObject({ jobId: expect.any(String) });
    }
    // 3.00 spent; a third 1.50 would take the treasury's spend past 8.00 - 4.00 (the HIGH reserve).
    expect(third).toMatchObject({ tool: 'submit_batch_job', reason: 'PRIORITY_RESERVE_EXCEEDED', payment: null, result: null });
    expect(third.decision).toMatchObject({ action: 'REJECTED', reason: 'PRIORITY_RESERVE_EXCEEDED' });
    // batch-agent's own budget had room: it is the reserve that said no.
    expect(await suite.probe.agent('batch-agent')).toMatchObject({ spentToday: '3.00', reserved: '0.00', remaining: '3.00' });
    // The reply explains it.
    const reply = turns[2]?.reply ?? '';
    expect(reply).toContain('REJECTED (PRIORITY_RESERVE_EXCEEDED)');
    expect(reply).toContain(third.decision.message);
    expect(reply).toContain('Nothing was charged');
    expect(reply).toContain('Spent in this request: 0.00 MNEE');

    const payments = await suite.probe.payments({ agentId: 'batch-agent' });
    expect(payments.filter((payment) => payment.decisionId === third.decision.id)).toHaveLength(0);
    for (const job of [first, second]) expect(payments.filter((payment) => payment.decisionId === job.decision.id)).toHaveLength(1);

    const image = only(await chat('user-agent', 'draw a lighthouse at dusk, 64x64', 1));
    expect(image).toMatchObject({ tool: 'generate_image', serviceId: 'IMAGE_GEN' });
    expectPaid(image, { action: 'ALLOWED', reason: 'WITHIN_POLICY', variant: 'standard', amount: '0.50' });
    expect(image.result).toMatchObject({ format: 'png', width: 64, height: 64 });
    expect(await suite.probe.agent('user-agent')).toMatchObject({ spentToday: '0.50', reserved: '0.00' });
  });

  it('archives logs in full while the budget is healthy, then downgrades to a summary under budget pressure', async () => {
    const message = 'archive these logs:\nERROR disk full\nWARN slow response\nERROR disk full\nINFO started';
    const first = only(await chat('ops-agent', message, 1));
    const second = only(await chat('ops-agent', message, 1));
    const thirdTurn = await chat('ops-agent', message, 1);
    const third = only(thirdTurn);

    for (const call of [first, second]) {
      expect(call).toMatchObject({ tool: 'archive_logs', serviceId: 'LOG_ARCHIVE' });
      expectPaid(call, { action: 'ALLOWED', reason: 'WITHIN_POLICY', variant: 'full', amount: '0.30' });
      expect(call.result).toMatchObject({ variant: 'full', lineCount: 4 });
    }
    // 0.60 spent of 1.00: another full archive would leave 0.10, under 25%.
    expectPaid(third, { action: 'DOWNGRADED', reason: 'BUDGET_PRESSURE_DOWNGRADE', variant: 'summary', amount: '0.05' });
    expect(third.decision.requestedVariant).toBeNull();
    expect(third.result).toMatchObject({ variant: 'summary', lineCount: 4 });
    expect(thirdTurn.reply).toContain('DOWNGRADED to summary');
    expect(thirdTurn.reply).toContain('BUDGET_PRESSURE_DOWNGRADE');
    expect(await suite.probe.agent('ops-agent')).toMatchObject({ spentToday: '0.65', reserved: '0.00', remaining: '0.35' });

    // The archive kept is a summary: read it back from the provider (free).
    const receipt = third.result as { url: string; archiveId: string };
    const stored = await fetch(`${suite.stack.process('log-archive').url}${receipt.url}`);
    expect(stored.status).toBe(200);
    const archive = LogArchive.parse(await stored.json());
    expect(archive).toMatchObject({ archiveId: receipt.archiveId, variant: 'summary', paymentId: third.payment?.id });
    if (archive.variant !== 'summary') throw new Error('a summary archive expected');
    expect(archive.summary).toMatchObject({ lineCount: 4, distinctMessages: 3, levels: { error: 2, warn: 1, info: 1 } });

    const downgraded = await waitFor(
      'the downgrade in GET /policy/logs',
      async () => {
        const entries = await suite.probe.decisions({ agentId: 'ops-agent', action: 'DOWNGRADED' });
        return entries.find((entry) => entry.id === third.decision.id);
      },
      POLL,
    );
    expect(downgraded).toMatchObject({ action: 'DOWNGRADED', reason: 'BUDGET_PRESSURE_DOWNGRADE', variant: 'summary', amount: '0.05' });
  });

  it('charges PRICE_ORACLE per query: N queries, N payments of 0.05, and the totals agree everywhere', async () => {
    // Everything earlier is in the audit trail before the figures are read.
    await suite.gw.gateway.outbox.flush();
    const statsBefore = await suite.probe.stats();

    const turns = [
      await chat('user-agent', 'what is the price of ETH, BTC and SOL?', 3),
      await chat('user-agent', 'price of ETH', 1),
      await chat('user-agent', 'get me the price of BTC in EUR', 1),
    ];
    const calls = turns.flatMap((turn) => turn.toolCalls);
    const queries = calls.length;
    expect(queries).toBe(5);
    for (const call of calls) {
      expect(call).toMatchObject({ tool: 'get_price', serviceId: 'PRICE_ORACLE' });
      expectPaid(call, { action: 'ALLOWED', reason: 'WITHIN_POLICY', variant: 'query', amount: '0.05' });
    }
    expect(calls.map((call) => (call.result as { base: string }).base)).toEqual(['ETH', 'BTC', 'SOL', 'ETH', 'BTC']);
    expect(new Set(calls.map((call) => call.payment?.id)).size).toBe(queries);

    // Each reply lists the prices it got.
    for (const turn of turns)
      for (const call of turn.toolCalls) {
        const { base, quote, price } = call.result as { base: string; quote: string; price: string };
        expect(turn.reply).toContain(`${base}/${quote} = ${price}`);
      }
    expect(turns[0]?.reply).toContain(`Spent in this request: ${times(3, '0.05')} MNEE`);

    const total = times(queries, '0.05');
    expect(await suite.probe.agent('user-agent')).toMatchObject({ spentToday: total, reserved: '0.00' });
    const ledger = await suite.probe.payments({ agentId: 'user-agent', serviceId: 'PRICE_ORACLE' });
    for (const call of calls)
      expect(ledger.find((payment) => payment.id === call.payment?.id)).toMatchObject({ status: 'MOCK', amount: '0.05' });

    const expectedRevenue = sumMoney([statsBefore.revenueByService['PRICE_ORACLE'] ?? '0.00', total]);
    const stats = await waitFor(
      'the queries in GET /stats',
      async () => {
        const now = await suite.probe.stats();
        return now.revenueByService['PRICE_ORACLE'] === expectedRevenue ? now : undefined;
      },
      POLL,
    );
    expect(stats.spendByAgent['user-agent']).toBe(sumMoney([statsBefore.spendByAgent['user-agent'] ?? '0.00', total]));
    expect(stats.transactions.successful).toBe(statsBefore.transactions.successful + queries);
  });
});
