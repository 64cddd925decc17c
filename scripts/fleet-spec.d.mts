// Types of scripts/fleet-spec.mjs, for the tests that generate fleets with it.
export const ISOLATED_LIMIT: number;
export function fleetSpec(envs: number, tenancy?: 'isolated' | 'shared'): string;
