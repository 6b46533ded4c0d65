import { Type, type Static } from '@sinclair/typebox';
import { ClaimName, MAX_SELECTED_PATHS, ObjectName } from '../../../../lib/domain/definitions/granular-selection.js';
import { ResourceType } from '../../../../lib/domain/definitions/resource-type.js';
import { Id, NamespaceName, Nullable, StringEnum, Timestamp } from '../../../../lib/domain/schema-kit.js';
import { ENTRY_TYPES } from '../../../../proto/repository/index.js';
import { VolumePath } from '../../../../lib/domain/volume-paths.js';
import { PageQuery } from '../../http/pagination.js';

/** One resource a recovery point holds, as its backup recorded it. */
export const PointResource = Type.Object({
  type: { ...ResourceType, description: 'Plural resource name with its API group (`configmaps`, `deployments.apps`).' },
  apiVersion: Type.String(),
  kind: Type.String(),
  namespace: Nullable(NamespaceName, { description: 'null for a cluster-scoped resource.' }),
  name: Type.String(),
});
export type PointResource = Static<typeof PointResource>;

export const PointResourceDocument = Type.Object({
  ...PointResource.properties,
  yaml: Type.String({ description: 'The object as the backup stored it, as YAML.' }),
});
export type PointResourceDocument = Static<typeof PointResourceDocument>;

export const ResourceListQuery = Type.Object(
  {
    ...PageQuery,
    type: Type.Optional({ ...ResourceType, description: 'Only resources of this type.' }),
    namespace: Type.Optional({ ...NamespaceName, description: 'Only resources of this namespace.' }),
  },
  { additionalProperties: false },
);

export const ResourceParams = Type.Object({ id: Id, type: ResourceType, name: ObjectName }, { additionalProperties: false });
export const ResourceQuery = Type.Object(
  { namespace: Type.Optional({ ...NamespaceName, description: 'The resource\'s namespace; absent for a cluster-scoped resource.' }) },
  { additionalProperties: false },
);

export const VolumeParams = Type.Object({ id: Id, namespace: NamespaceName, claim: ClaimName }, { additionalProperties: false });

export const FileListQuery = Type.Object(
  { ...PageQuery, path: Type.Optional({ ...VolumePath, description: 'List this file or directory and what lies below it; the whole volume when absent.' }) },
  { additionalProperties: false },
);

/** One entry of a PV's file tree, as the copy recorded it. */
export const VolumeFile = Type.Object({
  path: Type.String({ description: 'Relative to the volume\'s root; `.` is the root.' }),
  type: StringEnum(ENTRY_TYPES),
  mode: Type.String({ pattern: '^[0-7]{4}$', description: 'Permission and special bits, octal (`0644`).' }),
  size: Type.Integer({ minimum: 0, description: 'Bytes of content (regular files and hard links).' }),
  uid: Type.Integer({ minimum: 0 }),
  gid: Type.Integer({ minimum: 0 }),
  modifiedAt: Timestamp,
  target: Type.Optional(Type.String({ description: 'A symlink\'s target; a hard link\'s first name.' })),
});
export type VolumeFile = Static<typeof VolumeFile>;

export const ArchiveRequest = Type.Object(
  {
    paths: Type.Array(VolumePath, {
      minItems: 1,
      maxItems: MAX_SELECTED_PATHS,
      uniqueItems: true,
      description: 'Files or directories to put in the archive, each with what lies below it; `.` for the whole volume.',
    }),
  },
  { additionalProperties: false },
);
