import type { Metadata } from '@grpc/grpc-js';

/** The bearer token of a call's `authorization` metadata, or null. */
export function bearerToken(metadata: Metadata): string | null {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return null;
  return /^Bearer\s+(.+)$/i.exec(value)?.[1] ?? null;
}

/** Where a call came from, as the gateway forwarded it (`x-client-ip`, `x-client-user-agent`); for events. */
export function clientInfo(metadata: Metadata): { ip: string | null; user_agent: string | null } {
  const read = (key: string): string | null => {
    const value = metadata.get(key)[0];
    return typeof value === 'string' && value.length > 0 ? value.slice(0, 512) : null;
  };
  return { ip: read('x-client-ip'), user_agent: read('x-client-user-agent') };
}
