import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that never reach a log line in clear: credentials, one-time codes and personal data. pino replaces them
 * with "[redacted]" wherever they appear at these depths.
 */
export const REDACTED_PATHS = [
  'password',
  'token',
  'refresh_token',
  'access_token',
  'internal_token',
  'subject_token',
  'code',
  'secret',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'metadata.authorization',
  '*.password',
  '*.token',
  '*.refresh_token',
  '*.code',
  '*.secret',
  '*.email',
  '*.phone',
  '*.date_of_birth',
  '*.address',
];

/** A pino JSON logger with the fleet's redaction rules; `name` is the service. */
export function createLogger(options: { name: string; level?: string }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
