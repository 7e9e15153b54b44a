import fc from 'fast-check';
import { z } from 'zod';
import type { AnyRoute } from '../http/route-spec';
import { fillPath, pathParams } from './route-list';

/**
 * fast-check generators of hostile requests to the public API: path
 * parameters, query strings, bodies and headers that are random, malformed
 * or nearly right, so a run reaches past validation into the handlers too.
 * Everything generated can be sent by a real client (Node refuses to send
 * control characters in a path or a header, so none are generated there),
 * and the head of a request stays under Node's 16 KB limit (beyond it Node
 * itself answers 431, before the app sees the request).
 */

export type Caller = 'admin' | 'user-agent' | 'ops-agent' | 'none' | 'junk';

export interface FuzzBody {
  contentType?: string;
  contentEncoding?: string;
  data: Buffer;
  /** what the body is, for a readable counterexample */
  label: string;
}

export interface FuzzRequest {
  method: string;
  path: string;
  caller: Caller;
  /** replaces the caller's Authorization header ('junk' callers) */
  authorization?: string;
  idempotencyKey?: string;
  requestId?: string;
  body?: FuzzBody;
}

const AGENT_IDS = ['user-agent', 'batch-agent', 'ops-agent', 'ghost-agent'];
const SERVICE_IDS = ['IMAGE_GEN', 'PRICE_ORACLE', 'BATCH_COMPUTE', 'LOG_ARCHIVE', 'WEATHER'];

/** Characters Node lets through in a header value: tab, visible ASCII and Latin-1. */
const headerChar = fc
  .oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
    { weight: 1, arbitrary: fc.constant(0x09) },
  )
  .map((code) => String.fromCharCode(code));
const headerValue = (maxLength: number) => fc.string({ unit: headerChar, maxLength });

/** `%` escapes of any byte (so invalid UTF-8 too) mixed with broken escapes. */
const percentJunk = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`),
      fc.constantFrom('%', '%G', '%1', '%%', '%u0041', 'a', '.', '-', '_', '~'),
    ),
    { minLength: 1, maxLength: 24 },
  )
  .map((parts) => parts.join(''));

/** One path segment as it goes on the wire (already encoded where it needs to be). */
export const pathSegment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...AGENT_IDS, ...SERVICE_IDS) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,70}$/) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(encodeURIComponent) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '..%2F..%2Fetc%2Fpasswd',
      '%2F',
      '%00',
      '%',
      '%zz',
      '%E0%A4%A',
      '%C0%AF',
      '%FF%FE',
      '%EF%BB%BF',
      '~',
      ';',
      ',',
      '@',
      '$',
      '*',
      '(x)',
      '[0]',
      '__proto__',
      'constructor',
      'toString',
    ),
  },
  { weight: 2, arbitrary: percentJunk },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 2_500 }).map((length) => 'a'.repeat(length)) },
);

const queryKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('agentId', 'serviceId', 'status', 'action', 'limit', 'cursor', 'from', 'to') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('agentId[]', 'agentId[a]', 'limit[0]', '__proto__', 'constructor', 'kind', 'hasOwnProperty', '', '%'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: percentJunk },
);

const queryValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      ...AGENT_IDS,
      ...SERVICE_IDS,
      'MOCK',
      'SUCCESS',
      'REFUNDED',
      'FAILED',
      'ALLOWED',
      'REJECTED',
      'DOWNGRADED',
      '1',
      '2',
      '50',
      '200',
      '201',
      '0',
      '-1',
      '1e3',
      '1.5',
      'NaN',
      'Infinity',
      '',
      '2026-01-01T00:00:00Z',
      'not-a-date',
      'MTc5NTUxMjAwOTkxODpwYXlfNDIy',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: percentJunk },
  { weight: 1, arbitrary: fc.integer({ min: 201, max: 600 }).map((length) => 'c'.repeat(length)) },
);

/** A query string, `?` included, or '' for none. */
export const queryString = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  {
    weight: 5,
    arbitrary: fc
      .array(fc.tuple(queryKey, fc.option(queryValue, { nil: undefined })), { minLength: 1, maxLength: 6 })
      .map((pairs) => `?${pairs.map(([key, value]) => (value === undefined ? key : `${key}=${value}`)).join('&')}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('?', '?&&', '?==', '?a=1&a=2&a=3', '?limit=1&limit=2', '?;', '?%', '?agentId=%E0%A4%A') },
);

