/** Polls `url` until it answers 2xx; throws after `timeoutMs`, or at once when `abandoned()` says so. */
export async function waitHealthy(url: string, timeoutMs = 60_000, abandoned: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (abandoned()) throw new Error(`gave up waiting for ${url}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} was not healthy within ${timeoutMs / 1000}s`);
}
