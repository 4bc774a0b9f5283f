import type { subjects, SessionRevoked, UserProfileUpdated, UserSignedIn, UserSignInFailed } from '@fintech/contracts';
import { recordEvents } from '@fintech/kit';
import type { AuthDeps, Tx } from '../deps';

/** What the auth service publishes (stream FINTECH_AUTH); payload schemas are in `@fintech/contracts`. */
export type AuthEvent =
  | { type: typeof subjects.auth.userSignedIn; userId: string; data: UserSignedIn }
  | { type: typeof subjects.auth.userSignInFailed; userId: string | null; data: UserSignInFailed }
  | { type: typeof subjects.auth.userProfileUpdated; userId: string; data: UserProfileUpdated }
  | { type: typeof subjects.auth.sessionRevoked; userId: string; data: SessionRevoked };

/**
 * Adds events to the outbox inside the caller's transaction, so they exist if and only if the change commits
 * (schema-qualified: see docs/decisions/005). Call `deps.eventsCommitted()` after the commit.
 */
export async function publishEvents(deps: Pick<AuthDeps, 'config'>, tx: Tx, events: AuthEvent[]): Promise<void> {
  await recordEvents(tx, events, { schema: deps.config.DATABASE_SCHEMA });
}

/** Records events in a transaction of their own and wakes the relay (for outcomes that change nothing else). */
export async function publishEventsNow(
  deps: Pick<AuthDeps, 'config' | 'prisma' | 'eventsCommitted'>,
  events: AuthEvent[],
): Promise<void> {
  await deps.prisma.$transaction((tx) => publishEvents(deps, tx, events));
  deps.eventsCommitted();
}
