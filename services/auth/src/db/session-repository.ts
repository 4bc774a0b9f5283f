import type { PrismaClient, RefreshToken, Session, User } from '../generated/prisma/client';

type Db = Pick<PrismaClient, 'session' | 'refreshToken'>;

/**
 * Sessions (one per sign-in) and their refresh tokens. Rotation and revocation both update the session row first,
 * so they serialise on it (and take row locks in the same order: session, then tokens).
 */
export const sessions = {
  create(db: Db, input: { id: string; userId: string }): Promise<Session> {
    return db.session.create({ data: input });
  },

  addRefreshToken(
    db: Db,
    input: { id: string; familyId: string; userId: string; tokenHash: string; expiresAt: Date },
  ): Promise<RefreshToken> {
    return db.refreshToken.create({ data: input });
  },

  findRefreshToken(db: Db, tokenHash: string): Promise<(RefreshToken & { user: User; session: Session }) | null> {
    return db.refreshToken.findUnique({ where: { tokenHash }, include: { user: true, session: true } });
  },

  /** Notes a rotation on the session; false when the session is revoked (then nothing may be issued from it). */
  async touch(db: Db, id: string, now: Date): Promise<boolean> {
    const touched = await db.session.updateMany({ where: { id, revokedAt: null }, data: { refreshedAt: now } });
    return touched.count === 1;
  },

  /** Spends a refresh token; false when it was spent or revoked already (a concurrent refresh won). */
  async spendRefreshToken(db: Db, id: string, now: Date): Promise<boolean> {
    const spent = await db.refreshToken.updateMany({
      where: { id, usedAt: null, revokedAt: null },
      data: { usedAt: now },
    });
    return spent.count === 1;
  },

  /** Revokes a session and its refresh tokens; false when it was revoked already. */
  async revoke(db: Db, id: string, now: Date, reason: string): Promise<boolean> {
    const revoked = await db.session.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: now, revokedReason: reason },
    });
    if (revoked.count !== 1) return false;
    await db.refreshToken.updateMany({ where: { familyId: id, revokedAt: null }, data: { revokedAt: now } });
    return true;
  },

  /** Whether access tokens of the session may still be exchanged: it exists and is not revoked. */
  async isActive(db: Db, id: string): Promise<boolean> {
    const session = await db.session.findUnique({ where: { id }, select: { revokedAt: true } });
    return session !== null && session.revokedAt === null;
  },
};
