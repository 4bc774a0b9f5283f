import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { WireJwk } from './wire-types.js';

/**
 * Signs webhook bodies the way Plaid does (docs: "Verify webhooks"): the `Plaid-Verification` header is an ES256 JWT
 * whose protected header names the key (`kid`) and whose payload holds `iat` and `request_body_sha256`, the hex
 * SHA-256 of the exact body bytes. Receivers fetch the public key with /webhook_verification_key/get.
 */
export class WebhookSigner {
  private readonly privateKey: KeyObject;
  readonly publicJwk: WireJwk;

  constructor(
    readonly keyId: string,
    createdAt: Date,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('EC key without coordinates');
    this.publicJwk = {
      alg: 'ES256',
      crv: 'P-256',
      kid: keyId,
      kty: 'EC',
      use: 'sig',
      x: jwk.x,
      y: jwk.y,
      created_at: Math.floor(createdAt.getTime() / 1000),
      expired_at: null,
    };
  }

  async sign(rawBody: string, issuedAt: Date): Promise<string> {
    const request_body_sha256 = createHash('sha256').update(rawBody, 'utf8').digest('hex');
    return new SignJWT({ request_body_sha256 })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId, typ: 'JWT' })
      .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
      .sign(this.privateKey);
  }
}
