import { getAddress, type Provider } from 'ethers';
import { MNEEPaymentRouter__factory } from './generated';
import { decodeRouterEvents, type PaymentMadeEvent } from './router-events';

export interface PaymentExpectation {
  /** who must have paid: the treasury (a reference is only unique per payer) */
  payer: string;
  payee: string;
  serviceId: string;
  /** the least acceptable amount, in token units */
  minAmount: bigint;
  /** when given, the payment must carry exactly this router reference */
  paymentRef?: string;
}

export type PaymentCheckFailure =
  | 'TX_NOT_FOUND'
  | 'TX_REVERTED'
  | 'NOT_CONFIRMED'
  | 'NOT_A_PAYMENT'
  | 'WRONG_REFERENCE'
  | 'WRONG_PAYER'
  | 'WRONG_PAYEE'
  | 'WRONG_SERVICE'
  | 'AMOUNT_TOO_LOW'
  | 'REFUNDED';

export type PaymentCheck =
  | { valid: true; txHash: string; blockNumber: number; confirmations: number; event: PaymentMadeEvent }
  | { valid: false; reason: PaymentCheckFailure; message: string };

/**
 * Checks a payment with nobody's word but the chain's: the receipt of
 * `txHash` must hold a router `PaymentMade` event from the expected payer
 * (anybody can pay through the router, under any reference of their own),
 * for the expected payee, service and at least the amount, with enough
 * confirmations, not refunded.
 */
export async function checkPaymentOnChain(
  provider: Provider,
  routerAddress: string,
  txHash: string,
  expected: PaymentExpectation,
  confirmations: number,
): Promise<PaymentCheck> {
  const receipt = await provider.getTransactionReceipt(txHash);
  if (!receipt) return { valid: false, reason: 'TX_NOT_FOUND', message: `no mined transaction ${txHash}` };
  if (receipt.status !== 1) return { valid: false, reason: 'TX_REVERTED', message: `transaction ${txHash} reverted` };
  const seen = await receipt.confirmations();
  if (seen < confirmations) return { valid: false, reason: 'NOT_CONFIRMED', message: `${seen} of ${confirmations} confirmations` };

  const { payments } = decodeRouterEvents(receipt.logs, routerAddress);
  const candidates = expected.paymentRef ? payments.filter((event) => event.paymentRef === expected.paymentRef) : payments;
  if (payments.length === 0)
    return { valid: false, reason: 'NOT_A_PAYMENT', message: `transaction ${txHash} made no payment through the router` };
  if (candidates.length === 0)
    return { valid: false, reason: 'WRONG_REFERENCE', message: 'the transaction paid another payment reference' };
  const payer = getAddress(expected.payer);
  const fromPayer = candidates.filter((event) => event.payer === payer);
  if (fromPayer.length === 0)
    return { valid: false, reason: 'WRONG_PAYER', message: `the payment came from ${candidates[0]?.payer}, not the treasury ${payer}` };
  const payee = getAddress(expected.payee);
  const toPayee = fromPayer.filter((event) => event.payee === payee);
  if (toPayee.length === 0)
    return { valid: false, reason: 'WRONG_PAYEE', message: `the payment went to ${fromPayer[0]?.payee}, not ${payee}` };
  const forService = toPayee.filter((event) => event.serviceId === expected.serviceId);
  if (forService.length === 0)
    return { valid: false, reason: 'WRONG_SERVICE', message: `the payment is for ${toPayee[0]?.serviceId}, not ${expected.serviceId}` };
  const event = forService.find((candidate) => candidate.amount >= expected.minAmount);
  if (!event) return { valid: false, reason: 'AMOUNT_TOO_LOW', message: `the payment is below the price` };

  const onRecord = await MNEEPaymentRouter__factory.connect(routerAddress, provider).paymentOf(event.payer, event.paymentRef);
  if (onRecord.refunded) return { valid: false, reason: 'REFUNDED', message: 'the payment was refunded' };
  return { valid: true, txHash, blockNumber: receipt.blockNumber, confirmations: seen, event };
}
