CREATE TYPE "public"."definition_kind" AS ENUM('BACKUP', 'REPLICATION', 'RESTORE');--> statement-breakpoint
CREATE TYPE "public"."hook_type" AS ENUM('PRE_BACKUP', 'POST_BACKUP', 'POST_RESTORE');--> statement-breakpoint
CREATE TYPE "public"."job_kind" AS ENUM('BACKUP', 'REPLICATION', 'RESTORE', 'RECOVERY_POINT_DELETE');--> statement-breakpoint
CREATE TYPE "public"."job_status" AS ENUM('RUNNING', 'COMPLETED', 'PARTIAL', 'FAILED', 'SKIPPED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "public"."recovery_point_type" AS ENUM('SNAPSHOT', 'COPY');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('admin', 'operator', 'viewer');--> statement-breakpoint
CREATE TYPE "public"."storage_target_kind" AS ENUM('S3', 'FILESYSTEM');--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"default_storage_target_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"role" "role" NOT NULL,
	"key_hash" text NOT NULL,
	"key_hint" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "storage_targets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"kind" "storage_target_kind" NOT NULL,
	"config" jsonb NOT NULL,
	"credentials_ciphertext" text,
	"object_lock_capable" boolean DEFAULT false NOT NULL,
	CONSTRAINT "storage_targets_org_id_id_unique" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "clusters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"kubelet_pods_dir" text NOT NULL,
	"default_storage_target_id" uuid,
	"agent_token_hash" text NOT NULL,
	"agent_last_seen_at" timestamp with time zone,
	CONSTRAINT "clusters_org_id_id_unique" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"time_zone" text NOT NULL,
	"schedules" jsonb NOT NULL,
	CONSTRAINT "policies_org_id_id_unique" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "app_hooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"type" "hook_type" NOT NULL,
	"command" jsonb NOT NULL,
	"pod_selector" text NOT NULL,
	"namespaces" jsonb NOT NULL,
	"container" text,
	"timeout_seconds" integer NOT NULL,
	"on_error" text NOT NULL,
	CONSTRAINT "app_hooks_org_id_id_unique" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "definitions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"kind" "definition_kind" NOT NULL,
	"name" text NOT NULL,
	"cluster_id" uuid NOT NULL,
	"destination_cluster_id" uuid,
	"policy_id" uuid,
	"storage_target_id" uuid,
	"recovery_point_id" uuid,
	"spec" jsonb NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	CONSTRAINT "definitions_org_id_id_unique" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "hook_bindings" (
	"org_id" uuid NOT NULL,
	"definition_id" uuid NOT NULL,
	"phase" text NOT NULL,
	"position" integer NOT NULL,
	"hook_id" uuid NOT NULL,
	CONSTRAINT "hook_bindings_definition_id_phase_position_pk" PRIMARY KEY("definition_id","phase","position")
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" "job_kind" NOT NULL,
	"definition_id" uuid,
	"definition_name" text NOT NULL,
	"cluster_id" uuid,
	"status" "job_status" NOT NULL,
	"skip_reason" text,
	"message" text DEFAULT '' NOT NULL,
	"started_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"bytes_transferred" bigint DEFAULT 0 NOT NULL,
	"files_transferred" bigint DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"workflow_id" text NOT NULL,
	"workflow_run_id" text
);
--> statement-breakpoint
CREATE TABLE "recovery_points" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"type" "recovery_point_type" NOT NULL,
	"cluster_id" uuid,
	"cluster_name" text NOT NULL,
	"definition_id" uuid,
	"definition_name" text NOT NULL,
	"job_id" uuid,
	"storage_target_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"snapshot_expires_at" timestamp with time zone,
	"locked_until" timestamp with time zone,
	"size_bytes" bigint DEFAULT 0 NOT NULL,
	"contents" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_default_storage_target_fk" FOREIGN KEY ("id","default_storage_target_id") REFERENCES "public"."storage_targets"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "storage_targets" ADD CONSTRAINT "storage_targets_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_default_storage_target_fk" FOREIGN KEY ("org_id","default_storage_target_id") REFERENCES "public"."storage_targets"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies" ADD CONSTRAINT "policies_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_hooks" ADD CONSTRAINT "app_hooks_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "definitions" ADD CONSTRAINT "definitions_recovery_point_id_recovery_points_id_fk" FOREIGN KEY ("recovery_point_id") REFERENCES "public"."recovery_points"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "definitions" ADD CONSTRAINT "definitions_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "definitions" ADD CONSTRAINT "definitions_cluster_fk" FOREIGN KEY ("org_id","cluster_id") REFERENCES "public"."clusters"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "definitions" ADD CONSTRAINT "definitions_destination_cluster_fk" FOREIGN KEY ("org_id","destination_cluster_id") REFERENCES "public"."clusters"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "definitions" ADD CONSTRAINT "definitions_policy_fk" FOREIGN KEY ("org_id","policy_id") REFERENCES "public"."policies"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "definitions" ADD CONSTRAINT "definitions_storage_target_fk" FOREIGN KEY ("org_id","storage_target_id") REFERENCES "public"."storage_targets"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hook_bindings" ADD CONSTRAINT "hook_bindings_definition_fk" FOREIGN KEY ("org_id","definition_id") REFERENCES "public"."definitions"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hook_bindings" ADD CONSTRAINT "hook_bindings_hook_fk" FOREIGN KEY ("org_id","hook_id") REFERENCES "public"."app_hooks"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_definition_id_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."definitions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recovery_points" ADD CONSTRAINT "recovery_points_cluster_id_clusters_id_fk" FOREIGN KEY ("cluster_id") REFERENCES "public"."clusters"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recovery_points" ADD CONSTRAINT "recovery_points_definition_id_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."definitions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recovery_points" ADD CONSTRAINT "recovery_points_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recovery_points" ADD CONSTRAINT "recovery_points_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recovery_points" ADD CONSTRAINT "recovery_points_storage_target_fk" FOREIGN KEY ("org_id","storage_target_id") REFERENCES "public"."storage_targets"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_unique" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_org_idx" ON "api_keys" USING btree ("org_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "storage_targets_org_name_unique" ON "storage_targets" USING btree ("org_id","name");--> statement-breakpoint
CREATE INDEX "storage_targets_org_created_idx" ON "storage_targets" USING btree ("org_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "clusters_org_name_unique" ON "clusters" USING btree ("org_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "clusters_agent_token_hash_unique" ON "clusters" USING btree ("agent_token_hash");--> statement-breakpoint
CREATE INDEX "clusters_org_created_idx" ON "clusters" USING btree ("org_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "policies_org_name_unique" ON "policies" USING btree ("org_id","name");--> statement-breakpoint
CREATE INDEX "policies_org_created_idx" ON "policies" USING btree ("org_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "app_hooks_org_name_unique" ON "app_hooks" USING btree ("org_id","name");--> statement-breakpoint
CREATE INDEX "app_hooks_org_created_idx" ON "app_hooks" USING btree ("org_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "definitions_org_kind_name_unique" ON "definitions" USING btree ("org_id","kind","name");--> statement-breakpoint
CREATE INDEX "definitions_org_kind_created_idx" ON "definitions" USING btree ("org_id","kind","created_at","id");--> statement-breakpoint
CREATE INDEX "definitions_cluster_idx" ON "definitions" USING btree ("cluster_id");--> statement-breakpoint
CREATE INDEX "definitions_destination_cluster_idx" ON "definitions" USING btree ("destination_cluster_id");--> statement-breakpoint
CREATE INDEX "definitions_policy_idx" ON "definitions" USING btree ("policy_id");--> statement-breakpoint
CREATE INDEX "definitions_storage_target_idx" ON "definitions" USING btree ("storage_target_id");--> statement-breakpoint
CREATE INDEX "hook_bindings_hook_idx" ON "hook_bindings" USING btree ("hook_id");--> statement-breakpoint
CREATE INDEX "jobs_org_started_idx" ON "jobs" USING btree ("org_id","started_at","id");--> statement-breakpoint
CREATE INDEX "jobs_definition_idx" ON "jobs" USING btree ("definition_id");--> statement-breakpoint
CREATE INDEX "recovery_points_org_created_idx" ON "recovery_points" USING btree ("org_id","created_at","id");--> statement-breakpoint
CREATE INDEX "recovery_points_storage_target_idx" ON "recovery_points" USING btree ("storage_target_id");