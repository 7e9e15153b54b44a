import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup } from 'node:dns';
import { promisify } from 'node:util';
import { NexusError } from '@nexus/types';

/**
 * The SSRF guard of webhooks (docs/security.md): a webhook may only reach
 * public addresses, never the stack's own services, the host, the cloud
 * metadata endpoint or the private network. Checked when a webhook is made
 * and again on every connection (the lookup below), so a name that later
 * resolves to a private address (DNS rebinding) gets nothing.
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64 of IPv4 addresses
  ['2001::', 32], // Teredo: carries an IPv4 address
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: carries an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(network, prefix, 'ipv6');

/** Is this IP address one a webhook may not reach? (IPv4-mapped IPv6 addresses are checked as IPv4 by BlockList.) */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class TargetRefused extends NexusError {
  override readonly name = 'TargetRefused';
}

const lookupAll = promisify(lookup);

/** The host of a URL as an address or name (`[::1]` → `::1`). */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: tests and a local `npm start` deliver to 127.0.0.1 */
  allowPrivate: boolean;
}

/**
 * Refuses a URL that is not http(s), or whose host is (or resolves to, on any
 * of its addresses) a private, loopback, link-local, multicast or
 * unspecified address. Throws TargetRefused saying why.
 */
export async function checkTarget(raw: string, policy: TargetPolicy): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error: unknown) {
    throw new TargetRefused('is not a URL', { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefused('must be an http or https URL');
  if (url.username || url.password) throw new TargetRefused('must not carry credentials');
  if (policy.allowPrivate) return;
  const host = hostOf(url);
  if (isIP(host) !== 0) {
    if (isPrivateAddress(host)) throw new TargetRefused(`${host} is a private, loopback or reserved address`);
    return;
  }
  let addresses: { address: string }[];
  try {
    addresses = await lookupAll(host, { all: true, verbatim: true });
  } catch (error: unknown) {
    throw new TargetRefused(`${host} does not resolve`, { cause: error });
  }
  const refused = addresses.find((entry) => isPrivateAddress(entry.address));
  if (refused) throw new TargetRefused(`${host} resolves to ${refused.address}, a private, loopback or reserved address`);
}

/**
 * A `lookup` for the connections webhooks make (undici's connect options):
 * resolves as usual, then refuses the connection when an address is private.
 * An IP literal never reaches a lookup, so the sender checks the URL too.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = policy.allowPrivate ? undefined : addresses.find((entry) => isPrivateAddress(entry.address));
      if (refused) return callback(new TargetRefused(`${hostname} resolves to ${refused.address}, a private address`), '', 0);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new TargetRefused(`${hostname} does not resolve`), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
