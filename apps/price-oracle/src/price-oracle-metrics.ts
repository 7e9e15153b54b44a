import { Counter, type Registry } from 'prom-client';

/** What PRICE_ORACLE counts for Prometheus, beside the kit's process, HTTP and paywall metrics. */
export interface PriceOracleMetrics {
  answered: (route: string) => void;
  refused: (reason: string) => void;
}

export function createPriceOracleMetrics(registry: Registry): PriceOracleMetrics {
  const answers = new Counter({
    name: 'price_oracle_answers_total',
    help: 'Paid price queries answered, by route (direct, inverse, cross)',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'price_oracle_refusals_total',
    help: 'Price queries refused before payment, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return {
    answered: (route) => answers.inc({ route }),
    refused: (reason) => refusals.inc({ reason }),
  };
}
