import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '../crypto/secrets';
import { ConfirmationRefusedError } from './errors';
import type { SafetyQueryable } from './sql';

/** Options of {@link createConfirmationStore}. */
export interface ConfirmationStoreOptions {
  /** The service's pool, used to issue tokens (consuming runs on the caller's transaction). */
  pool: SafetyQueryable;
  /** How long a token may be used (5 minutes in payments: the user's answer, not a standing permission). */
  ttlSeconds: number;
  now?: () => Date;
}

/** What a confirmation token is bound to. */
export interface ConfirmationBinding {
  userId: string;
  tool: string;
  /** {@link argumentsHash} of the call, which leaves the token itself out. */
  argsHash: string;
}

interface ConfirmationRow {
  user_id: string;
  tool: string;
  args_hash: string;
  expires_at: Date;
  used_at: Date | null;
}

/**
 * Confirmation tokens for the two-step call (ARCHITECTURE.md, "Safety for agents"): single use, short-lived, bound to
 * the caller, the tool and the canonical arguments. Only the token's SHA-256 is stored, so a database reader cannot
 * confirm anything.
 */
export function createConfirmationStore(options: ConfirmationStoreOptions) {
  const now = options.now ?? (() => new Date());
  return {
    /** Issues a token for exactly this call. */
    async issue(binding: ConfirmationBinding): Promise<{ token: string; expiresAt: Date }> {
      const token = `conf_${randomToken(24)}`;
      const at = now();
      const expiresAt = new Date(at.getTime() + options.ttlSeconds * 1000);
      await options.pool.query(
        `INSERT INTO "confirmations" ("id", "token_hash", "user_id", "tool", "args_hash", "expires_at", "created_at")
        VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6, $7)`,
        [randomUUID(), sha256Hex(token), binding.userId, binding.tool, binding.argsHash, expiresAt, at],
      );
      return { token, expiresAt };
    },

    /**
     * Spends `token` inside the transaction (`tx`) that executes the confirmed call, so the token is used if and only
     * if the call commits. One statement when the token is good; when it is not, a second one finds out why, and the
     * refusal says so without revealing anything about another user's token.
     */
    async consume(tx: SafetyQueryable, token: string, binding: ConfirmationBinding): Promise<void> {
      const at = now();
      const tokenHash = sha256Hex(token);
      const spent = await tx.query(
        `UPDATE "confirmations" SET "used_at" = $5
        WHERE "token_hash" = $1 AND "user_id" = $2::uuid AND "tool" = $3 AND "args_hash" = $4
          AND "used_at" IS NULL AND "expires_at" > $5`,
        [tokenHash, binding.userId, binding.tool, binding.argsHash, at],
      );
      if (spent.rowCount === 1) return;
      const { rows } = await tx.query(
        `SELECT "user_id"::text AS user_id, "tool", "args_hash", "expires_at", "used_at"
        FROM "confirmations" WHERE "token_hash" = $1`,
        [tokenHash],
      );
      const row = rows[0] as ConfirmationRow | undefined;
      if (!row || row.user_id !== binding.userId) throw new ConfirmationRefusedError('confirmation_token is not valid');
      if (row.tool !== binding.tool || row.args_hash !== binding.argsHash) {
        throw new ConfirmationRefusedError(
          'confirmation_token was issued for a call with other arguments; repeat exactly the call that returned it',
        );
      }
      if (row.used_at) throw new ConfirmationRefusedError('confirmation_token was already used');
      throw new ConfirmationRefusedError('confirmation_token has expired; make the call again to get a new one');
    },
  };
}

export type ConfirmationStore = ReturnType<typeof createConfirmationStore>;
