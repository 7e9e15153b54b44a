import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Registry } from 'prom-client';
import { decodePaymentRequiredHeader, decodePaymentResponseHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import type { PaymentPayload, PaymentRequirements, SettleResponse, VerifyResponse } from '@x402/core/types';
import { createLogger } from '@nexus/service-kit';
import { createRedemptionStore, openDatabase, type RedemptionTables } from '@nexus/stores';
import { InvokeResponse, PaymentRequiredBody } from '@nexus/types';
import { createProviderApp } from '../create-provider-app';
import { Paywall } from '../paywall';
import { buildQuote } from '../quote';
import { buildEchoProvider } from '../testing/echo-provider';
import type { ProviderRuntime } from '../provider-definition';
import { X402Acceptor } from './x402-acceptor';
import { paymentServiceFacilitator } from './x402-facilitator';
import type { X402Offer } from './x402-offer';

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const PAYEE = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65';
const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const SERVICE_TOKEN = 'log-archive-service-token';
const TX = `0x${'ab'.repeat(32)}`;

interface FacilitatorCall {
  path: string;
  authorization: string | undefined;
  body: { x402Version: number; paymentPayload: PaymentPayload; paymentRequirements: PaymentRequirements };
}

/** A facilitator at the wire, answering as the x402 v2 facilitator HTTP API does; its verdicts are set per test. */
async function startFakeFacilitator() {
  const calls: FacilitatorCall[] = [];
  const state = {
    verify: { isValid: true, payer: PAYER } as VerifyResponse,
    verifyStatus: 200,
    settle: { success: true, payer: PAYER, transaction: TX, network: 'eip155:31337' } as SettleResponse,
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      calls.push({ path, authorization: req.headers.authorization, body: raw ? JSON.parse(raw) : undefined });
      const [status, answer] =
        path === '/x402/verify'
          ? [state.verifyStatus, state.verify]
          : path === '/x402/settle'
            ? [200, state.settle]
            : path === '/x402/supported'
              ? [200, { kinds: [{ x402Version: 2, scheme: 'exact', network: 'eip155:31337' }], extensions: [], signers: {} }]
              : [404, { error: 'not found' }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const headerOf = (response: { get: (name: string) => string | undefined }, name: string): string => {
  const value = response.get(name);
  if (!value) throw new Error(`no ${name} header`);
  return value;
};
const firstOf = <T>(items: T[]): T => {
  const [first] = items;
  if (first === undefined) throw new Error('empty');
  return first;
};

const OFFER: X402Offer = {
  network: 'eip155:31337',
  asset: TOKEN,
  decimals: 18,
  payTo: PAYEE,
  maxTimeoutSeconds: 300,
  domain: { name: 'MNEE', version: '1' },
};

/** The requirement a client takes from the 402 and signs an authorization for. */
function signedPayload(accepted: PaymentRequirements, nonce = `0x${'01'.repeat(32)}`): PaymentPayload {
  return {
    x402Version: 2,
    accepted,
    payload: {
      signature: `0x${'11'.repeat(65)}`,
      authorization: { from: PAYER, to: accepted.payTo, value: accepted.amount, validAfter: '0', validBefore: '9999999999', nonce },
    },
  };
}

async function buildApp(options: { facilitatorUrl: string; x402: boolean }) {
  const logger = createLogger('x402-spec', { level: 'error' });
  const database = openDatabase<RedemptionTables>({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'x402-paywall-')), 'store.sqlite') });
  const redemptions = await createRedemptionStore(database);
  const refuseNative = () => {
    throw new Error('the native proof is not used here');
  };
  const paywall = new Paywall({
    quote: buildQuote(
      {
        id: 'LOG_ARCHIVE',
        name: 'Log Archive',
        payee: PAYEE,
        defaultVariant: 'full',
        variants: [
          { id: 'full', price: '0.30' },
          { id: 'summary', price: '0.05' },
        ],
      },
      { mode: 'chain', chainId: 31337, router: TOKEN, token: { address: TOKEN, symbol: 'MNEE', decimals: 18 }, confirmations: 1 },
    ),
    verifier: { mode: 'chain', verify: refuseNative, ping: async () => undefined },
    refunder: { refund: refuseNative, syncLedger: refuseNative },
    redemptions,
    logger,
    ...(options.x402
      ? { x402: new X402Acceptor({ offer: OFFER, facilitator: paymentServiceFacilitator(options.facilitatorUrl, SERVICE_TOKEN), logger }) }
      : {}),
  });
  const registry = new Registry();
  const definition = await buildEchoProvider({} as ProviderRuntime);
  const app = createProviderApp({ name: 'x402-spec', definition, paywall, logger, registry, healthChecks: {} });
  return { app, close: () => database.close() };
}

describe('a paid route accepts x402 v2 beside the native proof (a facilitator at the wire)', () => {
  let facilitator: Awaited<ReturnType<typeof startFakeFacilitator>>;
  let provider: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    facilitator = await startFakeFacilitator();
    provider = await buildApp({ facilitatorUrl: facilitator.url, x402: true });
  });
  afterAll(async () => {
    await provider.close();
    await facilitator.close();
  });
  beforeEach(() => {
    facilitator.calls.length = 0;
    facilitator.state.verify = { isValid: true, payer: PAYER };
    facilitator.state.verifyStatus = 200;
    facilitator.state.settle = { success: true, payer: PAYER, transaction: TX, network: 'eip155:31337' };
  });

  const invoke = (body: object, headers: Record<string, string> = {}) => request(provider.app).post('/invoke').set(headers).send(body);
  const requirementOf = async (body: object) => {
    const response = await invoke(body).expect(402);
    return decodePaymentRequiredHeader(headerOf(response, 'PAYMENT-REQUIRED'));
  };

  it("offers the exact scheme on the chain in its 402, for the variant's price in the token's units", async () => {
    const response = await invoke({ variant: 'summary', input: { text: 'hi' } }).expect(402);
    // the native answer is as it was
    expect(PaymentRequiredBody.parse(response.body).required).toEqual({ serviceId: 'LOG_ARCHIVE', variant: 'summary', amount: '0.05' });
    const required = decodePaymentRequiredHeader(headerOf(response, 'PAYMENT-REQUIRED'));
    expect(required.x402Version).toBe(2);
    expect(required.resource.url).toMatch(/\/invoke$/);
    expect(required.accepts).toEqual([
      {
        scheme: 'exact',
        network: 'eip155:31337',
        asset: TOKEN,
        payTo: PAYEE,
        amount: '50000000000000000', // 0.05 MNEE, 18 decimals
        maxTimeoutSeconds: 300,
        extra: { name: 'MNEE', version: '1' },
      },
      {
        scheme: 'exact',
        network: 'eip155:31337',
        asset: TOKEN,
        payTo: PAYEE,
        amount: '50000000000000000',
        maxTimeoutSeconds: 300,
        extra: { assetTransferMethod: 'permit2' },
      },
    ]);
    expect((await requirementOf({ input: { text: 'hi' } })).accepts.map((offer) => offer.amount)).toEqual([
      '300000000000000000',
      '300000000000000000',
    ]);
    expect(facilitator.calls).toEqual([]);
  });

  it('verifies a PAYMENT-SIGNATURE, serves the call, settles it and answers PAYMENT-RESPONSE', async () => {
    const accepted = firstOf((await requirementOf({ input: { text: 'paid' } })).accepts);
    const payload = signedPayload(accepted);
    const response = await invoke({ input: { text: 'paid' } }, { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) }).expect(200);

    const answer = InvokeResponse.parse(response.body);
    expect(answer.result).toMatchObject({ echo: 'paid', variant: 'full' });
    expect(answer.payment).toMatchObject({ amount: '0.30', txHash: TX });
    expect(answer.payment.paymentId).toMatch(/^pay_[0-9a-f]{32}$/);
    expect(decodePaymentResponseHeader(headerOf(response, 'PAYMENT-RESPONSE'))).toEqual({
      success: true,
      payer: PAYER,
      transaction: TX,
      network: 'eip155:31337',
    });
    expect(facilitator.calls.map((call) => call.path)).toEqual(['/x402/verify', '/x402/settle']);
    for (const call of facilitator.calls) {
      expect(call.authorization).toBe(`Bearer ${SERVICE_TOKEN}`);
      expect(call.body).toEqual({ x402Version: 2, paymentPayload: payload, paymentRequirements: accepted });
    }
  });

  it('hands a Permit2 payload to the facilitator with its own Permit2 requirement, whatever else the payload says', async () => {
    const permit2 = (await requirementOf({ input: { text: 'paid' } })).accepts[1];
    if (!permit2) throw new Error('no Permit2 offer');
    const payload: PaymentPayload = {
      x402Version: 2,
      // a payer claiming another payee in its copy of the offer does not change what is verified
      accepted: { ...permit2, payTo: PAYER },
      payload: {
        signature: `0x${'22'.repeat(65)}`,
        permit2Authorization: {
          from: PAYER,
          permitted: { token: TOKEN, amount: permit2.amount },
          spender: '0x402085c248EeA27D92E8b30b2C58ed07f9E20001',
          nonce: '12345',
          deadline: '9999999999',
          witness: { to: PAYEE, validAfter: '0' },
        },
      },
    };
    await invoke({ input: { text: 'paid' } }, { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) }).expect(200);

    expect(facilitator.calls.map((call) => [call.path, call.body.paymentRequirements])).toEqual([
      ['/x402/verify', permit2],
      ['/x402/settle', permit2],
    ]);
  });

  it('refuses what the facilitator refuses (an expired or used authorization): 402 with the reason, no handler, no settlement', async () => {
    const accepted = firstOf((await requirementOf({ input: { text: 'x' } })).accepts);
    facilitator.state.verify = { isValid: false, invalidReason: 'invalid_exact_evm_payload_authorization_valid_before', payer: PAYER };
    const header = encodePaymentSignatureHeader(signedPayload(accepted));
    const response = await invoke({ input: { text: 'x', outcome: 'throw' } }, { 'PAYMENT-SIGNATURE': header }).expect(402);

    expect(PaymentRequiredBody.parse(response.body).error.code).toBe('PAYMENT_INVALID');
    expect(decodePaymentRequiredHeader(headerOf(response, 'PAYMENT-REQUIRED'))).toMatchObject({
      x402Version: 2,
      error: 'invalid_exact_evm_payload_authorization_valid_before',
      accepts: [accepted, { ...accepted, extra: { assetTransferMethod: 'permit2' } }],
    });
    expect(response.get('PAYMENT-RESPONSE')).toBeUndefined();
    expect(facilitator.calls.map((call) => call.path)).toEqual(['/x402/verify']);

    // a refusal answered with a 4xx status (as a facilitator may) is the same refusal
    facilitator.calls.length = 0;
    facilitator.state.verifyStatus = 400;
    facilitator.state.verify = { isValid: false, invalidReason: 'invalid_exact_evm_payload_authorization_nonce_used' };
    const replay = await invoke({ input: { text: 'x' } }, { 'PAYMENT-SIGNATURE': header }).expect(402);
    expect(decodePaymentRequiredHeader(headerOf(replay, 'PAYMENT-REQUIRED')).error).toBe(
      'invalid_exact_evm_payload_authorization_nonce_used',
    );
    expect(facilitator.calls.map((call) => call.path)).toEqual(['/x402/verify']);
  });

  it('settles nothing when the handler fails', async () => {
    const accepted = firstOf((await requirementOf({ input: { text: 'x' } })).accepts);
    const header = encodePaymentSignatureHeader(signedPayload(accepted, `0x${'02'.repeat(32)}`));
    const response = await invoke({ input: { text: 'x', outcome: 'throw' } }, { 'PAYMENT-SIGNATURE': header }).expect(500);

    expect(response.get('PAYMENT-RESPONSE')).toBeUndefined();
    expect(response.body.refund).toBeUndefined();
    expect(facilitator.calls.map((call) => call.path)).toEqual(['/x402/verify']);
  });

  it('withholds the answer when the settlement fails, and says why in PAYMENT-RESPONSE', async () => {
    const accepted = firstOf((await requirementOf({ input: { text: 'x' } })).accepts);
    facilitator.state.settle = { success: false, errorReason: 'insufficient_funds', transaction: '', network: 'eip155:31337' };
    const header = encodePaymentSignatureHeader(signedPayload(accepted, `0x${'03'.repeat(32)}`));
    const response = await invoke({ input: { text: 'x' } }, { 'PAYMENT-SIGNATURE': header }).expect(402);

    expect(response.body).toMatchObject({ error: { code: 'PAYMENT_INVALID' }, reason: 'insufficient_funds' });
    expect(response.body.result).toBeUndefined();
    expect(decodePaymentResponseHeader(headerOf(response, 'PAYMENT-RESPONSE'))).toMatchObject({
      success: false,
      errorReason: 'insufficient_funds',
    });
  });

  it('refuses a PAYMENT-SIGNATURE that is not a v2 payment payload without asking the facilitator', async () => {
    const notBase64 = await invoke({ input: { text: 'x' } }, { 'PAYMENT-SIGNATURE': 'not a payload' }).expect(402);
    expect(decodePaymentRequiredHeader(headerOf(notBase64, 'PAYMENT-REQUIRED')).error).toBe('invalid_payload');
    const v1 = Buffer.from(JSON.stringify({ x402Version: 1, scheme: 'exact', network: 'base', payload: {} })).toString('base64');
    const old = await invoke({ input: { text: 'x' } }, { 'PAYMENT-SIGNATURE': v1 }).expect(402);
    expect(decodePaymentRequiredHeader(headerOf(old, 'PAYMENT-REQUIRED')).error).toBe('invalid_x402_version');
    expect(facilitator.calls).toEqual([]);
  });

  it('answers 503 when the facilitator does not answer, and nothing is served', async () => {
    const down = await buildApp({ facilitatorUrl: 'http://127.0.0.1:9', x402: true });
    try {
      const accepted = firstOf((await requirementOf({ input: { text: 'x' } })).accepts);
      const header = encodePaymentSignatureHeader(signedPayload(accepted));
      const response = await request(down.app)
        .post('/invoke')
        .set('PAYMENT-SIGNATURE', header)
        .send({ input: { text: 'x' } })
        .expect(503);
      expect(response.body.error.code).toBe('PAYMENT_UNVERIFIABLE');
    } finally {
      await down.close();
    }
  });

  it('offers no x402 without an acceptor (mock mode): the native proof only', async () => {
    const native = await buildApp({ facilitatorUrl: facilitator.url, x402: false });
    try {
      const response = await request(native.app)
        .post('/invoke')
        .send({ input: { text: 'x' } })
        .expect(402);
      expect(response.get('PAYMENT-REQUIRED')).toBeUndefined();
      const header = encodePaymentSignatureHeader(signedPayload(firstOf((await requirementOf({ input: { text: 'x' } })).accepts)));
      facilitator.calls.length = 0;
      const ignored = await request(native.app)
        .post('/invoke')
        .set('PAYMENT-SIGNATURE', header)
        .send({ input: { text: 'x' } })
        .expect(402);
      expect(PaymentRequiredBody.parse(ignored.body).error.code).toBe('PAYMENT_REQUIRED');
      expect(facilitator.calls).toEqual([]);
    } finally {
      await native.close();
    }
  });
});
