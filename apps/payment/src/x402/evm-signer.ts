import type { TxSender } from '@nexus/chain';
import {
  Interface,
  getAddress,
  verifyTypedData,
  type InterfaceAbi,
  type JsonRpcProvider,
  type ParamType,
  type TypedDataField,
} from 'ethers';
import type { FacilitatorEvmSigner } from '@x402/evm';

type Hex = `0x${string}`;
/** a receipt's log, as the library (viem) shapes it */
type Log = NonNullable<Awaited<ReturnType<FacilitatorEvmSigner['waitForTransactionReceipt']>>['logs']>[number];

export interface EvmSignerOptions {
  provider: JsonRpcProvider;
  /** the treasury's one sender (its nonce manager and lock): every settle transaction goes through it */
  sender: Pick<TxSender, 'address' | 'send'>;
  /** how long a settle waits for its receipt (PAYMENT_RECEIPT_TIMEOUT_MS) */
  receiptTimeoutMs: number;
}

/**
 * ethers decodes into Results (array-like, with names); viem, which the x402
 * library is written against, gives a struct as an object and a list as an
 * array. Converts one decoded value by its ABI type.
 */
function viemShaped(value: unknown, type: ParamType): unknown {
  if (type.isArray()) return (value as unknown[]).map((item) => viemShaped(item, type.arrayChildren));
  if (type.isTuple()) {
    const items = value as unknown[];
    return Object.fromEntries(type.components.map((component, index) => [component.name, viemShaped(items[index], component)]));
  }
  return value;
}

const asHex = (value: string): Hex => value as Hex;

/**
 * The x402 library's FacilitatorEvmSigner (viem-shaped) over the payment
 * service's ethers chain access. Reads go to the provider; writes go through
 * the treasury's TxSender, the same one the settler uses, so the treasury
 * has one nonce manager whatever signs through it.
 */
export function toFacilitatorEvmSigner({ provider, sender, receiptTimeoutMs }: EvmSignerOptions): FacilitatorEvmSigner {
  const encode = (abi: readonly unknown[], functionName: string, args: readonly unknown[] = []) => {
    const iface = new Interface(abi as InterfaceAbi);
    const fragment = iface.getFunction(functionName, [...args]);
    if (!fragment) throw new Error(`the ABI has no function ${functionName}`);
    return { iface, fragment, data: iface.encodeFunctionData(fragment, [...args]) };
  };
  const signer: FacilitatorEvmSigner = {
    getAddresses: () => [asHex(getAddress(sender.address))],

    async readContract({ address, abi, functionName, args }) {
      const { iface, fragment, data } = encode(abi, functionName, args);
      const result = iface.decodeFunctionResult(fragment, await provider.call({ to: address, data }));
      const outputs = fragment.outputs;
      const shaped = outputs.map((output, index) => viemShaped(result[index], output));
      // viem answers a single output as the value itself, several as a list
      return outputs.length === 1 ? shaped[0] : outputs.length === 0 ? undefined : shaped;
    },

    async verifyTypedData({ address, domain, types, message, signature }) {
      // ethers derives the domain's type itself and refuses it among the types
      const fields = Object.fromEntries(
        Object.entries(types as Record<string, TypedDataField[]>).filter(([name]) => name !== 'EIP712Domain'),
      );
      try {
        return getAddress(verifyTypedData(domain, fields, message, signature)) === getAddress(address);
      } catch {
        return false;
      }
    },

    async writeContract({ address, abi, functionName, args, gas, dataSuffix }) {
      const { data } = encode(abi, functionName, args);
      const calldata = dataSuffix ? `${data}${dataSuffix.slice(2)}` : data;
      return asHex(await sender.send({ to: address, data: calldata, ...(gas === undefined ? {} : { gasLimit: gas }) }));
    },

    async sendTransaction({ to, data }) {
      return asHex(await sender.send({ to, data }));
    },

    async waitForTransactionReceipt({ hash, timeout }) {
      const receipt = await provider.waitForTransaction(hash, 1, timeout ?? receiptTimeoutMs);
      if (!receipt) throw new Error(`no receipt for ${hash} within ${timeout ?? receiptTimeoutMs} ms`);
      return {
        status: receipt.status === 1 ? 'success' : 'reverted',
        logs: receipt.logs.map((log): Log => ({
          address: asHex(log.address),
          topics: log.topics.map(asHex) as [Hex, ...Hex[]],
          data: asHex(log.data),
          blockNumber: BigInt(log.blockNumber),
          transactionHash: asHex(log.transactionHash),
          logIndex: log.index,
          blockHash: asHex(log.blockHash),
          transactionIndex: log.transactionIndex,
          removed: log.removed,
        })),
      };
    },

    async getCode({ address }) {
      const code = await provider.getCode(address);
      return code === '0x' ? undefined : asHex(code);
    },
  };
  return signer;
}
