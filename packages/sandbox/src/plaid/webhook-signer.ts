import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { WireJwk } from './wire-types.js';

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/**
 * Signs webhook bodies the way Plaid does (docs: "Verify webhooks"): the `Plaid-Verification` header is an ES256 JWT
 * whose protected header is `{ alg: 'ES256', kid, typ: 'JWT' }` and whose payload is `{ iat, request_body_sha256 }`,
 * the hex SHA-256 of the exact body bytes. Receivers fetch the public key with /webhook_verification_key/get.
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

  sign(rawBody: string, issuedAt: Date): string {
    const header = base64url(JSON.stringify({ alg: 'ES256', kid: this.keyId, typ: 'JWT' }));
    const payload = base64url(
      JSON.stringify({
        iat: Math.floor(issuedAt.getTime() / 1000),
        request_body_sha256: createHash('sha256').update(rawBody, 'utf8').digest('hex'),
      }),
    );
    // RFC 7518 §3.4: an ES256 signature is the raw r || s pair (64 bytes), not DER.
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${header}.${payload}.${base64url(signature)}`;
  }
}
