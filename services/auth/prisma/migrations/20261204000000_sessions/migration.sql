-- One row per sign-in: the refresh-token family and the access tokens issued from it (their `sid` claim).
-- Revoking a session is one conditional update of its row, which refresh-token rotation also updates, so a
-- revocation and a rotation of the same session serialise on that row.
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "refreshed_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_reason" TEXT,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Families issued before sessions existed become sessions; a family with a revoked token stays revoked.
INSERT INTO "sessions" ("id", "user_id", "created_at", "revoked_at", "revoked_reason")
SELECT "family_id", "user_id", MIN("created_at"), MAX("revoked_at"),
       CASE WHEN MAX("revoked_at") IS NULL THEN NULL ELSE 'refresh_token_reused' END
FROM "refresh_tokens"
GROUP BY "family_id", "user_id";

ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_family_id_fkey" FOREIGN KEY ("family_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
