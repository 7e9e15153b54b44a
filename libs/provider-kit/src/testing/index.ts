// Test support for @nexus/provider-kit — import from '@nexus/provider-kit/testing', never from production code.
export { buildEchoProvider, ECHO_SUMMARY_MAX_TEXT } from './echo-provider';
export {
  createProviderUnderTest,
  type PayOptions,
  proofHeaders,
  type ProviderTestOptions,
  type ProviderUnderTest,
} from './provider-under-test';
export { type PaymentNetworkSuite, useTestPaymentNetwork } from './payment-network-suite';
export { providerProcessEnv } from './provider-process-env';
export { type ProviderSuite, type ProviderSuiteOptions, useProviderUnderTest } from './provider-suite';
export {
  startTestPaymentNetwork,
  type TestPaymentMode,
  type TestPaymentNetwork,
  type TestPaymentNetworkOptions,
} from './test-payment-network';
