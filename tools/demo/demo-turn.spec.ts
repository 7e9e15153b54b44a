import { demoTurn, describeServed, failedTurn } from './demo-turn';
import { archiveResult, chatAnswer, imageResult, jobResult, priceResult, toolCall } from './testing/api-answers';

describe('a chat turn as the demo records it', () => {
  it('keeps each call’s decision, reason, variant, amount and payment with its tx hash', () => {
    const call = toolCall({
      agentId: 'user-agent',
      tool: 'get_price',
      action: 'ALLOWED',
      reason: 'WITHIN_POLICY',
      variant: 'query',
      amount: '0.05',
      result: priceResult('ETH', 'USD', '3150.25'),
    });
    const turn = demoTurn('user-agent', 'price of ETH', chatAnswer('user-agent', [call]));
    expect(turn).toEqual({
      agentId: 'user-agent',
      message: 'price of ETH',
      error: null,
      calls: [
        {
          tool: 'get_price',
          serviceId: 'PRICE_ORACLE',
          decisionId: call.decision.id,
          action: 'ALLOWED',
          reason: 'WITHIN_POLICY',
          message: call.decision.message,
          variant: 'query',
          amount: '0.05',
          payment: { id: call.payment?.id, status: 'SUCCESS', amount: '0.05', txHash: call.payment?.txHash },
          served: 'ETH/USD = 3150.25',
          servedVariant: null,
          error: null,
        },
      ],
    });
    expect(call.payment?.txHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('keeps a rejection with no payment and nothing served', () => {
    const call = toolCall({
      agentId: 'batch-agent',
      tool: 'submit_batch_job',
      action: 'REJECTED',
      reason: 'PRIORITY_RESERVE_EXCEEDED',
      variant: 'standard',
      amount: '1.50',
    });
    const [recorded] = demoTurn('batch-agent', 'run a job', chatAnswer('batch-agent', [call])).calls;
    expect(recorded).toMatchObject({
      action: 'REJECTED',
      reason: 'PRIORITY_RESERVE_EXCEEDED',
      payment: null,
      served: null,
      servedVariant: null,
    });
  });

  it('keeps the status and code of a chat the gateway refused', () => {
    expect(failedTurn('ops-agent', 'archive', { status: 429, code: 'RATE_LIMITED', message: 'too many requests' })).toEqual({
      agentId: 'ops-agent',
      message: 'archive',
      calls: [],
      error: { status: 429, code: 'RATE_LIMITED', message: 'too many requests' },
    });
  });
});

describe('what a provider served, in one line', () => {
  it('names the price, the job, the archive and its variant, and the image without its bytes', () => {
    expect(describeServed('get_price', priceResult('BTC', 'EUR', '58448.46'))).toEqual({
      served: 'BTC/EUR = 58448.46',
      servedVariant: null,
    });
    const job = jobResult();
    expect(describeServed('submit_batch_job', job)).toEqual({ served: `primes job ${job.jobId} QUEUED`, servedVariant: null });
    const archive = archiveResult('summary', 4);
    expect(describeServed('archive_logs', archive)).toEqual({
      served: `summary archive ${archive.archiveId} of 4 lines`,
      servedVariant: 'summary',
    });
    const image = describeServed('generate_image', imageResult(64));
    expect(image.served).toMatch(/^png 64x64, 660 bytes, at \/images\/[0-9a-f]{64}$/);
  });

  it('says nothing was served when the result is null, and stays vague about an answer it does not know', () => {
    expect(describeServed('archive_logs', null)).toEqual({ served: null, servedVariant: null });
    expect(describeServed('archive_logs', { something: 'else' })).toEqual({ served: 'an archive', servedVariant: null });
  });
});
