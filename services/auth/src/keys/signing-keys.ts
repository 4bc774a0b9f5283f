import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { TOKEN_ALGORITHM, type FieldCipher } from '@fintech/kit';
import type { PrismaClient } from '../generated/prisma/client';

type PrivateKeyMaterial = Awaited<ReturnType<typeof importJWK>>;

export interface ActiveSigningKey {
  kid: string;
  privateKey: PrivateKeyMaterial;
}

const AAD_COLUMN = { table: 'signing_keys', column: 'private_jwk_encrypted' } as const;

/**
 * Ed25519 signing keys, shared by every replica through the database: the first replica to start creates one, the
 * others load it. Private keys are stored encrypted with the field cipher. Retired keys stay out of the JWKS.
 */
export function createSigningKeyStore(prisma: PrismaClient, cipher: FieldCipher) {
  let active: ActiveSigningKey | null = null;

  async function loadNewest(): Promise<ActiveSigningKey | null> {
    const row = await prisma.signingKey.findFirst({
      where: { retiredAt: null },
      orderBy: [{ createdAt: 'desc' }, { kid: 'asc' }],
    });
    if (!row) return null;
    const jwk = JSON.parse(cipher.decrypt(row.privateJwkEncrypted, { ...AAD_COLUMN, rowId: row.kid })) as JWK;
    const privateKey = await importJWK(jwk, TOKEN_ALGORITHM);
    return { kid: row.kid, privateKey };
  }

  async function create(): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { crv: 'Ed25519', extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    await prisma.signingKey.createMany({
      data: [
        {
          kid,
          publicJwk: { ...publicJwk, kid, alg: TOKEN_ALGORITHM, use: 'sig' },
          privateJwkEncrypted: cipher.encrypt(JSON.stringify(privateJwk), { ...AAD_COLUMN, rowId: kid }),
        },
      ],
      skipDuplicates: true,
    });
  }

  return {
    /** Loads the newest key, creating the first one if there is none. */
    async init(): Promise<void> {
      active = await loadNewest();
      if (!active) {
        await create();
        active = await loadNewest();
      }
    },
    active(): ActiveSigningKey {
      if (!active) throw new Error('signing keys not initialised');
      return active;
    },
    /** The public key set (RFC 7517) of every key not retired. */
    async jwks(): Promise<JSONWebKeySet> {
      const rows = await prisma.signingKey.findMany({ where: { retiredAt: null }, orderBy: { createdAt: 'asc' } });
      return { keys: rows.map((row) => row.publicJwk as unknown as JWK) };
    },
    /** Starts signing with a new key; the old one stays in the JWKS until retired, so issued tokens stay valid. */
    async rotate(): Promise<void> {
      await create();
      active = await loadNewest();
    },
  };
}

export type SigningKeyStore = ReturnType<typeof createSigningKeyStore>;
