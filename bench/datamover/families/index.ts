import { database } from './database.js';
import type { Family } from './family.js';
import { hugeFiles } from './huge-files.js';
import { logs } from './logs.js';
import { media } from './media.js';
import { tinyFiles } from './tiny-files.js';
import { vmImage } from './vm-image.js';

/** Every dataset family the datamover bench runs, in order. */
export const FAMILIES: readonly Family[] = [database, vmImage, logs, media, tinyFiles, hugeFiles];
