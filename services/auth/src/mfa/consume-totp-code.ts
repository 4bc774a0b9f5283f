import type { User } from '../generated/prisma/client';
import { base32Decode, verifyTotp } from '../domain/totp';
import type { AuthDeps, Tx } from '../deps';

/**
 * Checks a TOTP code of an enrolled (or enrolling) user and records its time step in the same statement that
 * checks it, so two concurrent requests with one code cannot both pass (RFC 6238 §5.2: accept a code once).
 */
export async function consumeTotpCode(
  deps: AuthDeps,
  tx: Tx,
  user: User,
  code: string,
): Promise<{ ok: true } | { ok: false; reason: 'invalid' | 'replayed' | 'not_enrolled' }> {
  const secret = deps.users.openMfaSecret(user);
  if (!secret) return { ok: false, reason: 'not_enrolled' };
  const result = verifyTotp({
    secret: base32Decode(secret),
    code,
    atMs: deps.now().getTime(),
    lastUsedStep: user.mfaLastStep === null ? null : Number(user.mfaLastStep),
  });
  if (!result.ok) return result;
  const claimed = await deps.users.claimTotpStep(tx, user.id, BigInt(result.step));
  return claimed ? { ok: true } : { ok: false, reason: 'replayed' };
}
