import { startBackingStack, type BackingStack, type BackingStackOptions } from './backing-stack';
import { createGatewayUnderTest, type GatewayUnderTest } from './gateway-under-test';
import { gatewayProbes, type GatewayProbes } from './gateway-probes';

/** What a describe block's tests use: read them inside tests and hooks, once `beforeAll` has run. */
export interface GatewaySuite {
  readonly stack: BackingStack;
  readonly gw: GatewayUnderTest;
  readonly probe: GatewayProbes;
}

/**
 * The real gateway over a backing stack of real services for a whole
 * describe block: registers the `beforeAll` that starts them (180 s), the
 * `afterAll` that stops them, and a `beforeEach` that gives every budget a
 * fresh start.
 */
export function useGatewayOverStack(options: BackingStackOptions = {}): GatewaySuite {
  let stack: BackingStack | undefined;
  let gw: GatewayUnderTest | undefined;
  let probe: GatewayProbes | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the gateway and its stack are not started: use them inside a test or hook');
    return value;
  };

  beforeAll(async () => {
    stack = await startBackingStack(options);
    gw = await createGatewayUnderTest(stack);
    probe = gatewayProbes(gw);
  }, 180_000);
  afterAll(async () => {
    await gw?.close();
    await stack?.stopAll();
  });
  beforeEach(() => started(probe).resetBudgets());

  return {
    get stack() {
      return started(stack);
    },
    get gw() {
      return started(gw);
    },
    get probe() {
      return started(probe);
    },
  };
}
