// Test support for @nexus/clients — import from '@nexus/clients/testing', never from production code.
export { TestGrantIssuer } from '../grants/testing/test-grant-issuer';
export { TestReceiptKeys } from '../receipts/testing/test-receipt-keys';
