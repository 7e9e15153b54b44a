import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error';

/** How a configured pair's price moves: a triangle wave of ±amplitude over a period of buckets, plus a jitter of ±noise. */
export interface DriftSettings {
  amplitudeBps: number;
  periodBuckets: number;
  noiseBps: number;
}

export interface PricePair {
  base: string;
  quote: string;
  /** the base price, a decimal string with at most 18 decimal places */
  price: string;
  /** the feed's drift with the pair's own settings over it */
  drift: DriftSettings;
}

/** PRICE_ORACLE's feed (config/prices.yaml), validated. */
export interface PriceFeed {
  /** the file it was read from */
  file: string;
  source: string;
  bucketSeconds: number;
  decimals: number;
  defaultQuote: string;
  symbols: { symbol: string; name: string }[];
  pairs: PricePair[];
}

const FeedSymbol = z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, 'must be an upper-case symbol of 2-10 letters and digits, e.g. "ETH"');

const FeedPrice = z
  .string({
    error: (issue) =>
      issue.input === undefined ? 'is required' : 'must be a decimal string such as "3150.25" (quoted in YAML), not a number',
  })
  .regex(
    /^(0|[1-9]\d{0,14})(\.\d{1,18})?$/,
    'must be a decimal string such as "3150.25" with at most 15 integer digits and 18 decimal places (no sign, exponent or spaces)',
  )
  .refine((value) => /[1-9]/.test(value), 'must be more than zero');

const Drift = z.strictObject({
  /** the drift's amplitude: at most 50 % either way */
  amplitudeBps: z.number().int().min(0).max(5_000),
  periodBuckets: z.number().int().min(2).max(1_000_000),
  /** the per-bucket jitter: at most 10 % either way */
  noiseBps: z.number().int().min(0).max(1_000),
});

export const PriceFeedFile = z.strictObject({
  feed: z.strictObject({
    source: z.string().min(1).max(100),
    bucketSeconds: z.number().int().min(1).max(86_400),
    decimals: z.number().int().min(0).max(18).default(8),
    defaultQuote: FeedSymbol,
    drift: Drift,
  }),
  symbols: z.record(FeedSymbol, z.string().min(1).max(100)),
  pairs: z
    .array(
      z.strictObject({
        base: FeedSymbol,
        quote: FeedSymbol,
        price: FeedPrice,
        drift: Drift.partial().optional(),
      }),
    )
    .min(1),
});
export type PriceFeedFile = z.infer<typeof PriceFeedFile>;

export interface LoadPriceFeedOptions {
  /** the file; `PRICE_FEED_FILE`, else `prices.yaml` in `NEXUS_CONFIG_DIR` (`./config`) */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads and validates the price feed; throws ConfigError listing every problem, each naming the file and field. */
export function loadPriceFeed(options: LoadPriceFeedOptions = {}): PriceFeed {
  const env = options.env ?? process.env;
  const file = resolve(options.file ?? (env['PRICE_FEED_FILE'] || join(env['NEXUS_CONFIG_DIR'] || 'config', 'prices.yaml')));
  const raw = readYaml(file);
  const parsed = PriceFeedFile.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ source: file, path: issue.path.map(String).join('.'), message: issue.message })),
    );
  }
  const { feed, symbols, pairs } = parsed.data;
  const problems = crossCheck(parsed.data, file);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    file,
    source: feed.source,
    bucketSeconds: feed.bucketSeconds,
    decimals: feed.decimals,
    defaultQuote: feed.defaultQuote,
    symbols: Object.entries(symbols).map(([symbol, name]) => ({ symbol, name })),
    pairs: pairs.map((pair) => ({ base: pair.base, quote: pair.quote, price: pair.price, drift: { ...feed.drift, ...pair.drift } })),
  };
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error: unknown) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown error';
    throw new ConfigError([{ source: file, path: '', message: `cannot be read (${code})` }], { cause: error });
  }
  let document: unknown;
  try {
    document = yaml.load(text, { filename: file });
  } catch (error: unknown) {
    const message =
      error instanceof yaml.YAMLException
        ? `is not valid YAML: ${error.reason} (line ${error.mark.line + 1}, column ${error.mark.column + 1})`
        : 'is not valid YAML';
    throw new ConfigError([{ source: file, path: '', message }], { cause: error });
  }
  if (document === undefined || document === null) throw new ConfigError([{ source: file, path: '', message: 'is empty' }]);
  return document;
}

/** What the schema cannot see: symbols the pairs and the default quote name, and a pair given twice (or with its inverse). */
function crossCheck({ feed, symbols, pairs }: PriceFeedFile, source: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const known = (symbol: string) => Object.hasOwn(symbols, symbol);
  if (!known(feed.defaultQuote)) {
    problems.push({ source, path: 'feed.defaultQuote', message: `"${feed.defaultQuote}" is not one of the symbols` });
  }
  const seen = new Map<string, number>();
  pairs.forEach((pair, i) => {
    for (const side of ['base', 'quote'] as const) {
      if (!known(pair[side])) problems.push({ source, path: `pairs.${i}.${side}`, message: `"${pair[side]}" is not one of the symbols` });
    }
    if (pair.base === pair.quote) problems.push({ source, path: `pairs.${i}.quote`, message: 'must differ from base' });
    const key = [pair.base, pair.quote].sort().join('/');
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else
      problems.push({
        source,
        path: `pairs.${i}`,
        message: `${pair.base}/${pair.quote} is already priced by pairs.${first} (a pair and its inverse are one pair)`,
      });
  });
  return problems;
}