const json = (text: string, label: string): FuzzBody => ({ contentType: 'application/json', data: Buffer.from(text, 'utf8'), label });

const LOG_LINE = { timestamp: '2026-01-01T00:00:00Z', level: 'info', message: 'started' };

/** Mostly one of the right values, now and then a wrong one. */
const mostly = <T>(right: readonly T[], wrong: readonly T[]) =>
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...right) }, { weight: 1, arbitrary: fc.constantFrom(...wrong) });

const PRICE_INPUTS = [
  { base: 'ETH' },
  { base: 'BTC', quote: 'EUR' },
  { base: 'eth' },
  { base: 'ETH', at: '2020-01-01T00:00:00Z' },
  { base: 'ZZZ' },
];
const OTHER_INPUTS = [
  { prompt: 'a small cat', width: 16, height: 16, format: 'svg' },
  { lines: [LOG_LINE] },
  { kind: 'primes', below: 50 },
  { kind: 'sort', values: [3, 1, 2] },
];
const WRONG_INPUTS = [
  { base: 'ETH', quote: 'ETH' },
  { base: 'ETH', at: '2999-01-01T00:00:00Z' },
  { lines: [] },
  { kind: 'primes', below: 1e300 },
  { prompt: '', width: 1e9 },
  {},
  [],
  'ETH',
  null,
];

/** Inputs each provider takes (and one it refuses after payment: an unknown symbol). */
const SERVICE_INPUTS = new Map<string, unknown[]>(
  Object.entries({
    PRICE_ORACLE: [...PRICE_INPUTS],
    IMAGE_GEN: [{ prompt: 'a small cat', width: 16, height: 16, format: 'svg' }],
    BATCH_COMPUTE: [
      { kind: 'primes', below: 50 },
      { kind: 'sort', values: [3, 1, 2] },
    ],
    LOG_ARCHIVE: [{ lines: [LOG_LINE] }],
  }),
);

/** Values each known field (of a body or a query) takes: mostly right, some wrong, so runs get past validation into the services. */
const FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  message: mostly(
    ['What is the price of ETH?', 'hello', 'price of BTC and SOL', 'archive this log: ERROR disk full'],
    ['', '   ', '\u0000', 'x'.repeat(4_001)],
  ),
  agentId: mostly(['user-agent', 'user-agent', 'batch-agent', 'ops-agent'], ['ghost-agent', '', 'a b', '../user-agent']),
  model: mostly(['planner'], ['openai', 'bedrock', 'gpt-4']),
  serviceId: mostly(['PRICE_ORACLE', 'PRICE_ORACLE', 'IMAGE_GEN', 'BATCH_COMPUTE', 'LOG_ARCHIVE'], ['WEATHER', '', 'price_oracle']),
  variant: mostly(['query', 'summary', 'full', 'draft', 'standard'], ['nope', '', 'QUERY']),
  input: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom<unknown>(...PRICE_INPUTS) },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(...OTHER_INPUTS) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(...WRONG_INPUTS) },
  ),
  dailyBudget: mostly<unknown>(['5.00', '2.50', '0', '0.5', '999999999999.999999'], ['1.5e3', '-1', '0.0000001', '1000000000000', 5, null]),
  maxPerCall: mostly<unknown>(['1.00', '0.05', '0'], [' 1.00', '0x10', 0.5, true]),
  // a window's budget, or null to remove the window
  weeklyBudget: mostly<unknown>(['30.00', '1.00', null], ['-1', '7 MNEE', 30]),
  monthlyBudget: mostly<unknown>(['100.00', '0', null], ['1e2', '', false]),
  // query fields
  status: mostly(['MOCK', 'SUCCESS', 'REFUNDED', 'FAILED', 'PENDING'], ['DONE', '', 'mock']),
  action: mostly(['ALLOWED', 'REJECTED', 'DOWNGRADED'], ['allowed', 'MAYBE']),
  limit: mostly(['1', '2', '50', '200'], ['201', '0', '-1', '1e3', '1.5', 'NaN', '']),
  cursor: fc.oneof(fc.constantFrom('MTc5NTUxMjAwOTkxODpwYXlfNDIy', 'x', ''), fc.base64String({ maxLength: 80 })),
  from: mostly(['2020-01-01T00:00:00Z', '2999-01-01T00:00:00.000Z'], ['yesterday', '2026-02-30T00:00:00Z']),
  to: mostly(['2999-01-01T00:00:00Z', '1970-01-01T00:00:00Z'], ['0']),
};

