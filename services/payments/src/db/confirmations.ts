import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex } from '@fintech/kit';
import { ConfirmationRefusedError } from '../domain/errors';
import type { Tx } from '../deps';
import type { PrismaClient } from '../generated/prisma/client';

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
  tx: Tx,
  input: { token: string; userId: string; tool: string; argsHash: string; now: Date },
): Promise<void> {
  const row = await tx.confirmation.findUnique({ where: { tokenHash: sha256Hex(input.token) } });
  if (!row || row.userId !== input.userId) throw new ConfirmationRefusedError('confirmation_token is not valid');
  if (row.tool !== input.tool || row.argsHash !== input.argsHash) {
    throw new ConfirmationRefusedError(
      'confirmation_token was issued for a call with other arguments; repeat exactly the call that returned it',
    );
  }
  if (row.usedAt) throw new ConfirmationRefusedError('confirmation_token was already used');
  if (row.expiresAt.getTime() <= input.now.getTime()) {
    throw new ConfirmationRefusedError('confirmation_token has expired; make the call again to get a new one');
  }
  const spent = await tx.confirmation.updateMany({
    where: { id: row.id, usedAt: null },
    data: { usedAt: input.now },
  });
  if (spent.count !== 1) throw new ConfirmationRefusedError('confirmation_token was already used');
}
