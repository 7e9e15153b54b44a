import { request, type IncomingHttpHeaders } from 'node:http';

export interface RawRequest {
  method: string;
  /** sent exactly as given: no normalisation of `..`, no re-encoding */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP request over loopback with nothing in between: unlike supertest
 * (which parses the URL and resolves `..`), the path, headers and body go
 * out byte for byte as given.
 */
export function rawRequest(port: number, raw: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = raw.body === undefined ? raw.headers : { ...raw.headers, 'Content-Length': String(raw.body.length) };
    const outgoing = request({ host: '127.0.0.1', port, method: raw.method, path: raw.path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      // An event stream never ends by itself: its first piece is the answer, then it is closed.
      const isStream = /^text\/event-stream\b/.test(response.headers['content-type'] ?? '');
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (!isStream) return;
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
        outgoing.destroy();
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(raw.body);
  });
}
