import { randomUUID } from 'node:crypto';

/** `newId('dec')` → `dec_3f0c…` (32 hex digits): sortable by nothing, guessable by nobody. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}
