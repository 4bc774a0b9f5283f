-- The kit's event tables, applied by the kit in every service's own schema before the service's own migrations
-- (docs/decisions/019-kit-owned-migrations.md). IF NOT EXISTS: schemas migrated before the kit owned these tables
-- already hold them, created by the service's first migration, with this exact structure.

-- Events written in the same transaction as the state change they describe; the outbox relay publishes them.
CREATE TABLE IF NOT EXISTS "outbox" (
    "id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- Serves the relay's scan for unpublished rows in creation order.
CREATE INDEX IF NOT EXISTS "outbox_published_at_created_at_idx" ON "outbox"("published_at", "created_at");

-- One row per event a consumer has applied, so a redelivered event is recognised and changes nothing.
CREATE TABLE IF NOT EXISTS "processed_events" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer","event_id")
);
