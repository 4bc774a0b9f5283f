import protobuf from 'protobufjs';
import type { AccessOptions, ResourceOptions, ToolOptions } from '../generated/fintech/mcp/v1';

/** The fintech.mcp.v1.FieldOptions of a field, as protobufjs parses custom options. */
export interface FieldRules {
  format?: string;
  min_length?: number;
  max_length?: number;
  pattern?: string;
  decimal_amount?: boolean;
  one_of?: string[];
  required?: boolean;
  secret?: boolean;
  minimum?: number;
  maximum?: number;
}

export function fieldRules(field: protobuf.Field): FieldRules {
  const parsed = (field.parsedOptions ?? []) as Record<string, unknown>[];
  for (const option of parsed) {
    const rules = option['(fintech.mcp.v1.field)'];
    if (rules && typeof rules === 'object') return rules as FieldRules;
  }
  return {};
}

/** Methods' fintech.mcp.v1 options as protobufjs parses them. */
export function methodOption<T>(method: protobuf.Method, name: 'tool' | 'resource' | 'access'): T | undefined {
  const parsed = (method.parsedOptions ?? []) as Record<string, unknown>[];
  for (const option of parsed) {
    const value = option[`(fintech.mcp.v1.${name})`];
    if (value && typeof value === 'object') return value as T;
  }
  return undefined;
}

/**
 * Who may call an RPC, as its proto declares it: the scopes of its MCP tool or resource option (or of its
 * fintech.mcp.v1.access option for internal RPCs), whether it runs without a credential (an anonymous tool, or
 * `access.public`), and whether it only reads (which decides the scope needed to act on another user's data).
 * One reading of the contract for the gateway and for every service.
 */
export interface MethodAccess {
  /** Scopes the caller must hold, all of them. */
  scopes: string[];
  /** Callable without a credential. */
  public: boolean;
  /** Reads only: a resource, or a tool marked read_only. */
  readOnly: boolean;
  /** Whether the RPC is exposed to agents (has a tool or resource option). */
  exposed: boolean;
}

export function methodAccess(method: protobuf.Method): MethodAccess {
  const tool = methodOption<Partial<ToolOptions>>(method, 'tool');
  const resource = methodOption<Partial<ResourceOptions>>(method, 'resource');
  const access = methodOption<Partial<AccessOptions>>(method, 'access');
  const scopes = new Set<string>([
    ...(tool?.name ? (tool.scopes ?? []) : []),
    ...(resource?.uri_template ? (resource.scopes ?? []) : []),
    ...(access?.scopes ?? []),
  ]);
  return {
    scopes: [...scopes],
    public: Boolean((tool?.name && tool.anonymous) || access?.public),
    readOnly: Boolean(resource?.uri_template) || Boolean(tool?.read_only),
    exposed: Boolean(tool?.name || resource?.uri_template),
  };
}

/** Every service of a reflection root, depth first. */
export function servicesOf(ns: protobuf.NamespaceBase, out: protobuf.Service[] = []): protobuf.Service[] {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Service) out.push(nested);
    else if (nested instanceof protobuf.Namespace) servicesOf(nested, out);
  }
  return out;
}

export const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
export const INT32_TYPES = new Set(['int32', 'sint32', 'sfixed32']);
export const UINT32_TYPES = new Set(['uint32', 'fixed32']);
export const FLOAT_TYPES = new Set(['double', 'float']);
