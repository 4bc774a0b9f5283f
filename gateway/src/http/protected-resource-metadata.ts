import type { FastifyInstance } from 'fastify';

export interface ProtectedResourceMetadataOptions {
  /** The protected resource's identifier: the public URL of the MCP endpoint, e.g. `https://mcp.example.com/mcp`. */
  resource: string;
  /** Issuer URLs of the authorization servers that issue tokens for this resource. */
  authorizationServers: string[];
  scopesSupported?: string[];
  resourceName?: string;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** Where the metadata document of `resource` lives (RFC 9728 §3.1: the well-known suffix goes before the path). */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${WELL_KNOWN}${path}`;
}

/**
 * Serves the RFC 9728 protected-resource metadata that a 401's `WWW-Authenticate: Bearer resource_metadata=…` points
 * at, so that OAuth-capable MCP clients find the authorization server. It is served both at the bare well-known path
 * and at the path-suffixed one (`/.well-known/oauth-protected-resource/mcp`) that RFC 9728 §3.1 derives from a
 * resource with a path.
 */
export function registerProtectedResourceMetadata(
  app: FastifyInstance,
  options: ProtectedResourceMetadataOptions,
): void {
  const document = {
    resource: options.resource,
    authorization_servers: options.authorizationServers,
    bearer_methods_supported: ['header'],
    ...(options.scopesSupported && { scopes_supported: options.scopesSupported }),
    ...(options.resourceName && { resource_name: options.resourceName }),
  };
  const resourcePath = new URL(options.resource).pathname.replace(/\/$/, '');
  const paths = new Set([WELL_KNOWN, `${WELL_KNOWN}${resourcePath}`]);
  for (const path of paths) {
    app.get(path, async (_request, reply) => reply.header('Cache-Control', 'public, max-age=300').send(document));
  }
}
