import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { PLANNER_HELP, PlannerChatModel, plannerReply } from './planner-model';
import type { ToolReport } from './tool-report';

const NOW = new Date('2026-03-10T12:00:00.000Z');

const report = (fields: Partial<ToolReport> & Pick<ToolReport, 'tool' | 'serviceId' | 'outcome'>): ToolReport => ({
  decision: null,
  payment: null,
  charged: false,
  result: null,
  error: null,
  refund: null,
  ...fields,
});

const toolMessage = (id: string, body: ToolReport | string) =>
  new ToolMessage({
    tool_call_id: id,
    name: typeof body === 'string' ? 'get_price' : body.tool,
    content: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('the built-in planner model', () => {
  it('answers a request with the tool calls it plans, ids unique in the conversation', () => {
    const reply = plannerReply([new HumanMessage('price of ETH and BTC')], NOW);

    expect(reply.tool_calls?.map((call) => [call.name, call.args])).toEqual([
      ['get_price', { base: 'ETH' }],
      ['get_price', { base: 'BTC' }],
    ]);
    const ids = reply.tool_calls?.map((call) => call.id) ?? [];
    expect(new Set(ids).size).toBe(2);
    expect(ids.every((id) => /^call_[0-9a-f]{24}$/.test(id ?? ''))).toBe(true);
  });

  it('plans the same calls with the same ids for the same conversation, and new ids when the message comes again', () => {
    const first = plannerReply([new HumanMessage('price of ETH')], NOW);
    expect(plannerReply([new HumanMessage('price of ETH')], NOW).tool_calls).toEqual(first.tool_calls);

    const id = first.tool_calls?.[0]?.id ?? '';
    const history: BaseMessage[] = [
      new HumanMessage('price of ETH'),
      first,
      toolMessage(id, report({ tool: 'get_price', serviceId: 'PRICE_ORACLE', outcome: 'rejected' })),
      new AIMessage('rejected'),
    ];
    const again = plannerReply([...history, new HumanMessage('price of ETH')], NOW);
    expect(again.tool_calls?.map((call) => call.args)).toEqual([{ base: 'ETH' }]);
    expect(again.tool_calls?.[0]?.id).not.toBe(id);
  });

  it('explains what it can do when a message asks for nothing it knows', () => {
    const reply = plannerReply([new HumanMessage('good morning')], NOW);

    expect(reply.tool_calls ?? []).toEqual([]);
    expect(reply.text).toContain(PLANNER_HELP);
  });

  it('sums up each call once the results are back: allowed, downgraded, rejected, failed and over the cap', () => {
    const asked = new AIMessage({
      content: '',
      tool_calls: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, name: 'get_price', args: { base: 'ETH' }, type: 'tool_call' as const })),
    });
    const messages: BaseMessage[] = [
      new HumanMessage('do five things'),
      asked,
      toolMessage('e', 'Tool call limit exceeded. Do not make additional tool calls.'),
      toolMessage(
        'a',
        report({
          tool: 'get_price',
          serviceId: 'PRICE_ORACLE',
          outcome: 'served',
          decision: { action: 'ALLOWED', reason: 'WITHIN_POLICY', message: 'ok', requestedVariant: null, variant: 'query', amount: '0.05' },
          payment: { status: 'SUCCESS', amount: '0.05', txHash: '0xabc' },
          charged: true,
          result: { base: 'ETH', quote: 'USD', price: '3150.25', source: 'feed', timestamp: '2026-03-10T12:00:00Z' },
        }),
      ),
      toolMessage(
        'b',
        report({
          tool: 'generate_image',
          serviceId: 'IMAGE_GEN',
          outcome: 'served',
          decision: {
            action: 'DOWNGRADED',
            reason: 'BUDGET_PRESSURE_DOWNGRADE',
            message: 'little budget left: draft instead',
            requestedVariant: 'standard',
            variant: 'draft',
            amount: '0.20',
          },
          payment: { status: 'SUCCESS', amount: '0.20', txHash: '0xdef' },
          charged: true,
          result: { format: 'png', width: 256, height: 256, contentHash: 'ff', url: '/images/ff' },
        }),
      ),
      toolMessage(
        'c',
        report({
          tool: 'submit_batch_job',
          serviceId: 'BATCH_COMPUTE',
          outcome: 'rejected',
          decision: {
            action: 'REJECTED',
            reason: 'PRIORITY_RESERVE_EXCEEDED',
            message: 'would eat the reserve kept for HIGH agents',
            requestedVariant: null,
            variant: 'standard',
            amount: '1.50',
          },
        }),
      ),
      toolMessage(
        'd',
        report({
          tool: 'archive_logs',
          serviceId: 'LOG_ARCHIVE',
          outcome: 'failed',
          decision: { action: 'ALLOWED', reason: 'WITHIN_POLICY', message: 'ok', requestedVariant: null, variant: 'full', amount: '0.30' },
          payment: { status: 'REFUNDED', amount: '0.30', txHash: '0x123' },
          error: { code: 'UPSTREAM_UNAVAILABLE', message: 'LOG_ARCHIVE cannot be reached' },
          refund: { status: 'REFUNDED', txHash: '0x456', message: 'refunded' },
        }),
      ),
    ];

    const lines = plannerReply(messages, NOW).text.split('\n');

    expect(lines[1]).toMatch(/get_price \(PRICE_ORACLE\) was ALLOWED .*Paid 0\.05 MNEE \(SUCCESS, tx 0xabc\).*ETH\/USD = 3150\.25/);
    expect(lines[2]).toMatch(/generate_image .* was DOWNGRADED to draft from standard \(BUDGET_PRESSURE_DOWNGRADE\): little budget left/);
    expect(lines[3]).toMatch(
      /submit_batch_job .* was REJECTED \(PRIORITY_RESERVE_EXCEEDED\): would eat the reserve .* Nothing was charged\./,
    );
    expect(lines[4]).toMatch(/archive_logs .* failed: LOG_ARCHIVE cannot be reached\. Refund: REFUNDED \(tx 0x456\)/);
    expect(lines[5]).toMatch(/get_price was not run: this request reached its cap on paid tool calls/);
    expect(lines[6]).toBe('Spent in this request: 0.25 MNEE.');
  });

  it('is a chat model LangChain agents accept: binding tools gives the planner back', async () => {
    const model = new PlannerChatModel({ clock: () => NOW });

    const bound = model.bindTools([]);
    const reply = await bound.invoke([new HumanMessage('draw a fox')]);

    expect(bound).toBe(model);
    expect(reply.tool_calls?.map((call) => call.name)).toEqual(['generate_image']);
  });
});
