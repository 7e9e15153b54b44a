import {
  startTestPaymentNetwork,
  type TestPaymentMode,
  type TestPaymentNetwork,
  type TestPaymentNetworkOptions,
} from './test-payment-network';

/** What a describe block's tests use: read it inside tests and hooks, once `beforeAll` has run. */
export interface PaymentNetworkSuite {
  readonly network: TestPaymentNetwork;
}

/**
 * One payment network for a whole describe block (for providers started as
 * processes): registers the `beforeAll` that starts it and the `afterAll`
 * that stops it.
 */
export function useTestPaymentNetwork(mode: TestPaymentMode = 'mock', options: TestPaymentNetworkOptions = {}): PaymentNetworkSuite {
  let network: TestPaymentNetwork | undefined;
  beforeAll(async () => {
    network = await startTestPaymentNetwork(mode, options);
  });
  afterAll(() => network?.stop());
  return {
    get network() {
      if (!network) throw new Error('the payment network is not started: use it inside a test or hook');
      return network;
    },
  };
}
