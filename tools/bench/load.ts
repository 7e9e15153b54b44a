import autocannon from 'autocannon';
import { summarizeLatencies, type LatencySummary } from './latency';

/** One load run: autocannon against one route for a fixed time. */
export interface LoadSpec {
  /** e.g. http://127.0.0.1:8000 */
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  connections: number;
  seconds: number;
  /** the same on every request */
  headers?: Record<string, string>;
  /** a body per request (n counts requests of every run of this process, from 1: unique keys) */
  body?: (n: number) => string;
  /** headers that differ per request, e.g. an Idempotency-Key */
  headersOf?: (n: number) => Record<string, string>;
  /** the status a good answer has; any other counts as unexpected */
  expectStatus: number;
}

export interface LoadResult extends LatencySummary {
  connections: number;
  seconds: number;
  /** answers received */
  requests: number;
  requestsPerSecond: number;
  /** answers with another status than the expected one */
  unexpected: number;
  /** socket errors and timeouts */
  errors: number;
  /** how many answers of each unexpected status, e.g. { "429": 12 } */
  statuses: Record<string, number>;
}

/** Requests set up by every run so far: a run never reuses an earlier run's idempotency keys. */
let sent = 0;

/**
 * Runs autocannon for `spec.seconds` and summarizes it. Latencies are
 * collected from every answer (autocannon's own histogram keeps whole
 * milliseconds, too coarse for a 3 ms budget), all answers included.
 */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.seconds,
        headers: spec.headers ?? {},
        requests: [
          {
            method: spec.method,
            path: spec.path,
            setupRequest: (request) => {
              sent += 1;
              return {
                ...request,
                ...(spec.body ? { body: spec.body(sent) } : {}),
                ...(spec.headersOf ? { headers: { ...request.headers, ...spec.headersOf(sent) } } : {}),
              };
            },
          },
        ],
      },
      (error: unknown, result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        resolve({
          connections: spec.connections,
          seconds: result.duration,
          requests: latencies.length,
          requestsPerSecond: latencies.length / result.duration,
          ...summarizeLatencies(latencies),
          unexpected,
          errors: result.errors + result.timeouts,
          statuses,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (statusCode !== spec.expectStatus) {
        unexpected += 1;
        statuses[String(statusCode)] = (statuses[String(statusCode)] ?? 0) + 1;
      }
    });
  });
}
