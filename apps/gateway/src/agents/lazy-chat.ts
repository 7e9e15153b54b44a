import type { Chat } from '../gateway-deps';

/**
 * The chat, built on the first `POST /chat`: its LangChain stack (about 40 MB resident)
 * is loaded then, so a gateway that only takes paid calls, MCP and reads never carries it.
 * A load that fails is tried again on the next chat.
 */
export function lazyChat(load: () => Promise<Chat>): Chat {
  let loaded: Promise<Chat> | undefined;
  return {
    chat: async (request) => {
      loaded ??= load().catch((error: unknown) => {
        loaded = undefined;
        throw error;
      });
      return (await loaded).chat(request);
    },
  };
}
