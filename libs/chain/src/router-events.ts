import { getAddress, zeroPadValue, type Log } from 'ethers';
import { MNEEPaymentRouter__factory } from './generated';
import { serviceIdFromBytes32 } from './payment-ref';

const routerInterface = MNEEPaymentRouter__factory.createInterface();

export interface PaymentMadeEvent {
  paymentRef: string;
  payer: string;
  payee: string;
  /** token units */
  amount: bigint;
  serviceId: string;
  logIndex: number;
}

export interface PaymentRefundedEvent {
  paymentRef: string;
  payer: string;
  payee: string;
  amount: bigint;
  logIndex: number;
}

/** A router log that does not decode (e.g. a service id that is no bytes32 string): anybody can pay through the router. */
export interface MalformedRouterLog {
  logIndex: number;
  reason: string;
}

export interface RouterEvents {
  payments: PaymentMadeEvent[];
  refunds: PaymentRefundedEvent[];
  /** router logs skipped because they do not decode; never thrown */
  malformed: MalformedRouterLog[];
}

/**
 * Decodes the router's events among a receipt's logs; logs of any other
 * contract are ignored, and router logs that do not decode are listed in
 * `malformed` instead of throwing.
 */
export function decodeRouterEvents(
  logs: readonly Pick<Log, 'address' | 'topics' | 'data' | 'index'>[],
  routerAddress: string,
): RouterEvents {
  const router = getAddress(routerAddress);
  const events: RouterEvents = { payments: [], refunds: [], malformed: [] };
  for (const log of logs) {
    if (getAddress(log.address) !== router) continue;
    try {
      const parsed = routerInterface.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed?.name === 'PaymentMade') {
        const [paymentRef, payer, payee, amount, serviceId] = parsed.args as unknown as [string, string, string, bigint, string];
        events.payments.push({ paymentRef, payer, payee, amount, serviceId: serviceIdFromBytes32(serviceId), logIndex: log.index });
      } else if (parsed?.name === 'PaymentRefunded') {
        const [paymentRef, payer, payee, amount] = parsed.args as unknown as [string, string, string, bigint];
        events.refunds.push({ paymentRef, payer, payee, amount, logIndex: log.index });
      }
    } catch (error) {
      events.malformed.push({
        logIndex: log.index,
        reason: error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error),
      });
    }
  }
  return events;
}

export const routerEventTopics = {
  paymentMade: routerInterface.getEvent('PaymentMade').topicHash,
  paymentRefunded: routerInterface.getEvent('PaymentRefunded').topicHash,
};

/** What one of our payments must be on chain: from our payer, to the payee, for the service, of exactly the amount. */
export interface ExpectedPayment {
  paymentRef: string;
  payer: string;
  payee: string;
  serviceId: string;
  /** token units */
  amount: bigint;
}

const sameAddress = (a: string, b: string) => getAddress(a) === getAddress(b);

/** The payment event is exactly the one we expect (reference, payer, payee, service and amount). */
export function isExpectedPayment(event: PaymentMadeEvent, expected: ExpectedPayment): boolean {
  return (
    event.paymentRef.toLowerCase() === expected.paymentRef.toLowerCase() &&
    sameAddress(event.payer, expected.payer) &&
    sameAddress(event.payee, expected.payee) &&
    event.serviceId === expected.serviceId &&
    event.amount === expected.amount
  );
}

/** The refund event returns exactly that payment (reference, payer, payee and amount). */
export function isExpectedRefund(event: PaymentRefundedEvent, expected: Omit<ExpectedPayment, 'serviceId'>): boolean {
  return (
    event.paymentRef.toLowerCase() === expected.paymentRef.toLowerCase() &&
    sameAddress(event.payer, expected.payer) &&
    sameAddress(event.payee, expected.payee) &&
    event.amount === expected.amount
  );
}

/** The indexed topic of an address (the router indexes payer and payee). */
export function addressTopic(address: string): string {
  return zeroPadValue(getAddress(address), 32);
}
