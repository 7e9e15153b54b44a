import { isError } from 'ethers';
import { failureText } from '@nexus/types';
import { MNEEPaymentRouter__factory, MNEEToken__factory, Permit2__factory, X402ExactPermit2Proxy__factory } from './generated';

const knownInterfaces = [
  MNEEPaymentRouter__factory.createInterface(),
  MNEEToken__factory.createInterface(),
  Permit2__factory.createInterface(),
  X402ExactPermit2Proxy__factory.createInterface(),
];

/** Node socket errors that mean the RPC node could not be reached or dropped the connection. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The node was not reached at all: whatever was being sent did not arrive. */
export function isConnectionRefused(error: unknown): boolean {
  return codeOf(error) === 'ECONNREFUSED';
}

/** Worth retrying with backoff: the node is unreachable, slow, overloaded, or our nonce went stale. */
export function isTransientRpcError(error: unknown): boolean {
  const code = codeOf(error);
  if (code && CONNECTION_CODES.has(code)) return true;
  if (isError(error, 'TIMEOUT') || isError(error, 'NETWORK_ERROR') || isError(error, 'SERVER_ERROR')) return true;
  if (isError(error, 'REPLACEMENT_UNDERPRICED')) return true;
  return isNonceTooLow(error);
}

export function isNonceTooLow(error: unknown): boolean {
  if (isError(error, 'NONCE_EXPIRED')) return true;
  const message =
    error instanceof Error ? error.message : typeof error === 'object' && error ? String((error as { message?: unknown }).message) : '';
  return /nonce too low|nonce has already been used/i.test(message);
}

/**
 * Our nonce is ahead of the node's: it forgot transactions we sent (a local
 * node restarted from its journal without its last blocks). A node that
 * automines refuses such a transaction, so nothing was sent.
 */
export function isNonceTooHigh(error: unknown): boolean {
  const message =
    error instanceof Error ? error.message : typeof error === 'object' && error ? String((error as { message?: unknown }).message) : '';
  return /nonce too high/i.test(message);
}

export interface RevertReason {
  /** custom error or `Error(string)` name, e.g. `PaymentRefAlreadyUsed`, `ERC20InsufficientBalance` */
  name: string;
  args: string[];
}

/** Decodes why a call reverted, using the router's and token's custom errors; undefined when it was not a revert. */
export function revertReasonOf(error: unknown): RevertReason | undefined {
  if (!isError(error, 'CALL_EXCEPTION')) return undefined;
  if (error.revert) return { name: error.revert.name, args: error.revert.args.map(String) };
  const data = error.data;
  if (data) {
    for (const contractInterface of knownInterfaces) {
      const parsed = contractInterface.parseError(data);
      if (parsed) return { name: parsed.name, args: parsed.args.map(String) };
    }
  }
  return { name: error.reason ?? 'UnknownRevert', args: [] };
}

export function isInsufficientFunds(error: unknown): boolean {
  return isError(error, 'INSUFFICIENT_FUNDS');
}

/**
 * A failed RPC call, told safely: its code (an ethers code or a socket code)
 * with ethers' short message. Never the full message, which for an HTTP error
 * quotes the RPC URL with its credentials and API key; a message without a
 * code is redacted (URLs keep only their host).
 */
export function rpcFailureText(error: unknown): string {
  return failureText(error, 'unknown error');
}
