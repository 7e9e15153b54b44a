/**
 * An answer's body as the caller sees it: the JSON value when it is JSON,
 * else the text as sent ('' for none), so a proxy's HTML page or a plain-text
 * error reaches the contract check (and fails it) instead of throwing here.
 */
export function readAnswer(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body) return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
