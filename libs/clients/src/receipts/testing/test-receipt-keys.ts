import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { ReceiptTerms } from '@nexus/types';
import { signReceipt } from '../receipt-token';

/** The payment service's receipt keys for tests: signs receipts as it would, and gives the keys as the environment takes them. */
export class TestReceiptKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor() {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ed25519'));
  }

  /** PAYMENT_RECEIPT_PRIVATE_KEY (for a payment process): a base64-encoded PKCS8 PEM. */
  get paymentEnv(): Record<string, string> {
    return { PAYMENT_RECEIPT_PRIVATE_KEY: base64Pem(this.privateKey.export({ type: 'pkcs8', format: 'pem' })) };
  }

  /** PAYMENT_RECEIPT_PUBLIC_KEY (for a provider process): a base64-encoded SPKI PEM. */
  get providerEnv(): Record<string, string> {
    return { PAYMENT_RECEIPT_PUBLIC_KEY: base64Pem(this.publicKey.export({ type: 'spki', format: 'pem' })) };
  }

  /** A receipt as the payment service signs it (or, given another key, a forgery). */
  sign(terms: ReceiptTerms, key: KeyObject = this.privateKey, now?: Date): Promise<string> {
    return signReceipt(terms, key, now);
  }
}

const base64Pem = (pem: string | Buffer) => Buffer.from(pem).toString('base64');
