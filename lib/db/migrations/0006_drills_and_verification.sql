CREATE TYPE "public"."verification_mode" AS ENUM('SAMPLED', 'FULL');--> statement-breakpoint
CREATE TYPE "public"."verification_status" AS ENUM('RUNNING', 'PASSED', 'FAILED');--> statement-breakpoint
CREATE TYPE "public"."verification_trigger" AS ENUM('SCHEDULE', 'REQUESTED');--> statement-breakpoint
ALTER TYPE "public"."definition_kind" ADD VALUE 'DRILL';--> statement-breakpoint
ALTER TYPE "public"."job_kind" ADD VALUE 'DRILL';--> statement-breakpoint
CREATE TABLE "storage_verifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"storage_target_id" uuid NOT NULL,
	"status" "verification_status" NOT NULL,
	"trigger" "verification_trigger" NOT NULL,
	"mode" "verification_mode" NOT NULL,
	"sample_percent" integer NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"figures" jsonb,
	"findings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"finding_count" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"workflow_id" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "storage_targets" ADD COLUMN "verification" jsonb DEFAULT '{"enabled":true,"cron":"0 3 * * 0","timeZone":"UTC","mode":"SAMPLED","samplePercent":10}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "drill" jsonb;--> statement-breakpoint
ALTER TABLE "recovery_points" ADD COLUMN "last_drill" jsonb;--> statement-breakpoint
ALTER TABLE "storage_verifications" ADD CONSTRAINT "storage_verifications_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "storage_verifications" ADD CONSTRAINT "storage_verifications_storage_target_fk" FOREIGN KEY ("org_id","storage_target_id") REFERENCES "public"."storage_targets"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "storage_verifications_target_started_idx" ON "storage_verifications" USING btree ("org_id","storage_target_id","started_at","id");--> statement-breakpoint
CREATE INDEX "storage_verifications_workflow_idx" ON "storage_verifications" USING btree ("workflow_id");