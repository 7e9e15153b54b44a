import { getAddress, type Log } from 'ethers';
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

export interface RouterEvents {
  payments: PaymentMadeEvent[];
  refunds: PaymentRefundedEvent[];
}

/** Decodes the router's events among a receipt's logs; logs of any other contract are ignored. */
export function decodeRouterEvents(
  logs: readonly Pick<Log, 'address' | 'topics' | 'data' | 'index'>[],
  routerAddress: string,
): RouterEvents {
  const router = getAddress(routerAddress);
  const events: RouterEvents = { payments: [], refunds: [] };
  for (const log of logs) {
    if (getAddress(log.address) !== router) continue;
    const parsed = routerInterface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name === 'PaymentMade') {
      const [paymentRef, payer, payee, amount, serviceId] = parsed.args as unknown as [string, string, string, bigint, string];
      events.payments.push({ paymentRef, payer, payee, amount, serviceId: serviceIdFromBytes32(serviceId), logIndex: log.index });
    } else if (parsed?.name === 'PaymentRefunded') {
      const [paymentRef, payer, payee, amount] = parsed.args as unknown as [string, string, string, bigint];
      events.refunds.push({ paymentRef, payer, payee, amount, logIndex: log.index });
    }
  }
  return events;
}

export const routerEventTopics = {
  paymentMade: routerInterface.getEvent('PaymentMade').topicHash,
  paymentRefunded: routerInterface.getEvent('PaymentRefunded').topicHash,
};
