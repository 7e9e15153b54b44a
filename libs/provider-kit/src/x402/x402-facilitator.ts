import { HTTPFacilitatorClient } from '@x402/core/http';

/**
 * The payment service's x402 facilitator (`POST /x402/verify`, `POST /x402/settle`,
 * `GET /x402/supported`), called with the provider's own service token as its
 * other calls to the payment service are.
 */
export function paymentServiceFacilitator(paymentUrl: string, serviceToken: string, timeoutMs = 90_000): HTTPFacilitatorClient {
  const headers = { Authorization: `Bearer ${serviceToken}` };
  return new HTTPFacilitatorClient({
    url: `${paymentUrl.replace(/\/+$/, '')}/x402`,
    timeoutMs,
    createAuthHeaders: async () => ({ verify: headers, settle: headers, supported: headers }),
  });
}
