// Test support for @nexus/chain — import from '@nexus/chain/testing', never from production code.
export { freePort } from './free-port';
export { FRONT_RUNNER_ACCOUNT, fundFrontRunner, payUnderRef } from './front-runner';
export { startTestChain, type TestChain } from './test-chain';
export { receiptOf, revertOf } from './tx-outcomes';
export { startX402StandIn, type X402StandIn, type X402StandInOptions } from './x402-stand-in';
