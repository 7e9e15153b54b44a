import { KeyHolder } from '@nexus/types';
import { defineRoute, keyHolder, type AnyRoute } from '../http/route-spec';

/** Who the key is: a web page signed in with a key learns whether it may change things (admin) or acts as one agent. */
export function whoamiRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/whoami',
      tag: 'agents',
      access: 'key',
      summary: 'Who holds the key: the admin, or one agent',
      description: 'The admin key answers `{ kind: "admin", agentId: null }`; an agent key answers `{ kind: "agent", agentId }`.',
      responses: { 200: { description: 'the key’s holder', schema: KeyHolder } },
      handle: async ({ caller }) => {
        const holder = keyHolder(caller);
        const body: KeyHolder = holder.kind === 'admin' ? { kind: 'admin', agentId: null } : { kind: 'agent', agentId: holder.agentId };
        return { body };
      },
    }),
  ];
}
