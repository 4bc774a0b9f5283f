/**
 * Alpaca's error envelope: `{ code, message }`, where code is the HTTP status followed by four digits
 * (40110000 unauthorized, 40310000 forbidden, 40410000 not found, 42210000 unprocessable).
 */
export class AlpacaApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'AlpacaApiError';
  }

  toBody(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const unauthorized = (): AlpacaApiError => new AlpacaApiError(401, 40110000, 'request is not authorized');
export const forbidden = (message: string): AlpacaApiError => new AlpacaApiError(403, 40310000, message);
export const notFound = (message: string): AlpacaApiError => new AlpacaApiError(404, 40410000, message);
export const unprocessable = (message: string): AlpacaApiError => new AlpacaApiError(422, 42210000, message);
/** The market data API answers malformed queries with 400. */
export const badRequest = (message: string): AlpacaApiError => new AlpacaApiError(400, 40010001, message);
