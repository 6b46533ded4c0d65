import { randomBytes } from 'node:crypto';
import type { SerializationContext } from '@temporalio/common';
import { and, desc, eq } from 'drizzle-orm';
import { decryptSecret, encryptSecret, type SecretKeyring } from '../common/secrets.js';
import { organizationOfWorkflowId } from '../common/temporal/names.js';
import { installationPayloadKeys, type PayloadKey, type PayloadKeySource } from '../common/temporal/payload-codec.js';
import type { Database } from './client.js';
import { organizationPayloadKeys } from './schema/index.js';

const KEY_ID = /^org\.([0-9a-f-]{36})\.(\d+)$/;
/** How long a process keeps sealing with the key it read: a rotation reaches every process within this. */
const CURRENT_KEY_CACHE_MS = 60_000;

/** `org.<organization>.<version>`: never an installation key id, which has no dots. */
export function organizationKeyId(orgId: string, version: number): string {
  return `org.${orgId}.${version}`;
}

/** The organization whose key `keyId` names; undefined for an installation key. */
export function organizationOfKeyId(keyId: string): string | undefined {
  return KEY_ID.exec(keyId)?.[1];
}

const wrapContext = (orgId: string, version: number) => `payload-key:${orgId}:${version}`;

/**
 * Payload keys per organization, wrapped by the installation key. A payload of an organization's
 * workflow (its id starts with the organization: `organizationWorkflowId`) is sealed with that
 * organization's current key; the installation's own workflows use the installation key, which never
 * leaves the control plane. Keys are created on first use and rotated by adding a version.
 */
export class OrganizationPayloadKeys implements PayloadKeySource {
  private readonly installation: PayloadKeySource;
  private readonly opened = new Map<string, Buffer>();
  private readonly current = new Map<string, { key: PayloadKey; until: number }>();

  constructor(
    private readonly db: Database,
    private readonly installationKeyring: SecretKeyring,
    private readonly now: () => number = Date.now,
  ) {
    this.installation = installationPayloadKeys(installationKeyring);
  }

  async encryptionKey(context?: SerializationContext): Promise<PayloadKey> {
    const orgId = organizationOfWorkflowId(context?.workflowId);
    return orgId ? this.organizationKey(orgId) : this.installation.encryptionKey(context);
  }

  async decryptionKey(id: string): Promise<Buffer | undefined> {
    const match = KEY_ID.exec(id);
    if (!match) return this.installation.decryptionKey(id);
    const known = this.opened.get(id);
    if (known) return known;
    const [orgId, version] = [match[1]!, Number(match[2])];
    const [row] = await this.db
      .select()
      .from(organizationPayloadKeys)
      .where(and(eq(organizationPayloadKeys.orgId, orgId), eq(organizationPayloadKeys.version, version)));
    return row ? this.open(row) : undefined;
  }

  /** The key an organization's payloads are sealed with now, created on first use. */
  async organizationKey(orgId: string): Promise<PayloadKey> {
    const cached = this.current.get(orgId);
    if (cached && cached.until > this.now()) return cached.key;
    let [row] = await this.latest(orgId);
    if (!row) {
      // Two processes may create it at once: one insert wins, both read the winner.
      await this.db.insert(organizationPayloadKeys).values(this.wrapped(orgId, 1)).onConflictDoNothing();
      [row] = await this.latest(orgId);
    }
    const key = { id: organizationKeyId(orgId, row!.version), key: this.open(row!) };
    this.current.set(orgId, { key, until: this.now() + CURRENT_KEY_CACHE_MS });
    return key;
  }

  /** A source that seals everything with `orgId`'s key: for calls that carry no workflow context (schedules). */
  forOrganization(orgId: string): PayloadKeySource {
    return { encryptionKey: () => this.organizationKey(orgId), decryptionKey: (id) => this.decryptionKey(id) };
  }

  /** Adds a new current key; older ones keep opening what they sealed. Returns the new key's id. */
  async rotate(orgId: string): Promise<string> {
    // Two rotations at once: one insert wins each version, the other tries the next.
    for (;;) {
      const [row] = await this.latest(orgId);
      const version = (row?.version ?? 0) + 1;
      const inserted = await this.db.insert(organizationPayloadKeys).values(this.wrapped(orgId, version)).onConflictDoNothing().returning({ version: organizationPayloadKeys.version });
      if (inserted.length === 0) continue;
      this.current.delete(orgId);
      return organizationKeyId(orgId, version);
    }
  }

  private latest(orgId: string) {
    return this.db.select().from(organizationPayloadKeys).where(eq(organizationPayloadKeys.orgId, orgId)).orderBy(desc(organizationPayloadKeys.version)).limit(1);
  }

  private wrapped(orgId: string, version: number) {
    return { orgId, version, wrappedKey: encryptSecret(this.installationKeyring, randomBytes(32).toString('base64'), wrapContext(orgId, version)) };
  }

  private open(row: { orgId: string; version: number; wrappedKey: string }): Buffer {
    const id = organizationKeyId(row.orgId, row.version);
    let key = this.opened.get(id);
    if (!key) {
      key = Buffer.from(decryptSecret(this.installationKeyring, row.wrappedKey, wrapContext(row.orgId, row.version)), 'base64');
      this.opened.set(id, key);
    }
    return key;
  }
}
