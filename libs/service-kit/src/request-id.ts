import type { RequestHandler } from 'express';
import { newId } from './ids';
import { requestContext } from './request-context';

const INCOMING_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Takes a well-formed `X-Request-Id` from the caller or makes one; echoes it and scopes the request under it. */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && INCOMING_ID.test(incoming) ? incoming : newId('req');
    res.locals['requestId'] = id;
    res.setHeader('X-Request-Id', id);
    requestContext.run({ requestId: id }, next);
  };
}
