// Test support for @nexus/provider-kit — import from '@nexus/provider-kit/testing', never from production code.
export { buildEchoProvider, ECHO_SUMMARY_MAX_TEXT } from './echo-provider';
export {
  createProviderUnderTest,
  type PayOptions,
  proofHeaders,
  type ProviderTestOptions,
  type ProviderUnderTest,
} from './provider-under-test';
export {
  startTestPaymentNetwork,
  type TestPaymentMode,
  type TestPaymentNetwork,
  type TestPaymentNetworkOptions,
} from './test-payment-network';
