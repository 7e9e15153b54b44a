// Test support for @nexus/service-kit — import from '@nexus/service-kit/testing', never from production code.
export { listenOnLoopback, type LoopbackServer } from './loopback-server';
export { type OnDemandServer, serveOnDemand } from './on-demand-server';
export { runServiceToExit, type ServiceRunOptions } from './run-service-to-exit';
export {
  findWorkspaceRoot,
  type ServiceProcess,
  type ServiceProcessOptions,
  servicePortVariable,
  startServiceProcess,
} from './service-process';
export { launchStack, STACK_UP_LINE, stackChildEnv, type StackLauncher, type StackLauncherOptions } from './stack-launcher';
export { errorOf, type ErrorOfOptions, expectValidationError } from './expect-errors';
export { authAs, TEST_TOKENS, testCallerDigests, testCredentialEnv } from './test-callers';
export { waitFor, type WaitForOptions } from './wait-for';
export { openSseStream, type SseStream } from './sse-client';
