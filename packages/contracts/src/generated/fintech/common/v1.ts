// Generated from proto/ by packages/contracts/scripts/generate.ts. Do not edit; run `pnpm generate`.

/**
 * An amount of money: integer minor units of an ISO 4217 currency (cents for USD, yen for JPY). Never a float.
 */
export interface Money {
  /**
   * Signed integer count of minor units.
   */
  amount_minor: string;
  /**
   * ISO 4217 alphabetic code, upper case.
   */
  currency: string;
}

/**
 * Cursor pagination of a list request.
 */
export interface PageRequest {
  /**
   * Opaque cursor from a previous response's next_cursor.
   */
  cursor: string;
  /**
   * Items per page; the service caps it.
   */
  limit: number;
}

export interface PageResponse {
  /**
   * Empty when there are no more items.
   */
  next_cursor: string;
  has_more: boolean;
}

/**
 * Structured details of a failed call, sent as the `fintech-error-bin` trailer and readable by any client.
 */
export interface ErrorDetail {
  /**
   * Stable machine-readable reason, e.g. "VALIDATION_FAILED", "LIMIT_EXCEEDED".
   */
  reason: string;
  /**
   * The request field at fault, when there is one.
   */
  field: string;
  metadata: Record<string, string>;
}
