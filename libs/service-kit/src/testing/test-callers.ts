import { SERVICE_CALLERS, callerDigestEnv, callerTokenEnv, type ServiceCaller } from '@nexus/types';
import { tokenSha256, type CallerDigests } from '../caller-auth';

/** A fixed token per caller, for tests only. */
export const TEST_TOKENS: Readonly<Record<ServiceCaller, string>> = Object.fromEntries(
  SERVICE_CALLERS.map((caller) => [caller, `test-${caller}-token-0123456789`]),
) as Record<ServiceCaller, string>;

/** The token hashes a service under test knows: every caller's by default. */
export const testCallerDigests = (callers: readonly ServiceCaller[] = SERVICE_CALLERS): CallerDigests =>
  new Map(callers.map((caller) => [caller, tokenSha256(TEST_TOKENS[caller])]));

/** The Authorization header of `caller`'s test token. */
export const authAs = (caller: ServiceCaller): { Authorization: string } => ({ Authorization: `Bearer ${TEST_TOKENS[caller]}` });

/** What a process started in a test needs: its own token as `<SELF>_TOKEN`, and the hash of each caller it accepts. */
export function testCredentialEnv(self: ServiceCaller, accepts: readonly ServiceCaller[] = []): Record<string, string> {
  return {
    [callerTokenEnv(self)]: TEST_TOKENS[self],
    ...Object.fromEntries(accepts.map((caller) => [callerDigestEnv(caller), tokenSha256(TEST_TOKENS[caller])])),
  };
}