/** The keys of an object schema (a route's body or query), each with whether it may be left out; none for anything else. */
const keysOf = (schema: z.ZodType | undefined): Array<{ key: string; optional: boolean }> =>
  schema instanceof z.ZodObject
    ? Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => ({
        key,
        optional: field.safeParse(undefined).success,
      }))
    : [];

/** Keys that are optional in a schema but usually given (the admin key must name its agent). */
const USUALLY_GIVEN = new Set(['agentId']);

/**
 * An object with these keys: the required ones (and agentId) nearly always,
 * the others now and then, each mostly a plausible value; now and then junk
 * of any type, or an unknown key.
 */
function objectWith(
  keys: ReadonlyArray<{ key: string; optional: boolean }>,
  values: Record<string, fc.Arbitrary<unknown>> = FIELD_VALUES,
): fc.Arbitrary<Record<string, unknown>> {
  const value = (key: string) =>
    fc.oneof(
      { weight: 12, arbitrary: values[key] ?? fc.jsonValue({ maxDepth: 2 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    );
  const fields = Object.fromEntries(
    keys.map(({ key, optional }) => {
      const presence = !optional || USUALLY_GIVEN.has(key) ? 12 : 3;
      return [key, fc.oneof({ weight: presence, arbitrary: value(key) }, { weight: 2, arbitrary: fc.constant(undefined) })];
    }),
  );
  const extra = fc.oneof(
    { weight: 12, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }) },
  );
  return fc
    .tuple(fc.record(fields), extra)
    .map(([known, unknown]) => ({ ...unknown, ...Object.fromEntries(Object.entries(known).filter(([, given]) => given !== undefined)) }));
}

/** A query string for a route with these query keys (`?` included, '' for none). */
function queryFor(keys: ReadonlyArray<{ key: string; optional: boolean }>): fc.Arbitrary<string> {
  const plausible = objectWith(keys).map((fields) =>
    Object.entries(fields)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value))}`)
      .join('&'),
  );
  return fc.oneof(
    { weight: keys.length > 0 ? 3 : 8, arbitrary: fc.constant('') },
    { weight: keys.length > 0 ? 6 : 0, arbitrary: plausible.map((query) => (query === '' ? '' : `?${query}`)) },
    { weight: keys.length > 0 ? 2 : 1, arbitrary: queryString },
  );
}

/** Text that is not JSON, sent as JSON. */
const notJson = fc.oneof(
  fc.constantFrom(
    '{',
    '{"message":',
    "{'message': 'hi'}",
    '[1,]',
    '{"a":1,}',
    'NaN',
    'undefined',
    '\u0000',
    '{"a":1}}',
    '1e999',
    '{"a":"\\x41"}',
    '{"a":"\\ud800"}',
    '\ufeff{"message":"bom"}',
    '""',
    'true',
    'null',
    '42',
    '{"__proto__":{"polluted":true},"message":"hi"}',
    '{"constructor":{"prototype":{"polluted":true}}}',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** Bodies no route wants: junk of every kind, too big, too deep, not JSON, the wrong type or encoding. */
export const junkBody: fc.Arbitrary<FuzzBody> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => json(JSON.stringify(value), 'any JSON')) },
  {
    weight: 1,
    arbitrary: fc
      .anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true, withBoxedValues: true, withSparseArray: true })
      .map((value) => json(JSON.stringify(value) ?? 'undefined', 'anything as JSON')),
  },
  { weight: 3, arbitrary: notJson.map((text) => json(text, 'not JSON')) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 90_000, max: 160_000 })
      .map((length) => json(JSON.stringify({ message: 'x'.repeat(length) }), `a ${length}-character string`)),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 40_000 }).map((depth) => json('['.repeat(depth) + ']'.repeat(depth), `arrays ${depth} deep`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 100, max: 15_000 })
      .map((depth) =>
        json(
          `{"agentId":"user-agent","serviceId":"PRICE_ORACLE","input":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
          `objects ${depth} deep`,
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/xml',
          'multipart/form-data; boundary=x',
          'application/json; charset=latin1',
          'application/json; charset=utf-16',
          'application/json; charset=nonsense',
          'application/vnd.api+json',
          'application/json;;',
          'application/*',
          '*/*',
        ),
        fc.string({ maxLength: 200 }),
      )
      .map(([contentType, text]) => ({ contentType, data: Buffer.from(text, 'utf8'), label: `as ${contentType}` })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'identity, gzip', 'x-unknown'),
        fc.string({ minLength: 1, maxLength: 100 }),
      )
      .map(([contentEncoding, text]) => ({
        contentType: 'application/json',
        contentEncoding,
        data: Buffer.from(text),
        label: `"${contentEncoding}" junk`,
      })),
  },
);

