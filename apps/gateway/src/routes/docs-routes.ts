import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../http/route-spec';

/** `GET /openapi.json`: the document is built once, from the whole route table, when the app is. */
export function docsRoutes(document: () => unknown): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      tag: 'docs',
      access: 'public',
      summary: 'This API as an OpenAPI 3.1 document, generated from the zod schemas that validate it',
      responses: { 200: { description: 'the document', schema: z.record(z.string(), z.unknown()) } },
      handle: async () => ({ body: document() }),
    }),
  ];
}
