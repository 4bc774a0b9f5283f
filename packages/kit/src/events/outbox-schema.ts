/**
 * The tables a service that publishes or consumes events declares in its own first migration
 * (`prisma/migrations/<first>/migration.sql`), in its own schema:
 *
 * - `outbox`: events written in the same transaction as the state change, published by {@link createOutboxRelay}.
 *   The index serves the relay's scan for unpublished rows in creation order.
 * - `processed_events`: one row per event a consumer has applied, so a redelivered event is recognised.
 *
 * ```sql
 * CREATE TABLE "outbox" ("id" UUID NOT NULL PRIMARY KEY, "subject" TEXT NOT NULL, "envelope" JSONB NOT NULL,
 *   "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "published_at" TIMESTAMPTZ(3),
 *   "attempts" INTEGER NOT NULL DEFAULT 0, "last_error" TEXT);
 * CREATE INDEX "outbox_published_at_created_at_idx" ON "outbox"("published_at", "created_at");
 * CREATE TABLE "processed_events" ("consumer" TEXT NOT NULL, "event_id" UUID NOT NULL,
 *   "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
 *   CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer", "event_id"));
 * ```
 */
export const OUTBOX_TABLES_SQL = `CREATE TABLE "outbox" ("id" UUID NOT NULL PRIMARY KEY, "subject" TEXT NOT NULL, "envelope" JSONB NOT NULL, "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "published_at" TIMESTAMPTZ(3), "attempts" INTEGER NOT NULL DEFAULT 0, "last_error" TEXT);
CREATE INDEX "outbox_published_at_created_at_idx" ON "outbox"("published_at", "created_at");
CREATE TABLE "processed_events" ("consumer" TEXT NOT NULL, "event_id" UUID NOT NULL, "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer", "event_id"));
`;

/**
 * The Prisma models matching {@link OUTBOX_TABLES_SQL}, to paste into a service's `schema.prisma` so that
 * `prisma migrate diff` sees no drift. Services write to these tables through `enqueueEvents`, not through the
 * models.
 *
 * ```prisma
 * model Outbox {
 *   id          String    @id @db.Uuid
 *   subject     String
 *   envelope    Json
 *   createdAt   DateTime  @default(now()) @map("created_at") @db.Timestamptz(3)
 *   publishedAt DateTime? @map("published_at") @db.Timestamptz(3)
 *   attempts    Int       @default(0)
 *   lastError   String?   @map("last_error")
 *
 *   @@index([publishedAt, createdAt])
 *   @@map("outbox")
 * }
 *
 * model ProcessedEvent {
 *   consumer    String
 *   eventId     String   @map("event_id") @db.Uuid
 *   processedAt DateTime @default(now()) @map("processed_at") @db.Timestamptz(3)
 *
 *   @@id([consumer, eventId])
 *   @@map("processed_events")
 * }
 * ```
 */
export const OUTBOX_PRISMA_MODELS = `model Outbox {
  id          String    @id @db.Uuid
  subject     String
  envelope    Json
  createdAt   DateTime  @default(now()) @map("created_at") @db.Timestamptz(3)
  publishedAt DateTime? @map("published_at") @db.Timestamptz(3)
  attempts    Int       @default(0)
  lastError   String?   @map("last_error")

  @@index([publishedAt, createdAt])
  @@map("outbox")
}

model ProcessedEvent {
  consumer    String
  eventId     String   @map("event_id") @db.Uuid
  processedAt DateTime @default(now()) @map("processed_at") @db.Timestamptz(3)

  @@id([consumer, eventId])
  @@map("processed_events")
}
`;
