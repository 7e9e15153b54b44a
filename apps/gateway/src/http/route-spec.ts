import type { Response } from 'express';
import { z } from 'zod';
import type { Caller } from '../access/caller';

/** Who may call a route: anyone, any key (admin or agent), or the admin key only. */
export type Access = 'public' | 'key' | 'admin';

export type Method = 'get' | 'post' | 'put';

export const NoInput = z.strictObject({});
type NoInput = typeof NoInput;

export interface RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, H extends z.ZodType> {
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
  headers: z.infer<H>;
  /** undefined on public routes only */
  caller: Caller | undefined;
  requestId: string | undefined;
}

export interface RouteResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  /** answers by streaming instead (Server-Sent Events): it owns the response until it ends */
  pipe?: (res: Response) => Promise<void>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** `application/json` unless said (e.g. `text/event-stream`) */
  contentType?: string;
}

/**
 * One public route: its contract (the zod schemas, which validate the request
 * and write the OpenAPI document) and its handler. The route table is the one
 * list of the API: mounting, `/openapi.json` and the tests all read it.
 */
export interface RouteSpec<
  P extends z.ZodType = NoInput,
  Q extends z.ZodType = NoInput,
  B extends z.ZodType = z.ZodUnknown,
  H extends z.ZodType = z.ZodObject,
> {
  method: Method;
  /** Express style: `/agents/:id` */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  /** the JSON body; no body is read when absent */
  body?: B;
  headers?: H;
  /** the success answers; the error answers are added from the access and inputs */
  responses: Record<number, ResponseSpec>;
  /** error answers this route gives beyond the usual ones (e.g. 404, 409) */
  errors?: Record<number, string>;
  handle: (input: RouteInput<P, Q, B, H>) => Promise<RouteResult>;
}

/** A route with its types erased, for the table. */
export interface AnyRoute {
  method: Method;
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  headers?: z.ZodType;
  responses: Record<number, ResponseSpec>;
  errors?: Record<number, string>;
  handle: (input: RouteInput<z.ZodType, z.ZodType, z.ZodType, z.ZodType>) => Promise<RouteResult>;
}

/** Infers the handler's input types from the schemas given. */
export function defineRoute<
  P extends z.ZodType = NoInput,
  Q extends z.ZodType = NoInput,
  B extends z.ZodType = z.ZodUnknown,
  H extends z.ZodType = z.ZodObject,
>(spec: RouteSpec<P, Q, B, H>): AnyRoute {
  return spec as unknown as AnyRoute;
}

/** The caller of a route that needs a key (the router has checked it). */
export function keyHolder(caller: Caller | undefined): Caller {
  if (!caller) throw new Error('a keyed route ran without a caller');
  return caller;
}
