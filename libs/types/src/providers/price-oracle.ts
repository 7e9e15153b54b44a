import { z } from 'zod';

/** A ticker symbol: 2-10 letters and digits starting with a letter; any case in requests, upper case everywhere after. */
export const PriceSymbol = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]{1,9}$/, 'must be a symbol of 2-10 letters and digits starting with a letter, e.g. "ETH"')
  .toUpperCase();
export type PriceSymbol = z.infer<typeof PriceSymbol>;

/** A price: a positive decimal string ("3150.25"), never a float. */
export const PriceDecimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "3150.25"');
export type PriceDecimal = z.infer<typeof PriceDecimal>;

/**
 * PRICE_ORACLE `input`: the price of one `base` in `quote` (the feed's
 * default quote, USD, when absent), now or at an earlier instant `at`.
 */
export const PriceQuery = z
  .strictObject({
    base: PriceSymbol,
    quote: PriceSymbol.optional(),
    /** an instant in the past (ISO 8601); now when absent */
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((query) => query.quote === undefined || query.base !== query.quote, {
    path: ['quote'],
    message: 'must differ from base',
  });
export type PriceQuery = z.infer<typeof PriceQuery>;

/** How the price was found: a configured pair, its inverse, or two of them through a common quote. */
export const PriceRoute = z.enum(['direct', 'inverse', 'cross']);
export type PriceRoute = z.infer<typeof PriceRoute>;

/** A configured pair the answer was computed from, at the bucket's drift. */
export const PriceLeg = z.object({
  base: z.string(),
  quote: z.string(),
  price: PriceDecimal,
  /** the drift applied to the pair's base price in this bucket, in basis points (may be negative) */
  driftBps: z.number().int(),
});
export type PriceLeg = z.infer<typeof PriceLeg>;

/** PRICE_ORACLE `result`. The price holds for the whole bucket: every instant in it gets the same answer. */
export const PriceAnswer = z.object({
  base: z.string(),
  quote: z.string(),
  price: PriceDecimal,
  /** the instant asked about (the request's `at`, or the time of the call) */
  timestamp: z.iso.datetime(),
  /** the feed's name */
  source: z.string(),
  bucket: z.object({
    /** whole buckets since 1970-01-01T00:00:00Z */
    index: z.number().int(),
    seconds: z.number().int(),
    start: z.iso.datetime(),
    end: z.iso.datetime(),
  }),
  route: PriceRoute,
  /** the common quote of a cross price; null otherwise */
  via: z.string().nullable(),
  legs: z.array(PriceLeg),
});
export type PriceAnswer = z.infer<typeof PriceAnswer>;

/** `GET /symbols` of PRICE_ORACLE (free): what it can price, not the prices. */
export const PriceSymbolList = z.object({
  source: z.string(),
  defaultQuote: z.string(),
  bucketSeconds: z.number().int(),
  symbols: z.array(z.object({ symbol: z.string(), name: z.string() })),
  /** the configured pairs; their inverses and crosses through a common quote are priced too */
  pairs: z.array(z.object({ base: z.string(), quote: z.string() })),
});
export type PriceSymbolList = z.infer<typeof PriceSymbolList>;
