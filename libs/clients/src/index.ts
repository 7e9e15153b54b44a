export * from './http-client';
export * from './payment-client';
export * from './service-call-error';
