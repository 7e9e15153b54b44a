/**
 * The callers of the internal services (docs/architecture.md §9): each process of the
 * stack, and `operator` for the tools that read the books (reconcile). Each
 * has its own bearer token, `<NAME>_TOKEN`; a service it calls holds only the
 * token's sha256, `<NAME>_TOKEN_SHA256`.
 */
export const SERVICE_CALLERS = [
  'gateway',
  'policy',
  'payment',
  'logger',
  'image-gen',
  'price-oracle',
  'batch-compute',
  'log-archive',
  'operator',
] as const;
export type ServiceCaller = (typeof SERVICE_CALLERS)[number];

/** The paid providers, as callers: each may verify payments and refund its own. */
export const PROVIDER_CALLERS = ['image-gen', 'price-oracle', 'batch-compute', 'log-archive'] as const satisfies readonly ServiceCaller[];
export type ProviderCaller = (typeof PROVIDER_CALLERS)[number];

export const isServiceCaller = (name: string): name is ServiceCaller => (SERVICE_CALLERS as readonly string[]).includes(name);
export const isProviderCaller = (name: string): name is ProviderCaller => (PROVIDER_CALLERS as readonly string[]).includes(name);

const upperSnake = (caller: ServiceCaller) => caller.toUpperCase().replace(/-/g, '_');

/** `image-gen` → `IMAGE_GEN_TOKEN`: the variable a caller reads its own token from. */
export const callerTokenEnv = (caller: ServiceCaller): string => `${upperSnake(caller)}_TOKEN`;

/** `image-gen` → `IMAGE_GEN_TOKEN_SHA256`: the variable a callee reads that caller's token hash from. */
export const callerDigestEnv = (caller: ServiceCaller): string => `${upperSnake(caller)}_TOKEN_SHA256`;

/** A provider caller's service id in services.yaml (`image-gen` → `IMAGE_GEN`). */
export const providerServiceId = (caller: ProviderCaller): string => upperSnake(caller);

/**
 * Who may call each internal service at all (each route narrows it further):
 * a service holds the token hash of these callers only.
 */
export const CALLERS_ACCEPTED_BY = {
  policy: ['gateway', 'payment', 'operator'],
  payment: ['gateway', 'operator', ...PROVIDER_CALLERS],
  logger: ['gateway', 'payment', 'policy', 'operator'],
} as const satisfies Record<string, readonly ServiceCaller[]>;
export type InternalService = keyof typeof CALLERS_ACCEPTED_BY;
