import { z } from 'zod';
import { newEventId } from './event-id';

/**
 * The fleet's event envelope, as published on JetStream and stored in the outbox.
 *
 * `type` is the subject the event is published on; `occurred_at` is UTC RFC 3339; `traceparent` is the W3C Trace
 * Context header of the operation that produced the event, so consumers continue its trace.
 */
export interface EventEnvelope {
  /** UUIDv7; also the JetStream `Nats-Msg-Id`, so a republished event is dropped as a duplicate. */
  id: string;
  /** The subject, `fintech.<domain>.<entity>.<past-tense-verb>`. */
  type: string;
  /** When the change happened, e.g. `2026-11-25T10:15:00.123Z`. */
  occurred_at: string;
  /** The person the event is about, or null for system events. */
  user_id: string | null;
  /** The event's payload; its schema is defined per type in `@fintech/contracts`. */
  data: Record<string, unknown>;
  /** W3C `traceparent` of the producing operation. */
  traceparent?: string;
}

/**
 * Event subjects: `fintech.<domain>.<entity>.<verb>`, each token lowercase letters, digits and underscores starting
 * with a letter (`fintech.auth.user.signed_in`). Whether the verb is in the past tense is checked by
 * {@link isEventSubject}.
 */
export const subjectPattern = /^fintech\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

/**
 * Past participles that do not end in -ed and that event names in the fleet use or may use. A verb outside this
 * list must end in -ed (`created`, `signed_in`, `rolled_back`).
 */
const IRREGULAR_PAST = new Set([
  'begun',
  'bought',
  'built',
  'caught',
  'chosen',
  'cut',
  'dealt',
  'done',
  'drawn',
  'forgotten',
  'found',
  'frozen',
  'given',
  'got',
  'gotten',
  'held',
  'hidden',
  'hit',
  'kept',
  'known',
  'laid',
  'left',
  'lent',
  'lost',
  'made',
  'met',
  'overridden',
  'paid',
  'put',
  'quit',
  'read',
  'rebuilt',
  'redone',
  'repaid',
  'reset',
  'resent',
  'rewritten',
  'run',
  'rerun',
  'seen',
  'sent',
  'set',
  'shown',
  'shut',
  'sold',
  'spent',
  'split',
  'stolen',
  'struck',
  'taken',
  'told',
  'undone',
  'unfrozen',
  'upheld',
  'withdrawn',
  'withheld',
  'won',
  'written',
]);

/**
 * True when `subject` names an event: it matches {@link subjectPattern} and a word of its last token is a
 * past participle (ends in -ed or is a known irregular one), because an event records something that happened.
 */
export function isEventSubject(subject: string): boolean {
  if (!subjectPattern.test(subject)) return false;
  // The past participle may stand anywhere in the last token: `signed_in`, `sign_in_failed`, `profile_updated`.
  const words = subject.slice(subject.lastIndexOf('.') + 1).split('_');
  return words.some((word) => word.endsWith('ed') || IRREGULAR_PAST.has(word));
}

/** Thrown for a subject that is not `fintech.<domain>.<entity>.<past-tense-verb>`. */
export class InvalidEventSubjectError extends Error {
  override readonly name = 'InvalidEventSubjectError';
  constructor(readonly subject: string) {
    super(
      `Invalid event subject ${JSON.stringify(subject)}: expected fintech.<domain>.<entity>.<past-tense-verb>, lowercase`,
    );
  }
}

/** Throws {@link InvalidEventSubjectError} unless `subject` is an event subject ({@link isEventSubject}). */
export function assertEventSubject(subject: string): string {
  if (!isEventSubject(subject)) throw new InvalidEventSubjectError(subject);
  return subject;
}

/** Input of {@link createEvent}. */
export interface CreateEventInput {
  /** The subject, `fintech.<domain>.<entity>.<past-tense-verb>`. */
  type: string;
  /** The person the event is about, or null for system events. */
  userId: string | null;
  /** The payload. */
  data: Record<string, unknown>;
  /** W3C `traceparent` of the current operation. */
  traceparent?: string;
  /** When the change happened; defaults to now. */
  occurredAt?: Date;
}

/** Builds an envelope with a new UUIDv7 id, refusing a type that is not an event subject. */
export function createEvent(input: CreateEventInput): EventEnvelope {
  const event: EventEnvelope = {
    id: newEventId(),
    type: assertEventSubject(input.type),
    occurred_at: (input.occurredAt ?? new Date()).toISOString(),
    user_id: input.userId,
    data: input.data,
  };
  if (input.traceparent !== undefined) event.traceparent = input.traceparent;
  return event;
}

/**
 * Validates an envelope read from the wire. Ids of any UUID version are accepted, so events produced by other
 * tooling can still be consumed; `type` must be an event subject.
 */
export const eventEnvelopeSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i),
  type: z.string().refine(isEventSubject, 'not an event subject'),
  occurred_at: z.iso.datetime({ offset: true }),
  user_id: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  traceparent: z.string().optional(),
});

/** Parses and validates an envelope from JSON text or bytes; throws on malformed input. */
export function parseEventEnvelope(input: string | Uint8Array): EventEnvelope {
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  const parsed = eventEnvelopeSchema.parse(JSON.parse(text));
  const event: EventEnvelope = {
    id: parsed.id,
    type: parsed.type,
    occurred_at: parsed.occurred_at,
    user_id: parsed.user_id,
    data: parsed.data,
  };
  if (parsed.traceparent !== undefined) event.traceparent = parsed.traceparent;
  return event;
}
