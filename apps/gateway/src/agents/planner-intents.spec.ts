import type { BuiltInToolName } from '@nexus/types';
import { planToolCalls, type PlannedCall } from './planner-intents';
import { ARCHIVE_LOGS, GENERATE_IMAGE, GET_PRICE, SUBMIT_BATCH_JOB, type ToolRequest } from './tool-schemas';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const STAMP = NOW.toISOString();

/** The call as the tool would run it: its arguments through the tool's schema, then the provider's own input schema. */
function asToolRequest(call: PlannedCall): ToolRequest {
  const check: Record<BuiltInToolName, (args: unknown) => ToolRequest> = {
    generate_image: (args) => GENERATE_IMAGE.toRequest(GENERATE_IMAGE.schema.parse(args)),
    get_price: (args) => GET_PRICE.toRequest(GET_PRICE.schema.parse(args)),
    submit_batch_job: (args) => SUBMIT_BATCH_JOB.toRequest(SUBMIT_BATCH_JOB.schema.parse(args)),
    archive_logs: (args) => ARCHIVE_LOGS.toRequest(ARCHIVE_LOGS.schema.parse(args)),
  };
  return check[call.name](call.args);
}

const TABLE: [string, PlannedCall[]][] = [
  ['Draw a lighthouse at dusk', [{ name: 'generate_image', args: { prompt: 'a lighthouse at dusk' } }]],
  [
    'Generate a draft image of a red fox in the snow',
    [{ name: 'generate_image', args: { prompt: 'a red fox in the snow', variant: 'draft' } }],
  ],
  [
    'Please render a 256x256 svg icon of a rocket',
    [{ name: 'generate_image', args: { prompt: 'a rocket', width: 256, height: 256, format: 'svg' } }],
  ],
  ['What is the price of ETH?', [{ name: 'get_price', args: { base: 'ETH' } }]],
  ['How much is bitcoin worth in euros', [{ name: 'get_price', args: { base: 'BTC', quote: 'EUR' } }]],
  [
    'Get prices for ETH, BTC and SOL in EUR',
    [
      { name: 'get_price', args: { base: 'ETH', quote: 'EUR' } },
      { name: 'get_price', args: { base: 'BTC', quote: 'EUR' } },
      { name: 'get_price', args: { base: 'SOL', quote: 'EUR' } },
    ],
  ],
  ['quote for MNEE', [{ name: 'get_price', args: { base: 'MNEE' } }]],
  ['Count the primes below 1,000,000', [{ name: 'submit_batch_job', args: { kind: 'primes', below: 1_000_000 } }]],
  ['list the primes up to 100', [{ name: 'submit_batch_job', args: { kind: 'primes', below: 101, list: true } }]],
  ['count primes below 999999999999', [{ name: 'submit_batch_job', args: { kind: 'primes', below: 20_000_000 } }]],
  [
    'run a hash chain of 5000 rounds on "nexus-seed"',
    [{ name: 'submit_batch_job', args: { kind: 'hash-chain', seed: 'nexus-seed', iterations: 5000 } }],
  ],
  ['sort 5, 3, 9 descending', [{ name: 'submit_batch_job', args: { kind: 'sort', values: [5, 3, 9], order: 'desc' } }]],
  [
    'compute fibonacci 90 with a matrix',
    [
      {
        name: 'submit_batch_job',
        args: {
          kind: 'matrix-power',
          matrix: [
            [1, 1],
            [1, 0],
          ],
          power: 90,
          modulus: 1_000_000_007,
        },
      },
    ],
  ],
  ['submit a batch job', [{ name: 'submit_batch_job', args: { kind: 'primes', below: 100_001 } }]],
  [
    'Archive these logs as a summary:\n2026-03-10T11:59:00Z ERROR disk full\nWARN: slow response',
    [
      {
        name: 'archive_logs',
        args: {
          lines: [
            { timestamp: '2026-03-10T11:59:00Z', level: 'error', message: 'disk full' },
            { timestamp: STAMP, level: 'warn', message: 'slow response' },
          ],
          variant: 'summary',
        },
      },
    ],
  ],
  [
    'archive the logs: service started; error: user lookup failed',
    [
      {
        name: 'archive_logs',
        args: {
          lines: [
            { timestamp: STAMP, level: 'info', message: 'service started' },
            { timestamp: STAMP, level: 'error', message: 'user lookup failed' },
          ],
        },
      },
    ],
  ],
  [
    'Draw a cat and get the price of ETH, then archive the logs',
    [
      { name: 'generate_image', args: { prompt: 'a cat' } },
      { name: 'get_price', args: { base: 'ETH' } },
      {
        name: 'archive_logs',
        args: {
          lines: [
            { timestamp: STAMP, level: 'info', message: 'chat request: Draw a cat and get the price of ETH, then archive the logs' },
            { timestamp: STAMP, level: 'info', message: 'planned generate_image {"prompt":"a cat"}' },
            { timestamp: STAMP, level: 'info', message: 'planned get_price {"base":"ETH"}' },
          ],
        },
      },
    ],
  ],
  [
    'Get the price of MNEE and draw a picture of a coin and a wallet',
    [
      { name: 'get_price', args: { base: 'MNEE' } },
      { name: 'generate_image', args: { prompt: 'a coin and a wallet' } },
    ],
  ],
  ['hello there, how are you?', []],
];

describe('the built-in planner’s intent mapping', () => {
  it.each(TABLE)('plans %j', (message, expected) => {
    expect(planToolCalls(message, NOW)).toEqual(expected);
  });

  it('plans only calls whose input every provider schema accepts', () => {
    for (const [message] of TABLE) {
      for (const call of planToolCalls(message, NOW)) {
        const request = asToolRequest(call);
        expect({ message, call: call.name, problems: request.input.error?.issues ?? [] }).toEqual({
          message,
          call: call.name,
          problems: [],
        });
      }
    }
  });

  it('plans the same calls for the same message, every time', () => {
    for (const [message] of TABLE) expect(planToolCalls(message, new Date(NOW))).toEqual(planToolCalls(message, new Date(NOW)));
  });

  it('keeps the order the message asks in', () => {
    expect(planToolCalls('archive the logs: boot ok. then count primes below 50 and draw a moon', NOW).map((call) => call.name)).toEqual([
      'archive_logs',
      'submit_batch_job',
      'generate_image',
    ]);
  });

  it('asks for one price per symbol, at most five', () => {
    const calls = planToolCalls('prices of AAA BBB CCC DDD EEE FFF GGG', NOW);
    expect(calls.map((call) => call.args['base'])).toEqual(['AAA', 'BBB', 'CCC', 'DDD', 'EEE']);
  });
});
