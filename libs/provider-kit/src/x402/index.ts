export { X402Acceptor, type X402AcceptorOptions, type X402Refusal } from './x402-acceptor';
export { paymentServiceFacilitator } from './x402-facilitator';
export {
  DEFAULT_X402_MAX_TIMEOUT_SECONDS,
  offersFor,
  PERMIT2_TRANSFER_METHOD,
  permit2RequirementsFor,
  readX402Offer,
  requirementsFor,
  requirementsMatching,
  X402_SCHEME,
  type X402Offer,
} from './x402-offer';
export { PAYMENT_REQUIRED_HEADER, PAYMENT_RESPONSE_HEADER, PAYMENT_SIGNATURE_HEADER, X402_VERSION } from './x402-headers';
