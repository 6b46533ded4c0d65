CREATE TYPE "public"."cloud_account_auth" AS ENUM('ACCESS_KEYS', 'ASSUME_ROLE');--> statement-breakpoint
CREATE TYPE "public"."rds_database_type" AS ENUM('INSTANCE', 'CLUSTER');--> statement-breakpoint
CREATE TYPE "public"."recovery_point_source" AS ENUM('kubernetes', 'awsrds');--> statement-breakpoint
ALTER TYPE "public"."definition_kind" ADD VALUE 'RDS_BACKUP';--> statement-breakpoint
ALTER TYPE "public"."job_kind" ADD VALUE 'RDS_BACKUP';--> statement-breakpoint
ALTER TYPE "public"."job_kind" ADD VALUE 'RDS_RESTORE';--> statement-breakpoint
CREATE TABLE "cloud_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"auth_kind" "cloud_account_auth" NOT NULL,
	"role_arn" text,
	"credentials_ciphertext" text,
	"aws_account_id" text NOT NULL,
	"regions" jsonb NOT NULL,
	"last_inventory_at" timestamp with time zone,
	"last_inventory_error" text,
	CONSTRAINT "cloud_accounts_org_id_id_unique" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "rds_databases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"cloud_account_id" uuid NOT NULL,
	"region" text NOT NULL,
	"type" "rds_database_type" NOT NULL,
	"identifier" text NOT NULL,
	"arn" text NOT NULL,
	"engine" text NOT NULL,
	"engine_version" text DEFAULT '' NOT NULL,
	"status" text NOT NULL,
	"instance_class" text,
	"automatic_snapshots" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "definitions" ALTER COLUMN "cluster_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "recovery_points" ALTER COLUMN "storage_target_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "recovery_points" ADD COLUMN "source_type" "recovery_point_source" DEFAULT 'kubernetes' NOT NULL;--> statement-breakpoint
ALTER TABLE "recovery_points" ADD COLUMN "rds" jsonb;--> statement-breakpoint
ALTER TABLE "cloud_accounts" ADD CONSTRAINT "cloud_accounts_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rds_databases" ADD CONSTRAINT "rds_databases_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rds_databases" ADD CONSTRAINT "rds_databases_account_fk" FOREIGN KEY ("org_id","cloud_account_id") REFERENCES "public"."cloud_accounts"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "cloud_accounts_org_name_unique" ON "cloud_accounts" USING btree ("org_id","name");--> statement-breakpoint
CREATE INDEX "cloud_accounts_org_created_idx" ON "cloud_accounts" USING btree ("org_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "rds_databases_identity_unique" ON "rds_databases" USING btree ("org_id","cloud_account_id","region","type","identifier");--> statement-breakpoint
CREATE INDEX "rds_databases_org_created_idx" ON "rds_databases" USING btree ("org_id","created_at","id");