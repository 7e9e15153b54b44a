export {
  type ChainEnv,
  type ChainTarget,
  DEFAULT_RECEIPT_TIMEOUT_MS,
  loadChainEnv,
  optionalPrivateKeys,
  type PaymentMode,
  requirePrivateKey,
} from './chain-env';
export { ConfigError, type ConfigProblem } from './config-error';
export { serviceEnvName } from './env-overrides';
export { loadConfig, type LoadConfigOptions, type NexusConfig } from './load-config';
export {
  AgentConfig,
  AgentsFile,
  DEFAULT_ALERTS,
  PolicyFile,
  PolicySettings,
  ServiceConfig,
  ServicesFile,
  VariantConfig,
  X402ServiceConfig,
} from './schemas';
export { loadServiceEnv, type ServiceEnv, type ServiceEnvOptions } from './service-env';
export { type DriftSettings, loadPriceFeed, type LoadPriceFeedOptions, type PriceFeed, PriceFeedFile, type PricePair } from './price-feed';
export {
  encodeSigningKey,
  generateSigningKeyPair,
  loadSigningKey,
  loadVerifyingKey,
  SIGNING_KEY_PAIRS,
  type SigningKeyPair,
} from './signing-keys';
export { readEnvSchema } from './read-env-schema';
export { checkTimeoutBudget, TIMEOUT_MARGIN_MS, type TimeoutBudget } from './timeout-budget';
