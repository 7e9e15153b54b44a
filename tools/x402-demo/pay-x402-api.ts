import { randomUUID } from 'node:crypto';
import { parseUnits } from 'ethers';
import { connectRpc, LOCAL_CHAIN_ID, localAccount, MNEEToken__factory, readDeployment, readTokenDomain } from '@nexus/chain';
import type { X402ServiceConfig } from '@nexus/config';
import { startX402StandIn } from '@nexus/chain/testing';
import { X402DemoSetupError } from './settings';

/** What the stand-in API asks per call, and the price a second call asks (above EXT_WEATHER's maxPrice of 0.10). */
export const API_PRICE = '0.02';
export const ABOVE_MAX_PRICE = '0.11';
/** The Hardhat account whose key the stand-in's own facilitator submits the authorizations with (it pays the gas). */
const STAND_IN_FACILITATOR = 6;

export interface X402ApiSettings {
  /** the x402 service of services.yaml the stand-in serves (EXT_WEATHER) */
  service: X402ServiceConfig;
  gatewayUrl: string;
  /** user-agent's key (AGENT_API_KEYS) */
  agentKey: string;
  rpcUrl: string;
  deploymentFile: string;
}

/** One gateway answer to `POST /tools/EXT_WEATHER/invoke`, as the demo reads it. */
export interface GatewayCall {
  status: number;
  action: string | null;
  reason: string | null;
  amount: string | null;
  payment: { status: string; txHash: string | null } | null;
  result: unknown;
}

/** What the second part of the demo saw, amounts in token units. */
export interface X402ApiObserved {
  serviceId: string;
  url: string;
  payTo: string;
  treasury: string;
  /** the price the stand-in asked, in token units */
  price: bigint;
  paid: GatewayCall;
  balances: { treasury: { before: bigint; after: bigint }; payTo: { before: bigint; after: bigint } };
  aboveMax: GatewayCall & { moved: boolean };
}

/**
 * Our agent pays an external x402 API under its policy (docs/x402.md,
 * "Paying x402 APIs"): serves the stand-in third-party API (official
 * `@x402/express`, its own facilitator) where services.yaml says EXT_WEATHER
 * is, has user-agent call it through the gateway, reads the balances from the
 * node; then asks a price above maxPrice and sees it refused before paying.
 */
export async function payX402Api(settings: X402ApiSettings): Promise<X402ApiObserved> {
  const deployment = readDeployment(settings.deploymentFile);
  if (!deployment) throw new X402DemoSetupError(`no local deployment at ${settings.deploymentFile}: start the stack with npm start`);
  const url = new URL(settings.service.url);
  if (url.hostname !== '127.0.0.1' || url.pathname !== '/weather')
    throw new X402DemoSetupError(
      `${settings.service.id} is at ${settings.service.url}: the demo serves it at http://127.0.0.1:<port>/weather only`,
    );
  const provider = connectRpc(settings.rpcUrl, LOCAL_CHAIN_ID);
  try {
    const token = MNEEToken__factory.connect(deployment.token.address, provider);
    const domain = await readTokenDomain(provider, deployment.token.address);
    let asked = parseUnits(API_PRICE, deployment.token.decimals);
    const standIn = await startX402StandIn({
      rpcUrl: settings.rpcUrl,
      chainId: deployment.chainId,
      token: { address: deployment.token.address, name: domain.name, version: domain.version },
      payTo: settings.service.payTo,
      amount: () => asked.toString(),
      facilitatorKey: localAccount(STAND_IN_FACILITATOR).privateKey as `0x${string}`,
      port: Number(url.port || 80),
    }).catch((error: unknown) => {
      throw new X402DemoSetupError(
        `cannot serve ${settings.service.id} at ${settings.service.url}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    try {
      const balances = async () => ({
        treasury: await token.balanceOf(deployment.treasury),
        payTo: await token.balanceOf(settings.service.payTo),
      });
      const before = await balances();
      const paid = await invoke(settings, { city: 'Paris' });
      const after = await balances();
      asked = parseUnits(ABOVE_MAX_PRICE, deployment.token.decimals);
      const aboveMax = await invoke(settings, { city: 'Lyon' });
      const afterRefusal = await balances();
      return {
        serviceId: settings.service.id,
        url: settings.service.url,
        payTo: settings.service.payTo,
        treasury: deployment.treasury,
        price: parseUnits(API_PRICE, deployment.token.decimals),
        paid,
        balances: { treasury: { before: before.treasury, after: after.treasury }, payTo: { before: before.payTo, after: after.payTo } },
        aboveMax: { ...aboveMax, moved: afterRefusal.treasury !== after.treasury || afterRefusal.payTo !== after.payTo },
      };
    } finally {
      await standIn.close();
    }
  } finally {
    provider.destroy();
  }
}

async function invoke(settings: X402ApiSettings, input: Record<string, unknown>): Promise<GatewayCall> {
  let response: Response;
  try {
    response = await fetch(`${settings.gatewayUrl}/tools/${settings.service.id}/invoke`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${settings.agentKey}`,
        'idempotency-key': `x402-demo-${randomUUID()}`,
      },
      body: JSON.stringify({ input }),
    });
  } catch {
    throw new X402DemoSetupError(`nothing answers at ${settings.gatewayUrl}: start the stack with npm start`);
  }
  const body = (await response.json().catch(() => ({}))) as {
    decision?: { action?: string; reason?: string; amount?: string | null };
    payment?: { status?: string; txHash?: string | null } | null;
    result?: unknown;
  };
  return {
    status: response.status,
    action: body.decision?.action ?? null,
    reason: body.decision?.reason ?? null,
    amount: body.decision?.amount ?? null,
    payment: body.payment?.status ? { status: body.payment.status, txHash: body.payment.txHash ?? null } : null,
    result: body.result ?? null,
  };
}
