import { z } from 'zod';
import { ConfigError, type ConfigProblem, type ServiceConfig } from '@nexus/config';
import { IMAGE_MAX_SIDE, IMAGE_MIN_SIDE } from '@nexus/types';

/** The largest width and height each variant renders. */
export type ImageLimits = ReadonlyMap<string, { maxWidth: number; maxHeight: number }>;

/**
 * Defaults per variant of config/services.yaml: a full render up to 1024 px a
 * side (about 20 ms of rendering and encoding on one core), a draft up to 256.
 */
const DEFAULT_MAX_SIDE: Record<string, number> = { standard: 1024, draft: 256 };

/** `draft` → `IMAGE_GEN_MAX_SIDE_DRAFT`. */
export const maxSideEnvName = (variant: string) => `IMAGE_GEN_MAX_SIDE_${variant.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

const MaxSide = z.coerce
  .number()
  .int('must be a whole number of pixels')
  .min(IMAGE_MIN_SIDE, `must be at least ${IMAGE_MIN_SIDE}`)
  .max(IMAGE_MAX_SIDE, `must be at most ${IMAGE_MAX_SIDE}`);

/** Each variant's limit, from its env override or its default; every variant needs one, or start-up fails naming them all. */
export function loadImageLimits(service: ServiceConfig, env: NodeJS.ProcessEnv): ImageLimits {
  const limits = new Map<string, { maxWidth: number; maxHeight: number }>();
  const problems: ConfigProblem[] = [];
  for (const { id } of service.variants) {
    const name = maxSideEnvName(id);
    const raw = env[name] === '' ? undefined : env[name];
    const fallback = DEFAULT_MAX_SIDE[id];
    if (raw === undefined && fallback === undefined) {
      problems.push({
        source: `environment variable ${name}`,
        path: '',
        message: `is required: variant "${id}" has no default size limit`,
      });
      continue;
    }
    const parsed = MaxSide.safeParse(raw ?? fallback);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => ({ source: `environment variable ${name}`, path: '', message: issue.message })));
      continue;
    }
    limits.set(id, { maxWidth: parsed.data, maxHeight: parsed.data });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return limits;
}
