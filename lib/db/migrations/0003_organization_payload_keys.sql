CREATE TABLE "organization_payload_keys" (
	"org_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"wrapped_key" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organization_payload_keys_pk" PRIMARY KEY("org_id","version")
);
--> statement-breakpoint
ALTER TABLE "organization_payload_keys" ADD CONSTRAINT "organization_payload_keys_org_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;