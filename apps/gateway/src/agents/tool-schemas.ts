import { z } from 'zod';
import {
  BatchComputeInput,
  BatchJobKind,
  HashChainJob,
  ImageGenInput,
  LOG_ARCHIVE_LIMITS,
  LogArchiveInput,
  LogArchiveVariant,
  LogLevel,
  LogLine,
  MatrixPowerJob,
  PriceQuery,
  PrimesJob,
  ResourceId,
  SortJob,
  type BuiltInToolName,
  type ToolName,
} from '@nexus/types';

/**
 * The arguments each tool offers the model, built from the provider input
 * schemas in @nexus/types. They differ from those only where the JSON schema
 * the model sees would suffer: defaults become optional fields (zod marks a
 * defaulted field required in JSON schema), the batch job's union is one flat
 * object (a top-level `oneOf` is refused by some providers), and a log line's
 * level is the plain enum. Each tool then validates its input with the
 * provider's own schema, which fills the defaults in.
 */

const variant = (description: string) => ResourceId.optional().describe(description);

export const GenerateImageArgs = z.strictObject({
  prompt: ImageGenInput.shape.prompt.describe('what to draw'),
  width: ImageGenInput.shape.width.unwrap().optional().describe('pixels, 512 when absent'),
  height: ImageGenInput.shape.height.unwrap().optional().describe('pixels, 512 when absent'),
  format: ImageGenInput.shape.format.unwrap().optional().describe('png (default) or svg'),
  seed: ImageGenInput.shape.seed.describe('the same seed and prompt give the same image'),
  variant: z.enum(['standard', 'draft']).optional().describe('standard (full size, default) or draft (small preview, cheaper)'),
});

export const GetPriceArgs = z.strictObject({
  base: PriceQuery.shape.base.describe('the ticker to price, e.g. ETH'),
  quote: PriceQuery.shape.quote.describe('the currency to price it in, USD when absent'),
  at: PriceQuery.shape.at.describe('an earlier instant (ISO 8601); now when absent'),
  variant: variant('leave out: the service has one variant, query'),
});

export const SubmitBatchJobArgs = z.strictObject({
  kind: BatchJobKind.describe(
    'hash-chain (seed, iterations), primes (below, list), matrix-power (matrix, power, modulus) or sort (values, order); give only the fields of the kind',
  ),
  seed: HashChainJob.shape.seed.optional().describe('hash-chain: the text hashed first'),
  iterations: HashChainJob.shape.iterations.optional().describe('hash-chain: sha256 rounds'),
  below: PrimesJob.shape.below.optional().describe('primes: count the primes below this'),
  list: PrimesJob.shape.list.unwrap().optional().describe('primes: list them too (below 100000 at most)'),
  matrix: MatrixPowerJob.shape.matrix.optional().describe('matrix-power: a square integer matrix'),
  power: MatrixPowerJob.shape.power.optional().describe('matrix-power: the exponent'),
  modulus: MatrixPowerJob.shape.modulus.optional().describe('matrix-power: entries are reduced modulo this'),
  values: SortJob.shape.values.optional().describe('sort: the integers'),
  order: SortJob.shape.order.unwrap().optional().describe('sort: asc (default) or desc'),
  variant: variant('leave out: the service has one variant, standard'),
});

export const ArchiveLogsArgs = z.strictObject({
  lines: z
    .array(z.strictObject({ timestamp: LogLine.shape.timestamp, level: LogLevel, message: LogLine.shape.message }))
    .min(1)
    .max(LOG_ARCHIVE_LIMITS.maxLines)
    .describe('the log lines, each with an ISO 8601 timestamp, a level and a message'),
  variant: LogArchiveVariant.optional().describe('full (every line kept, default) or summary (counts and top messages only, cheaper)'),
});

/** What a tool's arguments become: the variant asked for and the provider's input, checked with its own schema. */
export interface ToolRequest {
  variant: string | undefined;
  input: z.ZodSafeParseResult<Record<string, unknown>>;
}

const definedFields = (args: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));

const split = <T extends { variant?: string | undefined }>(args: T, schema: z.ZodType<Record<string, unknown>>): ToolRequest => {
  const { variant: asked, ...rest } = args;
  return { variant: asked, input: schema.safeParse(definedFields(rest)) };
};

/** One paid tool: its service, what the model is told, its arguments and how they become a paid call. */
export interface PaidToolSpec<Args extends z.ZodObject> {
  name: ToolName;
  serviceId: string;
  description: string;
  schema: Args;
  toRequest: (args: z.output<Args>) => ToolRequest;
}

const spec = <Args extends z.ZodObject>(value: PaidToolSpec<Args>) => value;

export const GENERATE_IMAGE = spec({
  name: 'generate_image',
  serviceId: 'IMAGE_GEN',
  description:
    'Render an image (PNG or SVG) from a text prompt. Paid in MNEE: standard costs more than draft; the policy may downgrade to draft or reject.',
  schema: GenerateImageArgs,
  toRequest: (args) => split(args, ImageGenInput),
});

export const GET_PRICE = spec({
  name: 'get_price',
  serviceId: 'PRICE_ORACLE',
  description: 'Get the price of one ticker symbol (e.g. ETH, BTC, MNEE) in a quote currency (USD by default). Paid in MNEE per query.',
  schema: GetPriceArgs,
  toRequest: (args) => split(args, PriceQuery),
});

export const SUBMIT_BATCH_JOB = spec({
  name: 'submit_batch_job',
  serviceId: 'BATCH_COMPUTE',
  description:
    'Queue one bounded compute job (hash-chain, primes, matrix-power or sort); answers with a job id whose result can be read later. Paid in MNEE; the policy may reject it to protect higher-priority agents.',
  schema: SubmitBatchJobArgs,
  toRequest: (args) => split(args, BatchComputeInput),
});

export const ARCHIVE_LOGS = spec({
  name: 'archive_logs',
  serviceId: 'LOG_ARCHIVE',
  description:
    'Archive log lines in full or as a summary, with a content hash and an archive id. Paid in MNEE: full costs more than summary; the policy may downgrade to summary.',
  schema: ArchiveLogsArgs,
  toRequest: (args) => split(args, LogArchiveInput),
});

/** The service each tool pays for. */
export const TOOL_SERVICE: Record<BuiltInToolName, string> = {
  generate_image: GENERATE_IMAGE.serviceId,
  get_price: GET_PRICE.serviceId,
  submit_batch_job: SUBMIT_BATCH_JOB.serviceId,
  archive_logs: ARCHIVE_LOGS.serviceId,
};
