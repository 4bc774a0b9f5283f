import type protobuf from 'protobufjs';
import { messageSchema, methodOption, servicesOf, type JsonSchema, type mcpV1 } from '@fintech/contracts';
import { compileUriTemplate, type CompiledTemplate } from './uri-template';

/** Where an entry's calls go: a gRPC method of a service. */
export interface RpcTarget {
  /** Fully qualified service name, e.g. fintech.auth.v1.AuthService. */
  service: string;
  /** The method's name, e.g. GetUserProfile. */
  method: string;
  /** The domain of the service's package (fintech.<domain>.v1), which selects its address. */
  domain: string;
  requestType: protobuf.Type;
  /** The response message, read to leave unset fields out of results. */
  responseType: protobuf.Type;
  /** Whether the request has a top-level `user_id` field (checked against the caller). */
  hasUserId: boolean;
}

export interface ToolEntry extends RpcTarget {
  kind: 'tool';
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonSchema;
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
  scopes: string[];
  anonymous: boolean;
}

export interface ResourceEntry extends RpcTarget {
  kind: 'resource';
  name: string;
  title?: string;
  description: string;
  uriTemplate: string;
  mimeType: string;
  scopes: string[];
  templates: CompiledTemplate[];
}

export interface Catalog {
  tools: ToolEntry[];
  resources: ResourceEntry[];
  tool(name: string): ToolEntry | undefined;
  /** The resource a concrete URI names, with its variables. */
  resolve(uri: string): { entry: ResourceEntry; variables: Record<string, string> } | undefined;
}

function domainOf(service: protobuf.Service): string {
  const parts = service.fullName.replace(/^\./, '').split('.');
  return parts[0] === 'fintech' && parts.length >= 3 ? parts[1]! : parts.slice(0, -1).join('.');
}

/**
 * The gateway's whole MCP surface, read from the MCP options of the loaded protos (no per-tool code): a tool per
 * RPC with fintech.mcp.v1.tool, a resource template per RPC with fintech.mcp.v1.resource.
 */
export function buildCatalog(root: protobuf.Root): Catalog {
  const tools: ToolEntry[] = [];
  const resources: ResourceEntry[] = [];
  for (const service of servicesOf(root)) {
    for (const method of service.methodsArray) {
      method.resolve();
      const requestType = method.resolvedRequestType!;
      const target: RpcTarget = {
        service: service.fullName.replace(/^\./, ''),
        method: method.name,
        domain: domainOf(service),
        requestType,
        responseType: method.resolvedResponseType!,
        hasUserId: Boolean(requestType.fields.user_id),
      };
      const description = (method.comment ?? '').trim();
      const tool = methodOption<Partial<mcpV1.ToolOptions>>(method, 'tool');
      if (tool?.name) {
        tools.push({
          ...target,
          kind: 'tool',
          name: tool.name,
          title: tool.title || undefined,
          description: tool.description || description,
          inputSchema: messageSchema(requestType),
          annotations: {
            readOnlyHint: Boolean(tool.read_only),
            destructiveHint: Boolean(tool.destructive),
            idempotentHint: Boolean(tool.idempotent),
            openWorldHint: Boolean(tool.open_world),
          },
          scopes: tool.scopes ?? [],
          anonymous: Boolean(tool.anonymous),
        });
      }
      const resource = methodOption<Partial<mcpV1.ResourceOptions>>(method, 'resource');
      if (resource?.uri_template) {
        const all = [resource.uri_template, ...(resource.alias_uri_templates ?? [])];
        resources.push({
          ...target,
          kind: 'resource',
          name: resource.name || method.name,
          title: resource.title || undefined,
          description: resource.description || description,
          uriTemplate: resource.uri_template,
          mimeType: resource.mime_type || 'application/json',
          scopes: resource.scopes ?? [],
          templates: all.map(compileUriTemplate),
        });
      }
    }
  }
  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new Error(`two RPCs declare the MCP tool ${tool.name}`);
    names.add(tool.name);
  }
  const byName = new Map(tools.map((t) => [t.name, t]));
  // More specific templates first: a literal segment beats a variable (payments://{user_id}/methods vs
  // payments://{payment_id}/status do not overlap, but ordering keeps matching deterministic).
  const ordered = [...resources].sort((a, b) => b.uriTemplate.length - a.uriTemplate.length);
  return {
    tools,
    resources,
    tool: (name) => byName.get(name),
    resolve(uri) {
      for (const entry of ordered) {
        for (const template of entry.templates) {
          const variables = template.match(uri);
          if (variables) return { entry, variables };
        }
      }
      return undefined;
    },
  };
}
