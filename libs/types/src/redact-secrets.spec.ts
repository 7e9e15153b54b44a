import { redactSecrets } from './redact-secrets';

describe('redactSecrets', () => {
  it('keeps only the scheme, host and port of a URL: credentials, path and query go', () => {
    const text =
      'server response 500 (info={ "requestUrl": "http://user:secret@127.0.0.1:8545/v1/apikey123?key=abc", "responseStatus": "500" })';
    const redacted = redactSecrets(text);
    expect(redacted).toBe('server response 500 (info={ "requestUrl": "http://127.0.0.1:8545/[redacted]", "responseStatus": "500" })');
    expect(redacted).not.toMatch(/secret|apikey123|abc|user/);
  });

  it('redacts every URL, of any scheme, and bearer tokens; leaves other text and bare hosts alone', () => {
    expect(redactSecrets('wss://eth.example/ws/KEY and postgres://app:pw@db:5432/nexus, http://127.0.0.1:8000/')).toBe(
      'wss://eth.example/[redacted] and postgres://db:5432/[redacted], http://127.0.0.1:8000',
    );
    expect(redactSecrets('Authorization: Bearer abc.def-0123456789')).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets('missing bearer token')).toBe('missing bearer token');
    expect(redactSecrets('payment 0xabc failed: nonce too low')).toBe('payment 0xabc failed: nonce too low');
  });
});
