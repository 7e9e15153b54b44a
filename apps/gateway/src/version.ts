/** The gateway's API version, shown by `GET /` and in `/openapi.json`. */
export const GATEWAY_VERSION = '0.5.0';
