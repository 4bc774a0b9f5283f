import type { MfaChallenge, PrismaClient, User } from '../generated/prisma/client';

type Db = Pick<PrismaClient, 'mfaChallenge'>;

/** The pending second steps of sign-ins; only a SHA-256 of each challenge is stored. */
export const mfaChallenges = {
  create(db: Db, input: { id: string; userId: string; challengeHash: string; expiresAt: Date }): Promise<MfaChallenge> {
    return db.mfaChallenge.create({ data: input });
  },

  findByHash(db: Db, challengeHash: string): Promise<(MfaChallenge & { user: User }) | null> {
    return db.mfaChallenge.findUnique({ where: { challengeHash }, include: { user: true } });
  },

  /**
   * Takes one of the challenge's attempts before the code is checked, in one conditional statement, so concurrent
   * codes against one challenge get at most `maxAttempts` evaluations. False when the challenge is spent, expired or
   * out of attempts.
   */
  async countAttempt(db: Db, id: string, now: Date, maxAttempts: number): Promise<boolean> {
    const taken = await db.mfaChallenge.updateMany({
      where: { id, consumedAt: null, expiresAt: { gt: now }, attempts: { lt: maxAttempts } },
      data: { attempts: { increment: 1 } },
    });
    return taken.count === 1;
  },

  /** Marks the challenge used; false when another request used it first. */
  async consume(db: Db, id: string, now: Date): Promise<boolean> {
    const spent = await db.mfaChallenge.updateMany({ where: { id, consumedAt: null }, data: { consumedAt: now } });
    return spent.count === 1;
  },
};
