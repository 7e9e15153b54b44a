/** The services `npm start` runs, in start order (the gateway last: it calls the others). */
export interface StackService {
  /** Nx project name; its bundle is dist/apps/<project>/main.js. */
  project: string;
  port: number;
  /** The variable the service reads its port from. */
  portEnv: string;
}

export const STACK: readonly StackService[] = [
  { project: 'policy', port: 8005, portEnv: 'POLICY_PORT' },
  { project: 'payment', port: 8006, portEnv: 'PAYMENT_PORT' },
  { project: 'logger', port: 8007, portEnv: 'LOGGER_PORT' },
  { project: 'image-gen', port: 8001, portEnv: 'IMAGE_GEN_PORT' },
  { project: 'price-oracle', port: 8002, portEnv: 'PRICE_ORACLE_PORT' },
  { project: 'batch-compute', port: 8003, portEnv: 'BATCH_COMPUTE_PORT' },
  { project: 'log-archive', port: 8004, portEnv: 'LOG_ARCHIVE_PORT' },
  { project: 'gateway', port: 8000, portEnv: 'GATEWAY_PORT' },
];
