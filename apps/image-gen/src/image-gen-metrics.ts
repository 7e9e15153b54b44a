import { Counter, Histogram, type Registry } from 'prom-client';

/** What IMAGE_GEN counts for Prometheus, beside the kit's process, HTTP and paywall metrics. */
export interface ImageGenMetrics {
  rendered: (format: string, variant: string, seconds: number, bytes: number) => void;
  served: (found: boolean) => void;
}

export function createImageGenMetrics(registry: Registry): ImageGenMetrics {
  const renders = new Counter({
    name: 'image_gen_renders_total',
    help: 'Images rendered for paid calls, by format and variant',
    labelNames: ['format', 'variant'] as const,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'image_gen_render_seconds',
    help: 'Time spent rendering and encoding one image (the event loop is busy for it)',
    labelNames: ['format'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5],
    registers: [registry],
  });
  const size = new Histogram({
    name: 'image_gen_image_bytes',
    help: 'Size of rendered images in bytes',
    labelNames: ['format'] as const,
    buckets: [1_000, 5_000, 20_000, 50_000, 100_000, 250_000, 1_000_000],
    registers: [registry],
  });
  const reads = new Counter({
    name: 'image_gen_image_reads_total',
    help: 'GET /images/:contentHash, by whether the image was found',
    labelNames: ['found'] as const,
    registers: [registry],
  });
  return {
    rendered: (format, variant, elapsed, bytes) => {
      renders.inc({ format, variant });
      seconds.observe({ format }, elapsed);
      size.observe({ format }, bytes);
    },
    served: (found) => reads.inc({ found: String(found) }),
  };
}
