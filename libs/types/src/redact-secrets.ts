/**
 * Any URL: its scheme, the user info (credentials) if any, the host and port,
 * then the path, query and fragment (where RPC providers put their API keys).
 */
const URL_PATTERN = /\b([a-z][a-z0-9+.-]*):\/\/(?:[^\s"'<>\\/?#@]*@)?([^\s"'<>\\/?#]*)((?:[^\s"'<>\\]*[^\s"'<>\\.,;:)\]}])?)/gi;
/** a bearer credential: a token-like word of 16 characters or more after `Bearer` (not the prose "bearer token") */
const BEARER_PATTERN = /\b(bearer)\s+[A-Za-z0-9._~+/=-]{16,}/gi;

/**
 * Redacts what may be secret in a text meant for a log, a health report or an
 * error answer: every URL keeps only its scheme, host and port (its user
 * info, path and query go: ethers puts the RPC URL with its API key in the
 * message of an HTTP error), and a bearer token goes.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_PATTERN, (_match, scheme: string, host: string, rest: string | undefined) => {
      const hidden = rest !== undefined && rest !== '' && rest !== '/';
      return `${scheme}://${host}${hidden ? '/[redacted]' : ''}`;
    })
    .replace(BEARER_PATTERN, '$1 [redacted]');
}

/**
 * A failure told safely: its code (an ethers or socket code) with ethers'
 * short message, never the full message (for an HTTP error it quotes the RPC
 * URL with its credentials); a failure without such a code gives its message,
 * redacted, or `fallback`.
 */
export function failureText(error: unknown, fallback: string): string {
  if (typeof error !== 'object' || error === null) return fallback;
  const { code, shortMessage } = error as { code?: unknown; shortMessage?: unknown };
  const short = typeof shortMessage === 'string' ? shortMessage : undefined;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return redactSecrets(short ? `${code}: ${short}` : code).slice(0, 200);
  return error instanceof Error ? redactSecrets(error.message).slice(0, 200) : fallback;
}
