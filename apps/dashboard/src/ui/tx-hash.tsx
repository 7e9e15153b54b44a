import { shortHex } from './format';

/** A transaction hash: a link to the explorer when EXPLORER_TX_URL is set (`{hash}` marks the hash), the hash itself where the chain is local. */
export function TxHash({ hash, explorerTxUrl }: { hash: string | null; explorerTxUrl: string | null | undefined }) {
  if (hash === null) return <span className="muted">—</span>;
  if (!explorerTxUrl) return <code title={hash}>{shortHex(hash)}</code>;
  return (
    <a href={explorerTxUrl.replace('{hash}', hash)} target="_blank" rel="noreferrer noopener" title={hash}>
      <code>{shortHex(hash)}</code>
    </a>
  );
}
