import { z } from 'zod';

/** What IMAGE_GEN renders: a raster PNG or a vector SVG of the same picture. */
export const ImageFormat = z.enum(['png', 'svg']);
export type ImageFormat = z.infer<typeof ImageFormat>;

/** Largest side the schema accepts at all; each variant has its own, smaller limit (checked before payment). */
export const IMAGE_MAX_SIDE = 2048;
export const IMAGE_MIN_SIDE = 16;
export const IMAGE_PROMPT_MAX_LENGTH = 1000;
export const IMAGE_SEED_MAX = 0xffff_ffff;

const Side = z
  .number()
  .int()
  .min(IMAGE_MIN_SIDE)
  .max(IMAGE_MAX_SIDE, `must be at most ${IMAGE_MAX_SIDE} (each variant has a smaller limit, see the provider's limits)`);

/**
 * IMAGE_GEN `input`. The same prompt, seed, size and format always give the
 * same bytes; without a seed, one is derived from the prompt.
 */
export const ImageGenInput = z.strictObject({
  prompt: z
    .string()
    .max(IMAGE_PROMPT_MAX_LENGTH)
    .refine((value) => value.trim().length > 0, 'must not be empty or blank')
    .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character'),
  width: Side.default(512),
  height: Side.default(512),
  format: ImageFormat.default('png'),
  seed: z.number().int().min(0).max(IMAGE_SEED_MAX).optional(),
});
export type ImageGenInput = z.infer<typeof ImageGenInput>;

/** IMAGE_GEN `result`: the image itself (base64) and what identifies it. */
export const ImageGenResult = z.object({
  format: ImageFormat,
  width: z.number().int(),
  height: z.number().int(),
  /** the seed used (the derived one when the request gave none) */
  seed: z.number().int(),
  /** sha256 of the bytes, lowercase hex; `GET /images/:contentHash` serves them again, free */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  mediaType: z.enum(['image/png', 'image/svg+xml']),
  byteLength: z.number().int(),
  /** the bytes, base64 */
  data: z.string(),
  /** where the image can be read back: `/images/<contentHash>` */
  url: z.string(),
});
export type ImageGenResult = z.infer<typeof ImageGenResult>;

/** `GET /limits` of IMAGE_GEN: the largest width and height each variant renders. */
export const ImageGenLimits = z.object({
  variants: z.array(z.object({ id: z.string(), maxWidth: z.number().int(), maxHeight: z.number().int() })),
  formats: z.array(ImageFormat),
});
export type ImageGenLimits = z.infer<typeof ImageGenLimits>;

/** `GET /images/:contentHash` of IMAGE_GEN (free). */
export const ImageParams = z.strictObject({
  contentHash: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a sha256 hex digest (64 hex characters)'),
});
export type ImageParams = z.infer<typeof ImageParams>;
