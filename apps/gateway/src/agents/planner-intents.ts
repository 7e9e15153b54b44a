import {
  BATCH_LIMITS,
  IMAGE_MAX_SIDE,
  IMAGE_MIN_SIDE,
  IMAGE_PROMPT_MAX_LENGTH,
  LOG_ARCHIVE_LIMITS,
  LogLine,
  type BuiltInToolName,
} from '@nexus/types';

/** A tool call the built-in planner makes: the tool and its arguments (valid against the tool's schema). */
export interface PlannedCall {
  name: BuiltInToolName;
  args: Record<string, unknown>;
}

type Intent = 'image' | 'price' | 'batch' | 'archive';

/** Words that say what a part of a message asks for; the first one found in a part decides it. */
const INTENT_WORDS: Record<Intent, RegExp> = {
  image:
    /\b(images?|pictures?|photos?|draw|drawing|render|illustrations?|illustrate|sketch|paint|painting|artwork|poster|logo|icon|wallpaper)\b/i,
  price: /\b(prices?|pricing|quotes?|worth|how much (?:is|are|does|do)|exchange rate|rates?|ticker)\b/i,
  batch: /\b(batch|compute|computation|calculate|jobs?|primes?|hash[- ]?chain|sha-?256|sort|sorting|matrix|matrices|fibonacci)\b/i,
  archive: /\b(archive|archiving|logs?|log lines?)\b/i,
};

/** At most this many prices per message (the cap on tool calls applies as well). */
const MAX_SYMBOLS = 5;

/** Names and lower-case tickers the planner knows; any 2-10 character upper-case token counts as a symbol too. */
const KNOWN_SYMBOLS: Record<string, string> = {
  bitcoin: 'BTC',
  btc: 'BTC',
  ether: 'ETH',
  ethereum: 'ETH',
  eth: 'ETH',
  solana: 'SOL',
  sol: 'SOL',
  mnee: 'MNEE',
  usdc: 'USDC',
  usdt: 'USDT',
  tether: 'USDT',
  dollar: 'USD',
  dollars: 'USD',
  usd: 'USD',
  euro: 'EUR',
  euros: 'EUR',
  eur: 'EUR',
  pound: 'GBP',
  pounds: 'GBP',
  yen: 'JPY',
  dogecoin: 'DOGE',
  doge: 'DOGE',
  cardano: 'ADA',
  litecoin: 'LTC',
};

/** Upper-case tokens that are words or formats, not tickers. */
const NOT_SYMBOLS = new Set([
  'AI', 'AM', 'AN', 'AND', 'API', 'ARE', 'AT', 'BE', 'BY', 'DO', 'FOR', 'GET', 'HOW', 'IF', 'IN', 'IS', 'IT', 'JSON', 'LLM', 'ME', 'MY',
  'NO', 'OF', 'OK', 'ON', 'OR', 'PM', 'PNG', 'PRICE', 'PRICES', 'QUOTE', 'SO', 'SVG', 'THE', 'TO', 'UP', 'US', 'UTC', 'WE', 'WHAT',
  'TRACE', 'DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'FATAL',
]); // prettier-ignore

const LEVELS: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'fatal',
};

/** `[2026-03-10T12:00:00Z] ERROR disk full`, `WARN: slow`, `[info] started`... */
const LOG_LINE =
  /^\s*[-*]?\s*\[?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))?\]?\s*\[?(trace|debug|info|notice|warn|warning|error|err|fatal|critical)\]?\s*[:\-–]?\s+(\S.*)$/i;

interface Part {
  intent: Intent | null;
  text: string;
}

const firstIntent = (text: string): Intent | null => {
  let best: { intent: Intent; at: number } | null = null;
  for (const intent of Object.keys(INTENT_WORDS) as Intent[]) {
    const at = text.search(INTENT_WORDS[intent]);
    if (at >= 0 && (best === null || at < best.at)) best = { intent, at };
  }
  return best?.intent ?? null;
};

/**
 * Splits a message into parts at sentence ends and at "and", "then", "also",
 * "plus"; a part that asks for nothing is glued back onto the part before it
 * ("a picture of a cat and a dog" stays one part, "draw a cat and get the
 * price of ETH" becomes two).
 */
function splitIntoParts(message: string): Part[] {
  const pieces = message.split(/([.!?](?=\s|$)|[;\n]|,?\s+\b(?:and then|then|and|also|plus)\b\s+)/i);
  const parts: Part[] = [];
  for (let i = 0; i < pieces.length; i += 2) {
    const text = pieces[i] ?? '';
    const separator = pieces[i - 1] ?? '';
    const intent = firstIntent(text);
    const previous = parts.at(-1);
    if (intent === null && previous) previous.text += separator + text;
    else if (text.trim()) parts.push({ intent, text });
  }
  return parts.filter((part) => part.intent !== null);
}

