/** The services `npm start` runs, in start order. Later issues add the rest of the stack here. */
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
];
