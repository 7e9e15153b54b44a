import { bearerToken, secretsEqual } from './caller-auth';

describe('secretsEqual', () => {
  it('is true for the same secret', () => {
    expect(secretsEqual('s3cret-token-value', 's3cret-token-value')).toBe(true);
  });

  it('is false for secrets of the same length that differ', () => {
    expect(secretsEqual('s3cret-token-valuE', 's3cret-token-value')).toBe(false);
  });

  it('is false, without throwing, for secrets of different lengths', () => {
    expect(secretsEqual('s3cret', 's3cret-token-value')).toBe(false);
    expect(secretsEqual('s3cret-token-value-and-more', 's3cret-token-value')).toBe(false);
    expect(secretsEqual('', 's3cret-token-value')).toBe(false);
  });
});

describe('bearerToken', () => {
  it('takes the token of a Bearer header', () => {
    expect(bearerToken('Bearer abc.def-123')).toBe('abc.def-123');
  });

  it('accepts the scheme in any case and extra spaces around the token', () => {
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('BEARER   abc  ')).toBe('abc');
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a scheme with no token', 'Bearer'],
    ['a scheme and only spaces', 'Bearer   '],
    ['two tokens', 'Bearer abc def'],
    ['a token with no scheme', 'abc'],
    ['the scheme glued to the token', 'Bearerabc'],
  ])('gives undefined for %s', (_case, header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});