/** A body for a route: shaped like its own (when it reads one), else none; junk in between. */
function bodyFor(schema: z.ZodType | undefined, serviceId: string | undefined): fc.Arbitrary<FuzzBody | undefined> {
  // A direct invoke gets an input that suits the service in its path more often than not, so calls get paid and served.
  const suited = serviceId === undefined ? undefined : SERVICE_INPUTS.get(serviceId);
  const values = suited
    ? {
        ...FIELD_VALUES,
        input: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...suited) },
          { weight: 1, arbitrary: FIELD_VALUES['input'] ?? fc.constant({}) },
        ),
      }
    : FIELD_VALUES;
  const keys = keysOf(schema);
  return fc.oneof(
    { weight: schema ? 1 : 6, arbitrary: fc.constant(undefined) },
    { weight: schema ? 9 : 0, arbitrary: objectWith(keys, values).map((value) => json(JSON.stringify(value), 'nearly right')) },
    { weight: 2, arbitrary: junkBody },
  );
}

/** A path parameter: mostly an id of the kind the route takes (so runs reach the handler), else any segment. */
function paramFor(route: AnyRoute, name: string): fc.Arbitrary<string> {
  const services = name === 'serviceId' || route.path.startsWith('/services');
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...(services ? SERVICE_IDS : AGENT_IDS)) },
    { weight: 2, arbitrary: pathSegment },
  );
}

/** A request to one route of the table: its method and path, with everything else random. */
export function requestTo(route: AnyRoute): fc.Arbitrary<FuzzRequest> {
  const names = pathParams(route.path);
  const params = fc
    .tuple(...names.map((name) => paramFor(route, name)))
    .map((values) => Object.fromEntries(names.map((name, i) => [name, values[i] ?? ''])));
  return params
    .chain((values) =>
      fc.record({
        params: fc.constant(values),
        query: queryFor(keysOf(route.query)),
        caller: fc.constantFrom<Caller>('admin', 'admin', 'admin', 'user-agent', 'user-agent', 'ops-agent', 'none', 'junk'),
        authorization: fc.oneof(
          headerValue(200),
          headerValue(200).map((value) => `Bearer ${value}`),
          fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `Bearer ${'k'.repeat(4_000)}`, 'Bearer\tadmin'),
        ),
        idempotencyKey: fc.oneof(
          { weight: 4, arbitrary: fc.constant(undefined) },
          { weight: 3, arbitrary: fc.uuid() },
          { weight: 1, arbitrary: fc.oneof(fc.constantFrom('k', 'same-key', 'a'.repeat(201), 'with space', ' padded '), headerValue(60)) },
        ),
        requestId: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: headerValue(150) }),
        body: bodyFor(route.body, values['serviceId']),
      }),
    )
    .map(({ params, query, caller, authorization, idempotencyKey, requestId, body }) => ({
      method: route.method.toUpperCase(),
      path: fillPath(route.path, params) + query,
      caller,
      ...(caller === 'junk' ? { authorization } : {}),
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      ...(requestId === undefined ? {} : { requestId }),
      ...(body === undefined ? {} : { body }),
    }));
}

/** A request to no route at all: any method, any path. */
export const requestAnywhere: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    segments: fc.array(pathSegment, { minLength: 0, maxLength: 4 }),
    query: queryString,
    caller: fc.constantFrom<Caller>('admin', 'user-agent', 'none'),
    body: fc.option(junkBody, { nil: undefined }),
  })
  .map(({ method, segments, query, caller, body }) => ({
    method,
    path: `/${segments.join('/')}${query}`,
    caller,
    ...(body === undefined ? {} : { body }),
  }));
