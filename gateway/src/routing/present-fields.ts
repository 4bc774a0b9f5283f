import type protobuf from 'protobufjs';

type Message = Record<string, unknown>;

function presentValue(field: protobuf.Field, value: unknown): unknown {
  const type = field.resolvedType;
  // A map's resolvedType is its value type; messages (not enums) are walked field by field.
  if (type && 'fieldsArray' in type && typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    return presentFields(type as protobuf.Type, value as Message);
  }
  return value;
}

/**
 * A decoded gRPC response as an agent should see it: only the fields the message has (proto-loader's `oneofs: true`
 * adds a virtual property naming the set member of each oneof, and proto3 `optional` is a synthetic oneof), and no
 * field that is unset — a message field that was not sent (proto-loader gives null) or a proto3 `optional` scalar
 * without a value. Plain proto3 scalars have no presence (a `false` or `0` is a value), so they are kept; a field
 * that may be absent is declared `optional` in its proto.
 */
export function presentFields(type: protobuf.Type, message: Message): Message {
  const out: Message = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const value = Object.prototype.hasOwnProperty.call(message, field.name) ? message[field.name] : undefined;
    if (value === undefined || value === null) continue;
    if (field.map) {
      out[field.name] = Object.fromEntries(
        Object.entries(value as Message).map(([key, item]) => [key, presentValue(field, item)]),
      );
    } else if (field.repeated && Array.isArray(value)) {
      out[field.name] = value.map((item) => presentValue(field, item));
    } else {
      out[field.name] = presentValue(field, value);
    }
  }
  return out;
}
