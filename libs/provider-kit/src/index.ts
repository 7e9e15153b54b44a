export { type AssembledProvider, type AssembleOptions, assembleProvider } from './assemble-provider';
export { createProviderApp, type ProviderAppDeps } from './create-provider-app';
export { paidCallOf, Paywall, type PaywallOptions } from './paywall';
export {
  defineProvider,
  type PaidCallContext,
  type ProviderBuilder,
  type ProviderDefinition,
  type ProviderRuntime,
} from './provider-definition';
export { createPaywallMetrics, type PaywallMetrics } from './provider-metrics';
export { buildQuote, type PaymentTerms, type PricedService } from './quote';
export { ChainRefunder, type ChainRefunderOptions } from './refund/chain-refunder';
export { LedgerRefunder } from './refund/ledger-refunder';
export type { RefundResult, Refunder } from './refund/refunder';
export { runProvider, type RunProviderOptions } from './run-provider';
export { DEFAULT_UNPAID_LIMITS, loadUnpaidLimits, unpaidGuards, type UnpaidLimits } from './unpaid/unpaid-guard';
export { ChainVerifier, type ChainVerifierOptions } from './verify/chain-verifier';
export { LedgerVerifier } from './verify/ledger-verifier';
export { type PaymentExpectation, PaymentUnverifiableError, type PaymentVerifier, type VerifyOutcome } from './verify/payment-verifier';
export {
  DEFAULT_X402_MAX_TIMEOUT_SECONDS,
  PAYMENT_REQUIRED_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  offersFor,
  paymentServiceFacilitator,
  PERMIT2_TRANSFER_METHOD,
  permit2RequirementsFor,
  readX402Offer,
  requirementsFor,
  X402_SCHEME,
  X402_VERSION,
  X402Acceptor,
  type X402AcceptorOptions,
  type X402Offer,
  type X402Refusal,
} from './x402';
