export {
  appendJournal,
  askForBlock,
  type ChainRecorder,
  type ChainRecorderOptions,
  isJournaled,
  JournalBlock,
  journalEndsCleanly,
  JournalHead,
  journalHeadPathFor,
  journalPathFor,
  journalWantedPathFor,
  permit2PlacementPathFor,
  readPermit2Placement,
  readJournal,
  readJournalHead,
  replayJournal,
  type ReplayOptions,
  rewriteJournal,
  startChainRecorder,
  watchWantedBlocks,
  writeJournalHead,
  writePermit2Placement,
} from './chain-journal';
export { connectRpc } from './connect';
export { approveRouter, deployContracts, LOCAL_TOKEN, type LocalContracts, mintTo, type TokenSpec } from './deploy-contracts';
export { Address, Deployment, readDeployment, writeDeployment } from './deployment';
export {
  type AuthorizationEvent,
  CANCEL_AUTHORIZATION_TYPES,
  decodeTokenEvents,
  randomAuthorizationNonce,
  readTokenDomain,
  RECEIVE_WITH_AUTHORIZATION_TYPES,
  signTransferAuthorization,
  type TokenDomain,
  type TokenEvents,
  tokenEventTopics,
  type TokenTransferEvent,
  type TransferAuthorization,
  TRANSFER_WITH_AUTHORIZATION_TYPES,
  x402PayerSigner,
} from './erc3009';
export {
  factories,
  type MNEEPaymentRouter,
  MNEEPaymentRouter__factory,
  type MNEEToken,
  MNEEToken__factory,
  type Permit2,
  Permit2__factory,
  type X402ExactPermit2Proxy,
  X402ExactPermit2Proxy__factory,
} from './generated';
export { HARDHAT_CONFIG, type HardhatNode, type HardhatNodeOptions, rpcChainId, startHardhatNode } from './hardhat-node';
export {
  type AccountSetting,
  devAccountProblems,
  envAccountSettings,
  HARDHAT_ACCOUNT_COUNT,
  HARDHAT_MNEMONIC,
  hardhatAccountOf,
  LOCAL_CHAIN_ID,
  LOCAL_PAYEE_ACCOUNTS,
  LOCAL_TREASURY_ACCOUNT,
  localAccount,
} from './local-accounts';
export { deployLocalChain } from './local-deployment';
export {
  type Permit2Authorization,
  PERMIT2_ADDRESS,
  permit2Domain,
  permit2NonceBit,
  permit2NonceHex,
  PERMIT2_WITNESS_TYPES,
  placePermit2,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
} from './permit2';
export { paymentRefOf, serviceIdFromBytes32, serviceIdToBytes32 } from './payment-ref';
export { ReceiptTimeoutError, type ReceiptWait, waitForReceipt } from './receipts';
export { type ChainContracts, type ContractsSource, DeploymentMissingError, resolveContracts } from './resolve-contracts';
export { DEFAULT_RETRY, type RetryPolicy, withRpcRetry } from './retry';
export {
  addressTopic,
  decodeRouterEvents,
  type ExpectedPayment,
  isExpectedPayment,
  isExpectedRefund,
  type MalformedRouterLog,
  type PaymentMadeEvent,
  type PaymentRefundedEvent,
  type RouterEvents,
  routerEventTopics,
} from './router-events';
export {
  isConnectionRefused,
  isInsufficientFunds,
  isNonceTooHigh,
  isNonceTooLow,
  isTransientRpcError,
  type RevertReason,
  revertReasonOf,
  rpcFailureText,
} from './rpc-errors';
export { fromTokenUnits, toTokenUnits } from './token-units';
export { type SendHooks, TxSender } from './tx-sender';
export { checkPaymentOnChain, type PaymentCheck, type PaymentCheckFailure, type PaymentExpectation } from './verify-payment';
