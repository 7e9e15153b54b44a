import type { PriceFeed, PricePair } from '@nexus/config';
import type { PriceAnswer, PriceLeg, PriceRoute, PriceSymbolList } from '@nexus/types';
import { applyDrift, driftBps } from './drift';
import { ONE, divRound, formatPrice, parsePrice } from './fixed-point';

/** A configured pair, read forwards (its price) or backwards (1 / its price). */
interface Side {
  pair: PricePair;
  inverted: boolean;
}

/** How a price is found: one configured pair either way, or two through a common quote (`base/via ÷ quote/via`). */
export type Route = { kind: 'direct' | 'inverse'; side: Side } | { kind: 'cross'; via: string; base: Side; quote: Side };

/** Why there is no price: a symbol the feed does not know, or two it knows with no pair or bridge between them. */
export type NoPrice = { reason: 'UNKNOWN_SYMBOL'; symbols: string[] } | { reason: 'NO_ROUTE' };

/**
 * The feed's prices at any instant. Configured pairs drift per bucket; their
 * inverses and crosses are computed from the drifted prices, so every answer
 * in one bucket is consistent with every other.
 */
export class PriceBook {
  private readonly names: Map<string, string>;
  private readonly pairs: Map<string, PricePair>;
  private readonly bridges: string[];

  constructor(private readonly feed: PriceFeed) {
    this.names = new Map(feed.symbols.map(({ symbol, name }) => [symbol, name]));
    this.pairs = new Map(feed.pairs.map((pair) => [`${pair.base}/${pair.quote}`, pair]));
    // the default quote is the first bridge tried, then the other symbols in the file's order
    this.bridges = [feed.defaultQuote, ...feed.symbols.map((s) => s.symbol).filter((s) => s !== feed.defaultQuote)];
  }

  get defaultQuote(): string {
    return this.feed.defaultQuote;
  }

  get bucketSeconds(): number {
    return this.feed.bucketSeconds;
  }

  /** The way to price base in quote, or why there is none. */
  route(base: string, quote: string): Route | NoPrice {
    const unknown = [base, quote].filter((symbol) => !this.names.has(symbol));
    if (unknown.length > 0) return { reason: 'UNKNOWN_SYMBOL', symbols: unknown };
    const side = this.side(base, quote);
    if (side) return { kind: side.inverted ? 'inverse' : 'direct', side };
    for (const via of this.bridges) {
      if (via === base || via === quote) continue;
      const baseSide = this.side(base, via);
      const quoteSide = baseSide && this.side(quote, via);
      if (baseSide && quoteSide) return { kind: 'cross', via, base: baseSide, quote: quoteSide };
    }
    return { reason: 'NO_ROUTE' };
  }

  /** The bucket an instant falls in (whole buckets since the epoch). */
  bucketOf(instant: Date): bigint {
    return BigInt(Math.floor(instant.getTime() / 1000 / this.feed.bucketSeconds));
  }

  /** The answer for a route found by `route`, at an instant. */
  priceAt(base: string, quote: string, route: Route, instant: Date): PriceAnswer {
    const bucket = this.bucketOf(instant);
    const legs: PriceLeg[] = [];
    const value = (side: Side): bigint => {
      const { pair } = side;
      const drift = driftBps(pair.base, pair.quote, bucket, pair.drift);
      const price = applyDrift(parsePrice(pair.price), drift);
      legs.push({ base: pair.base, quote: pair.quote, price: formatPrice(price, this.feed.decimals), driftBps: drift });
      return side.inverted ? divRound(ONE * ONE, price) : price;
    };
    let price: bigint;
    let kind: PriceRoute;
    let via: string | null = null;
    switch (route.kind) {
      case 'direct':
      case 'inverse':
        price = value(route.side);
        kind = route.kind;
        break;
      case 'cross':
        price = divRound(value(route.base) * ONE, value(route.quote));
        kind = 'cross';
        via = route.via;
        break;
    }
    const bucketMs = this.feed.bucketSeconds * 1000;
    const start = Number(bucket) * bucketMs;
    return {
      base,
      quote,
      price: formatPrice(price, this.feed.decimals),
      timestamp: instant.toISOString(),
      source: this.feed.source,
      bucket: {
        index: Number(bucket),
        seconds: this.feed.bucketSeconds,
        start: new Date(start).toISOString(),
        end: new Date(start + bucketMs).toISOString(),
      },
      route: kind,
      via,
      legs,
    };
  }

  /** What the feed can price (the free `GET /symbols`). */
  listing(): PriceSymbolList {
    return {
      source: this.feed.source,
      defaultQuote: this.feed.defaultQuote,
      bucketSeconds: this.feed.bucketSeconds,
      symbols: this.feed.symbols,
      pairs: this.feed.pairs.map(({ base, quote }) => ({ base, quote })),
    };
  }

  private side(from: string, to: string): Side | undefined {
    const forwards = this.pairs.get(`${from}/${to}`);
    if (forwards) return { pair: forwards, inverted: false };
    const backwards = this.pairs.get(`${to}/${from}`);
    return backwards && { pair: backwards, inverted: true };
  }
}

/** Tells a route from a refusal. */
export const isRoute = (found: Route | NoPrice): found is Route => 'kind' in found;
