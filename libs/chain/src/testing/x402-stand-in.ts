import type { AddressInfo } from 'node:net';
import express from 'express';
import { createWalletClient, defineChain, http, publicActions } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { x402Facilitator } from '@x402/core/facilitator';
import { x402ResourceServer, type FacilitatorClient } from '@x402/core/server';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from '@x402/evm/exact/facilitator';
import { ExactEvmScheme as ExactEvmServerScheme } from '@x402/evm/exact/server';
import { paymentMiddleware } from '@x402/express';

/** What the stand-in charges, and where: the local chain's MNEE token, `exact`, to `payTo`. */
export interface X402StandInOptions {
  rpcUrl: string;
  chainId: number;
  token: { address: string; name: string; version: string };
  payTo: string;
  /** token units per call; a function of the query lets a test change the price between calls */
  amount: string | (() => string);
  /** the key of the stand-in's own facilitator: it submits the authorizations and pays the gas */
  facilitatorKey: `0x${string}`;
  /** answer 500 instead of serving (a service that takes no payment when its handler fails) */
  failing?: () => boolean;
  port?: number;
}

export interface X402StandIn {
  url: string;
  /** the paid route's URL */
  weatherUrl: string;
  /** requests that reached the handler (paid and verified) */
  served: () => number;
  close: () => Promise<void>;
}

/**
 * A third party's x402 v2 API on loopback, as anyone would build one: the
 * official `@x402/express` middleware over an x402 resource server with its
 * own facilitator (the official `exact` EVM scheme and a viem wallet), not the
 * payment service's. `GET /weather?city=…` costs `amount` in MNEE.
 */
export async function startX402StandIn(options: X402StandInOptions): Promise<X402StandIn> {
  const network = `eip155:${options.chainId}` as const;
  const chain = defineChain({
    id: options.chainId,
    name: 'local',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  const account = privateKeyToAccount(options.facilitatorKey);
  const wallet = createWalletClient({ account, chain, transport: http(options.rpcUrl) }).extend(publicActions);
  // viem's client is what the library's signer is written against; its typings are stricter than the calls it makes
  const signer = toFacilitatorEvmSigner({ ...wallet, address: account.address } as unknown as Parameters<typeof toFacilitatorEvmSigner>[0]);
  const facilitator = new x402Facilitator().register(network, new ExactEvmFacilitatorScheme(signer));
  const server = new x402ResourceServer(facilitator as unknown as FacilitatorClient).register(network, new ExactEvmServerScheme());

  const amount = typeof options.amount === 'string' ? () => options.amount as string : options.amount;
  let served = 0;
  const app = express();
  app.use(
    paymentMiddleware(
      {
        'GET /weather': {
          accepts: {
            scheme: 'exact',
            network,
            payTo: options.payTo,
            price: () => ({
              asset: options.token.address,
              amount: amount(),
              extra: { name: options.token.name, version: options.token.version },
            }),
            maxTimeoutSeconds: 60,
          },
          description: 'the weather in a city',
          mimeType: 'application/json',
        },
      },
      server,
    ),
  );
  app.get('/weather', (req, res) => {
    if (options.failing?.()) {
      res.status(500).json({ error: 'the weather station is down' });
      return;
    }
    served += 1;
    res.json({ city: String(req.query['city'] ?? ''), forecast: 'sunny', celsius: 21 });
  });
  const listener = app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => listener.once('listening', resolve).once('error', reject));
  const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  return {
    url,
    weatherUrl: `${url}/weather`,
    served: () => served,
    close: () => new Promise<void>((resolve) => listener.close(() => resolve())),
  };
}
