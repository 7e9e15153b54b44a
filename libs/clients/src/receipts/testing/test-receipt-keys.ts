import type { KeyObject } from 'node:crypto';
import type { ReceiptTerms } from '@nexus/types';
import { TestKeyPair } from '../../jws/testing/test-key-pair';
import { signReceipt } from '../receipt-token';

/** The payment service's receipt keys for tests: signs receipts as it would, and gives the keys as the environment takes them. */
export class TestReceiptKeys extends TestKeyPair {
  /** PAYMENT_RECEIPT_PRIVATE_KEY, for a payment process. */
  get paymentEnv(): Record<string, string> {
    return this.privateEnv('PAYMENT_RECEIPT_PRIVATE_KEY');
  }

  /** PAYMENT_RECEIPT_PUBLIC_KEY, for a provider process. */
  get providerEnv(): Record<string, string> {
    return this.publicEnv('PAYMENT_RECEIPT_PUBLIC_KEY');
  }

  /** A receipt as the payment service signs it (or, given another key, a forgery). */
  sign(terms: ReceiptTerms, key: KeyObject = this.privateKey, now?: Date): Promise<string> {
    return signReceipt(terms, key, now);
  }
}
