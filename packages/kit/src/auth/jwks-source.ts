import type { JSONWebKeySet } from 'jose';
import { authV1 } from '@fintech/contracts';
import { createServiceClient, type CallOptions } from '../grpc/client';

/**
 * Fetches the auth service's JWKS over gRPC (GetJwks is public). Services pass this to createJwksCache so they
 * verify internal tokens locally and only ask again on an unknown `kid`.
 */
export function createJwksFetcher(authAddress: string): { fetchJwks: () => Promise<JSONWebKeySet>; close(): void } {
  const client = createServiceClient<authV1.AuthServiceClient<CallOptions>>(authV1.AuthServiceDefinition, {
    address: authAddress,
    deadlineMs: 3_000,
  });
  return {
    fetchJwks: async () => JSON.parse((await client.getJwks({})).jwks_json) as JSONWebKeySet,
    close: () => client.close(),
  };
}
