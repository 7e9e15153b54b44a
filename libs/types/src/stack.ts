import { z } from 'zod';

/** What `npm start` is running right now: <data dir>/run/stack.json, removed when it stops. */
export const StackRunFile = z.object({
  /** the `npm start` process */
  pid: z.number().int(),
  services: z.array(
    z.object({
      project: z.string(),
      /** null while the service is being started again */
      pid: z.number().int().nullable(),
      port: z.number().int(),
      /** times it was started again after dying */
      restarts: z.number().int(),
    }),
  ),
});
export type StackRunFile = z.infer<typeof StackRunFile>;
