import protobuf from 'protobufjs';
import { FLOAT_TYPES, INT32_TYPES, INT64_TYPES, UINT32_TYPES, fieldRules } from './field-rules';

export type JsonSchema = Record<string, unknown>;

function describe(schema: JsonSchema, comment: string | null): JsonSchema {
  if (comment) schema.description = comment.trim();
  return schema;
}

function scalarSchema(field: protobuf.Field): JsonSchema {
  const rules = fieldRules(field);
  if (rules.decimal_amount) {
    // An amount in major units, as a number or a decimal string: the service converts it exactly to minor units.
    return { type: ['number', 'string'], pattern: '^-?[0-9]+(\\.[0-9]+)?$' };
  }
  const type = field.type;
  if (field.resolvedType instanceof protobuf.Enum) {
    return { type: 'string', enum: Object.keys(field.resolvedType.values) };
  }
  if (type === 'string') {
    const schema: JsonSchema = { type: 'string' };
    if (rules.min_length) schema.minLength = rules.min_length;
    if (rules.required && !rules.min_length) schema.minLength = 1;
    if (rules.max_length) schema.maxLength = rules.max_length;
    if (rules.pattern) schema.pattern = rules.pattern;
    if (rules.format) schema.format = rules.format;
    if (rules.one_of?.length) schema.enum = rules.one_of;
    return schema;
  }
  if (type === 'bool') return { type: 'boolean' };
  if (INT64_TYPES.has(type)) return { type: ['integer', 'string'], pattern: '^-?[0-9]+$' };
  if (INT32_TYPES.has(type) || UINT32_TYPES.has(type) || FLOAT_TYPES.has(type)) {
    const schema: JsonSchema = { type: FLOAT_TYPES.has(type) ? 'number' : 'integer' };
    if (UINT32_TYPES.has(type)) schema.minimum = 0;
    if (rules.minimum !== undefined) schema.minimum = rules.minimum;
    if (rules.maximum !== undefined) schema.maximum = rules.maximum;
    return schema;
  }
  if (type === 'bytes') return { type: 'string', contentEncoding: 'base64' };
  return {};
}

function fieldSchema(field: protobuf.Field, seen: Set<string>): JsonSchema {
  field.resolve();
  let schema: JsonSchema;
  if (field instanceof protobuf.MapField) {
    schema = { type: 'object', additionalProperties: scalarSchema(field) };
  } else {
    const item =
      field.resolvedType instanceof protobuf.Type ? messageSchema(field.resolvedType, seen) : scalarSchema(field);
    schema = field.repeated ? { type: 'array', items: item } : item;
  }
  return describe(schema, field.comment);
}

/**
 * The JSON Schema (2020-12 subset) of a request message: properties from its fields, descriptions from the proto
 * comments, constraints from fintech.mcp.v1.field options, and `additionalProperties: false` so an unknown argument
 * (e.g. `role` in a profile update) is refused rather than dropped.
 */
export function messageSchema(type: protobuf.Type, seen: Set<string> = new Set()): JsonSchema {
  if (seen.has(type.fullName)) return { type: 'object' };
  const nextSeen = new Set(seen).add(type.fullName);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of type.fieldsArray) {
    properties[field.name] = fieldSchema(field, nextSeen);
    if (fieldRules(field).required) required.push(field.name);
  }
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
  if (required.length) schema.required = required;
  return describe(schema, type.comment);
}
