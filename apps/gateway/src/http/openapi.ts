import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { ErrorBody } from '@nexus/types';
import { openApiPath } from './mount-routes';
import type { AnyRoute } from './route-spec';

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });

/** The error answers every route of this kind can give, beyond its own. */
function commonErrors(route: AnyRoute): Record<number, string> {
  const errors: Record<number, string> = {};
  if (route.params || route.query || route.body || route.headers) errors[400] = 'invalid input (VALIDATION_ERROR, MALFORMED_JSON)';
  if (route.access !== 'public') {
    errors[401] = 'missing or unknown key';
    errors[403] = route.access === 'admin' ? 'not the admin key' : 'an agent key naming another agent';
    errors[429] = 'too many requests for this key';
  }
  if (route.body) errors[413] = 'body too large';
  return errors;
}

function operation(route: AnyRoute): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = response.schema
      ? { description: response.description, content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
      : { description: response.description };
  }
  for (const [status, description] of Object.entries({ ...commonErrors(route), ...route.errors })) {
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = errorResponse(description);
  }
  return {
    operationId: `${route.method}${openApiPath(route.path)
      .replace(/[{}]/g, '')
      .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(route.access === 'public' ? { security: [] } : {}),
    requestParams: {
      ...(route.params ? { path: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.headers ? { header: route.headers } : {}),
    } as ZodOpenApiOperationObject['requestParams'],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    responses,
  };
}

const text = (description: string, type: string) => ({ description, content: { [type]: { schema: { type: 'string' as const } } } });

/** Routes every service gets from the service kit, and the docs page: not JSON, so not in the route table. */
const KIT_PATHS: ZodOpenApiPathsObject = {
  '/health': {
    get: {
      operationId: 'getHealth',
      summary: 'Readiness: 200 when the gateway store, the policy and the payment service answer, else 503',
      tags: ['health'],
      security: [],
      responses: { '200': { description: 'ready' }, '503': { description: 'a dependency is failing' } },
    },
  },
  '/metrics': {
    get: {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics (process, HTTP, paid calls, outbox)',
      tags: ['health'],
      security: [],
      responses: { '200': text('the metrics in the Prometheus text format', 'text/plain') },
    },
  },
  '/docs': {
    get: {
      operationId: 'getDocs',
      summary: 'This API, as a Swagger UI page',
      tags: ['docs'],
      security: [],
      responses: { '200': text('the page', 'text/html') },
    },
  },
};

/** The OpenAPI 3.1 document of the route table, generated from its zod schemas. */
export function openApiDocument(routes: readonly AnyRoute[], version: string): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  Object.assign(paths, KIT_PATHS);
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'MNEE Nexus gateway',
        version,
        description:
          'Agent treasury and pay-per-call gateway: every paid call is judged by the policy, paid in MNEE and recorded. ' +
          'Money is a decimal string of MNEE ("0.05"). Send `Authorization: Bearer <key>`: the admin key, or an agent key (it acts as its own agent only).',
      },
      components: {
        securitySchemes: { bearerKey: { type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY or one of AGENT_API_KEYS' } },
      },
      security: [{ bearerKey: [] }],
      paths,
    },
    { allowEmptySchema: { custom: true } },
  );
}