/** Numbers as people write them: 1000, 1,000, 1_000, 10k, 2 million. */
function numbersIn(text: string): number[] {
  const found: number[] = [];
  for (const match of text.matchAll(/(?<![\w.])(-?(?:\d{1,3}(?:[,_]\d{3})+|\d+))(?!\d)(?:\s*(k|thousand|m|million)\b)?/gi)) {
    const digits = (match[1] ?? '').replace(/[,_]/g, '');
    const scale = match[2] ? (/^(k|thousand)$/i.test(match[2]) ? 1_000 : 1_000_000) : 1;
    const value = Number(digits) * scale;
    if (Number.isSafeInteger(value)) found.push(value);
  }
  return found;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

function imageCall(text: string, whole: string): PlannedCall {
  const afterNoun =
    /\b(?:images?|pictures?|photos?|illustrations?|drawing|sketch|painting|artwork|poster|logo|icon|wallpaper)\s+(?:of|showing|with|depicting|for)\s+(.+)$/is.exec(
      text,
    );
  const afterVerb = /\b(?:draw|render|paint|sketch|illustrate)\s+(?:me\s+|us\s+)?(.+)$/is.exec(text);
  const prompt = (afterNoun?.[1] ?? afterVerb?.[1] ?? text).replace(/\s+/g, ' ').replace(/^[\s,:]+|[\s,.!?]+$/g, '');
  const args: Record<string, unknown> = { prompt: (prompt || text.trim()).slice(0, IMAGE_PROMPT_MAX_LENGTH) };
  const size = /\b(\d{2,4})\s*[x×]\s*(\d{2,4})\b/.exec(text);
  if (size) {
    args['width'] = clamp(Number(size[1]), IMAGE_MIN_SIDE, IMAGE_MAX_SIDE);
    args['height'] = clamp(Number(size[2]), IMAGE_MIN_SIDE, IMAGE_MAX_SIDE);
  }
  if (/\b(svg|vector)\b/i.test(text)) args['format'] = 'svg';
  if (/\b(drafts?|preview|thumbnail|rough)\b/i.test(whole)) args['variant'] = 'draft';
  return { name: 'generate_image', args };
}

const symbolOf = (token: string): string | null => {
  const known = KNOWN_SYMBOLS[token.toLowerCase()];
  if (known) return known;
  return /^[A-Z][A-Z0-9]{1,9}$/.test(token) && !NOT_SYMBOLS.has(token) ? token : null;
};

function priceCalls(text: string): PlannedCall[] {
  let quote: string | null = null;
  let quoteAt = -1;
  for (const match of text.matchAll(/\b(?:in|into|to|vs\.?|versus|against|per)\s+([A-Za-z][A-Za-z0-9]{1,9})\b/gi)) {
    const symbol = match[1] ? symbolOf(match[1]) : null;
    if (symbol && match[1]) {
      quote = symbol;
      quoteAt = match.index + match[0].length - match[1].length;
      break;
    }
  }
  const bases: string[] = [];
  for (const match of text.matchAll(/\b[A-Za-z][A-Za-z0-9]{1,9}\b/g)) {
    if (match.index === quoteAt) continue;
    const symbol = symbolOf(match[0]);
    if (symbol && symbol !== quote && !bases.includes(symbol)) bases.push(symbol);
  }
  return bases.slice(0, MAX_SYMBOLS).map((base) => ({ name: 'get_price', args: quote ? { base, quote } : { base } }));
}

function batchCall(text: string): PlannedCall {
  const numbers = numbersIn(text);
  const first = numbers.find((value) => value > 0);
  let job: Record<string, unknown>;
  if (/\bhash[- ]?chain|sha-?256\b/i.test(text)) {
    const seed = /["“]([^"”]{0,1024})["”]/.exec(text)?.[1] ?? 'nexus';
    job = { kind: 'hash-chain', seed, iterations: clamp(first ?? 1_000, 1, BATCH_LIMITS.hashChainMaxIterations) };
  } else if (/\bsort(?:ing)?\b/i.test(text) && numbers.length > 0) {
    job = { kind: 'sort', values: numbers.slice(0, BATCH_LIMITS.sortMaxValues) };
    if (/\b(desc|descending|largest first|reverse)\b/i.test(text)) job['order'] = 'desc';
  } else if (/\b(matrix|matrices|fibonacci)\b/i.test(text)) {
    job = {
      kind: 'matrix-power',
      matrix: [
        [1, 1],
        [1, 0],
      ],
      power: clamp(first ?? 10, 0, BATCH_LIMITS.matrixMaxPower),
      modulus: 1_000_000_007,
    };
  } else {
    const limit = first ?? 100_000;
    const below = clamp(/\b(below|under|less than)\s+\d/i.test(text) ? limit : limit + 1, 2, BATCH_LIMITS.primesMaxBelow);
    job = { kind: 'primes', below };
    if (/\blist\b/i.test(text) && below <= BATCH_LIMITS.primesListMaxBelow) job['list'] = true;
  }
  return { name: 'submit_batch_job', args: job };
}

function logLinesIn(message: string): { lines: Record<string, string>[]; rest: string } {
  const lines: Record<string, string>[] = [];
  const rest: string[] = [];
  for (const line of message.split('\n')) {
    const match = LOG_LINE.exec(line);
    if (match?.[2] && match[3]) {
      const timestamp = match[1] && LogLine.shape.timestamp.safeParse(match[1]).success ? match[1] : '';
      lines.push({
        timestamp,
        level: LEVELS[match[2].toLowerCase()] ?? 'info',
        message: match[3].trim().slice(0, LOG_ARCHIVE_LIMITS.messageMaxLength),
      });
    } else rest.push(line);
  }
  return { lines, rest: rest.join('\n') };
}

const toLine = (piece: string, timestamp: string) => {
  const level = /^\[?(trace|debug|info|notice|warn|warning|error|err|fatal|critical)\]?\b[:\s]*/i.exec(piece);
  const message = level ? piece.slice(level[0].length) || piece : piece;
  return {
    timestamp,
    level: level?.[1] ? (LEVELS[level[1].toLowerCase()] ?? 'info') : 'info',
    message: message.slice(0, LOG_ARCHIVE_LIMITS.messageMaxLength),
  };
};

/** The lines to archive: log lines found in the message, else what follows "archive...:", else null (describe the request). */
function explicitLines(text: string, found: Record<string, string>[], stamp: string): Record<string, string>[] | null {
  if (found.length > 0) return found.map((line) => ({ ...line, timestamp: line['timestamp'] || stamp }));
  const given = /:\s*(\S.*)$/s.exec(text)?.[1];
  if (!given) return null;
  const pieces = given
    .split(/[;\n]|,\s+/)
    .map((piece) => piece.trim())
    .filter(Boolean);
  return pieces.length > 0 ? pieces.map((piece) => toLine(piece, stamp)) : null;
}

/** A few lines on the request itself: what was asked and the other calls planned for it. */
function requestLines(message: string, calls: PlannedCall[], stamp: string): Record<string, string>[] {
  const asked = message.replace(/\s+/g, ' ').trim();
  return [
    { timestamp: stamp, level: 'info', message: `chat request: ${asked}`.slice(0, LOG_ARCHIVE_LIMITS.messageMaxLength) },
    ...calls
      .filter((call) => call.name !== 'archive_logs')
      .map((call) => ({ timestamp: stamp, level: 'info', message: `planned ${call.name} ${JSON.stringify(call.args)}`.slice(0, 500) })),
  ];
}

/**
 * The built-in planner's reading of a message: the tool calls it asks for,
 * in the order the message asks. Pure: the same message and clock give the
 * same calls (`now` only stamps log lines that carry no timestamp).
 */
export function planToolCalls(message: string, now: Date): PlannedCall[] {
  const stamp = now.toISOString();
  const hasArchive = INTENT_WORDS.archive.test(message);
  const { lines, rest } = hasArchive ? logLinesIn(message) : { lines: [], rest: message };
  const calls: PlannedCall[] = [];
  let archive: { call: PlannedCall; lines: Record<string, string>[] | null } | null = null;
  for (const part of splitIntoParts(rest)) {
    switch (part.intent) {
      case 'image':
        calls.push(imageCall(part.text, message));
        break;
      case 'price':
        calls.push(...priceCalls(part.text));
        break;
      case 'batch':
        calls.push(batchCall(part.text));
        break;
      case 'archive':
        if (!archive) {
          // its arguments are filled in once the other calls are known
          archive = { call: { name: 'archive_logs', args: {} }, lines: explicitLines(part.text, lines, stamp) };
          calls.push(archive.call);
        }
        break;
      case null:
        break;
    }
  }
  const unique = calls.filter((call, index) => calls.findIndex((other) => JSON.stringify(other) === JSON.stringify(call)) === index);
  if (archive) {
    archive.call.args['lines'] = (archive.lines ?? requestLines(message, unique, stamp)).slice(0, LOG_ARCHIVE_LIMITS.fullMaxLines);
    if (/\bsummar(y|ies|ise|ize|ised|ized)\b/i.test(message)) archive.call.args['variant'] = 'summary';
  }
  return unique;
}
