/** The services `npm start` runs, in start order (the gateway last: it calls the others). */
export interface StackService {
  /** Nx project name; its bundle is dist/apps/<project>/main.js. */
  project: string;
  port: number;
  /** The variable the service reads its port from. */
  portEnv: string;
  /** The variable the other services find it by (a provider: NEXUS_SERVICE_<ID>_URL, see @nexus/config). */
  urlEnv?: string;
  /** A provider's service id in config/services.yaml. */
  serviceId?: string;
}

export const STACK: readonly StackService[] = [
  { project: 'policy', port: 8005, portEnv: 'POLICY_PORT', urlEnv: 'POLICY_URL' },
  { project: 'payment', port: 8006, portEnv: 'PAYMENT_PORT', urlEnv: 'PAYMENT_URL' },
  { project: 'logger', port: 8007, portEnv: 'LOGGER_PORT', urlEnv: 'LOGGER_URL' },
  { project: 'image-gen', port: 8001, portEnv: 'IMAGE_GEN_PORT', serviceId: 'IMAGE_GEN' },
  { project: 'price-oracle', port: 8002, portEnv: 'PRICE_ORACLE_PORT', serviceId: 'PRICE_ORACLE' },
  { project: 'batch-compute', port: 8003, portEnv: 'BATCH_COMPUTE_PORT', serviceId: 'BATCH_COMPUTE' },
  { project: 'log-archive', port: 8004, portEnv: 'LOG_ARCHIVE_PORT', serviceId: 'LOG_ARCHIVE' },
  { project: 'gateway', port: 8000, portEnv: 'GATEWAY_PORT' },
];
