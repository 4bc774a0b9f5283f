import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '@fintech/kit';
import { ConfirmationRefusedError } from '../domain/errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { SqlClient } from './sql';

/**
 * Confirmation tokens: single use, short-lived, bound to the caller, the tool and the canonical arguments (their
 * hash). Only the token's SHA-256 is stored, so a database reader cannot confirm anything.
 */
export async function issueConfirmation(
  prisma: PrismaClient,
  input: { userId: string; tool: string; argsHash: string; now: Date; ttlSeconds: number },
): Promise<{ token: string; expiresAt: Date }> {
  const token = `conf_${randomToken(24)}`;
  const expiresAt = new Date(input.now.getTime() + input.ttlSeconds * 1000);
  await prisma.confirmation.create({
    data: {
      id: randomUUID(),
      tokenHash: sha256Hex(token),
      userId: input.userId,
      tool: input.tool,
      argsHash: input.argsHash,
      expiresAt,
      createdAt: input.now,
    },
  });
  return { token, expiresAt };
}

/**
 * Spends a confirmation token inside the transaction that executes the confirmed call, so the token is used if and
 * only if the call commits. Every refusal says why, without revealing anything about another user's token.
 */
export async function consumeConfirmation(
  client: SqlClient,
  input: { token: string; userId: string; tool: string; argsHash: string; now: Date },
): Promise<void> {
  const { rows } = await client.query<{
    id: string;
    user_id: string;
    tool: string;
    args_hash: string;
    expires_at: Date;
    used_at: Date | null;
  }>(
    `SELECT "id"::text AS id, "user_id"::text AS user_id, "tool", "args_hash", "expires_at", "used_at"
     FROM "confirmations" WHERE "token_hash" = $1`,
    [sha256Hex(input.token)],
  );
  const row = rows[0];
  if (!row || row.user_id !== input.userId) throw new ConfirmationRefusedError('confirmation_token is not valid');
  if (row.tool !== input.tool || row.args_hash !== input.argsHash) {
    throw new ConfirmationRefusedError(
      'confirmation_token was issued for a call with other arguments; repeat exactly the call that returned it',
    );
  }
  if (row.used_at) throw new ConfirmationRefusedError('confirmation_token was already used');
  if (row.expires_at.getTime() <= input.now.getTime()) {
    throw new ConfirmationRefusedError('confirmation_token has expired; make the call again to get a new one');
  }
  const spent = await client.query(
    'UPDATE "confirmations" SET "used_at" = $2 WHERE "id" = $1::uuid AND "used_at" IS NULL',
    [row.id, input.now],
  );
  if (spent.rowCount !== 1) throw new ConfirmationRefusedError('confirmation_token was already used');
}
