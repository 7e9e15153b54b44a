import { generateKeyPairSync, type KeyObject } from 'node:crypto';

/** A fresh Ed25519 pair for tests, with each half as an environment variable holds it (a base64-encoded PEM). */
export class TestKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor() {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ed25519'));
  }

  /** `{[name]: the private key}`: PKCS8. */
  protected privateEnv(name: string): Record<string, string> {
    return { [name]: base64Pem(this.privateKey.export({ type: 'pkcs8', format: 'pem' })) };
  }

  /** `{[name]: the public key}`: SPKI. */
  protected publicEnv(name: string): Record<string, string> {
    return { [name]: base64Pem(this.publicKey.export({ type: 'spki', format: 'pem' })) };
  }
}

const base64Pem = (pem: string | Buffer) => Buffer.from(pem).toString('base64');
