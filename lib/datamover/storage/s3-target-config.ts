import type { LookupFunction } from 'node:net';
import type { RetentionPolicy } from './backend.js';
import type { StorageRequestLimits } from './request-limits.js';

/** Where an S3 repository lives and how to reach it. */
export interface S3TargetConfig {
  bucket: string;
  /** Key prefix inside the bucket; one repository per prefix. */
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Set for immutable targets: every object gets COMPLIANCE retention for this long. */
  retention?: RetentionPolicy;
  /** Deadlines and answer sizes of every request; DEFAULT_STORAGE_REQUEST_LIMITS when not given. */
  limits?: StorageRequestLimits;
  /**
   * How connections resolve host names. The control plane passes a guard (EndpointNetworks.lookup) so the
   * address really dialled is one the installation allows; the system resolver when not given.
   */
  lookup?: LookupFunction;
}
