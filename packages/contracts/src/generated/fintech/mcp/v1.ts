// Generated from proto/ by packages/contracts/scripts/generate.ts. Do not edit; run `pnpm generate`.

/**
 * Exposes an RPC as an MCP tool. Annotation hints follow the MCP specification's ToolAnnotations.
 */
export interface ToolOptions {
  /**
   * The tool's name as agents see it (snake_case).
   */
  name: string;
  /**
   * A human-readable title.
   */
  title: string;
  /**
   * Scopes the caller must hold; the tool is hidden from callers lacking any of them.
   */
  scopes: string[];
  read_only: boolean;
  destructive: boolean;
  idempotent: boolean;
  open_world: boolean;
  /**
   * Callable without a credential (only sign-in and token refresh).
   */
  anonymous: boolean;
  /**
   * Overrides the RPC's proto comment as the tool description.
   */
  description: string;
}

/**
 * Exposes an RPC as an MCP resource template. URI variables and RFC 6570 query variables map to request fields of
 * the same name.
 */
export interface ResourceOptions {
  uri_template: string;
  name: string;
  title: string;
  /**
   * Defaults to application/json.
   */
  mime_type: string;
  scopes: string[];
  description: string;
  /**
   * Other spellings of the same template that are accepted on read (never listed).
   */
  alias_uri_templates: string[];
}

/**
 * Access to an RPC that is not exposed to agents (no tool or resource option): what a direct gRPC caller needs.
 * Tools and resources declare their scopes in their own options; the gateway and every service read both.
 */
export interface AccessOptions {
  /**
   * Callable without an internal token (e.g. the token exchange itself, the public keys).
   */
  public: boolean;
  /**
   * Scopes the internal token must hold.
   */
  scopes: string[];
}

/**
 * Validation and presentation of a request field in the generated JSON Schema. The gateway validates every argument
 * against these before any call; every service validates the decoded request again with the same rules
 * (@fintech/contracts rules), so a direct gRPC caller is held to them too.
 */
export interface FieldOptions {
  /**
   * A JSON Schema format: "email", "date", "date-time", "uri".
   */
  format: string;
  min_length: number;
  max_length: number;
  pattern: string;
  /**
   * An amount in major units given as a JSON number or decimal string (e.g. 12.50 or "12.50"); it travels as a
   * decimal string and is converted exactly to minor units by the service.
   */
  decimal_amount: boolean;
  /**
   * Allowed values of a string field.
   */
  one_of: string[];
  /**
   * The field must be present and non-empty.
   */
  required: boolean;
  /**
   * The value is a secret (password, token, code): never logged or echoed.
   */
  secret: boolean;
  /**
   * Inclusive bounds of a numeric field.
   */
  minimum?: number;
  maximum?: number;
}
