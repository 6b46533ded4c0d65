ALTER TABLE "recovery_points" ADD COLUMN "deletion_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "recovery_points" ADD COLUMN "deletion_retry_at" timestamp with time zone;