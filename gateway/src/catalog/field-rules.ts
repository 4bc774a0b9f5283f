import type protobuf from 'protobufjs';

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

/** Methods' MCP options as protobufjs parses them. */
export function methodOption<T>(method: protobuf.Method, name: 'tool' | 'resource'): T | undefined {
  const parsed = (method.parsedOptions ?? []) as Record<string, unknown>[];
  for (const option of parsed) {
    const value = option[`(fintech.mcp.v1.${name})`];
    if (value && typeof value === 'object') return value as T;
  }
  return undefined;
}

export const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
export const INT32_TYPES = new Set(['int32', 'sint32', 'sfixed32']);
export const UINT32_TYPES = new Set(['uint32', 'fixed32']);
export const FLOAT_TYPES = new Set(['double', 'float']);
