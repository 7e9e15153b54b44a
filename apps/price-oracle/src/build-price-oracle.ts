import { loadPriceFeed } from '@nexus/config';
import { defineProvider, type ProviderBuilder } from '@nexus/provider-kit';
import { notFound, validationError } from '@nexus/service-kit';
import { PriceQuery, type PriceAnswer } from '@nexus/types';
import { PriceBook, isRoute, type Route } from './oracle/price-book';
import { createPriceOracleMetrics } from './price-oracle-metrics';
import { symbolRoutes } from './routes/symbol-routes';

/**
 * PRICE_ORACLE: the price of a pair from the configured feed (PRICE_FEED_FILE,
 * config/prices.yaml by default), now or at an earlier instant. Unknown
 * symbols and pairs are refused before any payment is taken.
 */
export function priceOracleBuilder(clock: () => Date = () => new Date()): ProviderBuilder {
  return (runtime) => {
    const book = new PriceBook(loadPriceFeed({ env: runtime.env }));
    const metrics = createPriceOracleMetrics(runtime.registry);
    runtime.logger.info('price feed loaded', { source: book.listing().source, pairs: book.listing().pairs.length });

    /** The quote asked for, the instant and the route, or the refusal (the same in precheck and run). */
    const resolve = (query: PriceQuery): { quote: string; instant: Date; route: Route } => {
      const quote = query.quote ?? book.defaultQuote;
      if (quote === query.base) {
        metrics.refused('VALIDATION_ERROR');
        throw validationError('invalid request body', [
          { path: 'body.input.base', message: `must differ from the quote (${quote} when none is given)` },
        ]);
      }
      const instant = query.at === undefined ? clock() : new Date(query.at);
      const bucketEnd = (Number(book.bucketOf(clock())) + 1) * book.bucketSeconds * 1000;
      if (instant.getTime() < 0 || instant.getTime() >= bucketEnd) {
        metrics.refused('VALIDATION_ERROR');
        throw validationError('invalid request body', [
          { path: 'body.input.at', message: 'must be an instant between 1970-01-01T00:00:00Z and now: an oracle does not tell the future' },
        ]);
      }
      const found = book.route(query.base, quote);
      if (isRoute(found)) return { quote, instant, route: found };
      metrics.refused(found.reason);
      switch (found.reason) {
        case 'UNKNOWN_SYMBOL':
          throw notFound('PRICE_NOT_FOUND', `no price for ${query.base}/${quote}: the feed does not know ${found.symbols.join(' or ')}`);
        case 'NO_ROUTE':
          throw notFound('PRICE_NOT_FOUND', `no price for ${query.base}/${quote}: no pair or common quote links them`);
      }
    };

    return defineProvider({
      serviceId: 'PRICE_ORACLE',
      input: PriceQuery,
      precheck: (query) => {
        resolve(query);
      },
      run: async (query): Promise<PriceAnswer> => {
        const { quote, instant, route } = resolve(query);
        const answer = book.priceAt(query.base, quote, route, instant);
        metrics.answered(answer.route);
        return answer;
      },
      routes: symbolRoutes(book),
    });
  };
}

export const buildPriceOracle = priceOracleBuilder();
