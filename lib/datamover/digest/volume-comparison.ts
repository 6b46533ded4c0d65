import { SnapshotBrowser } from '../browse/snapshot-browser.js';
import { comparePaths } from '../manifest/walk-order.js';
import type { Repository } from '../repository/repository.js';
import { scanXattrs } from '../xattrs/attr-tools.js';
import { describeLineDifference, TreeDigest, type DigestOptions } from './entry-digest.js';
import { snapshotLines } from './snapshot-lines.js';
import { blockVolumeLines, volumeLines, type DigestFigures, type SideLine } from './volume-lines.js';

/** How many differing paths a comparison names unless told otherwise; it counts them all. */
export const DEFAULT_MAX_NAMED_DIFFERENCES = 20;

export interface VolumeDifference {
  path: string;
  message: string;
}

export interface VolumeComparison {
  volumeDigest: string;
  pointDigest: string;
  /** The two digests are equal: every line is. */
  matched: boolean;
  /** Entries digested on each side and bytes read for content. */
  volume: DigestFigures;
  point: DigestFigures;
  /** Every path whose lines differ, on either side. */
  differencesFound: number;
  /** The first of them in walk order, at most `maxDifferences`. */
  differences: VolumeDifference[];
  /** False when the volume's extended attributes could not be read (no getfattr): neither side's were compared. */
  xattrsCompared: boolean;
}

export interface VolumeComparisonRequest {
  snapshotId: string;
  /** The mounted volume: its root directory, or the block device. */
  dataPath: string;
  maxDifferences?: number;
  /** Live figures as both sides read, for heartbeats; `expectedBytes` once the snapshot is known. */
  observe?: (figures: { volume: DigestFigures; point: DigestFigures; expectedBytes: number }) => void;
}

/**
 * Reads a restored volume back and digests it, digests the recovery point's copy from the repository
 * (without restoring it), and merge-joins the two in walk order, naming the first differing paths. Both
 * sides go through entry-digest.ts's one line function; memory is one directory listing per level on the
 * volume side, the manifest's read-ahead on the other, and the named differences.
 */
export async function compareVolumeWithSnapshot(repository: Repository, request: VolumeComparisonRequest): Promise<VolumeComparison> {
  const maxDifferences = request.maxDifferences ?? DEFAULT_MAX_NAMED_DIFFERENCES;
  const snapshot = await repository.readSnapshot(request.snapshotId);
  const browser = await SnapshotBrowser.open(repository, request.snapshotId);
  const block = browser.volumeMode === 'block';
  const xattrs = block ? undefined : await scanXattrs(request.dataPath);
  const options: DigestOptions = { volumeMode: browser.volumeMode, xattrs: xattrs !== undefined };
  const volume: DigestFigures = { entries: 0, bytes: 0 };
  const point: DigestFigures = { entries: 0, bytes: 0 };
  request.observe?.({ volume, point, expectedBytes: snapshot.stats.bytes });

  const pointSide = snapshotLines(browser, options, point);
  const volumeSide = block ? blockVolumeLines(request.dataPath, await blockSize(browser), options, volume) : volumeLines(request.dataPath, options, xattrs, volume);
  const digests = { volume: new TreeDigest(options), point: new TreeDigest(options) };
  const differences: VolumeDifference[] = [];
  let differencesFound = 0;
  const differ = (path: string, message: string) => {
    differencesFound++;
    if (differences.length < maxDifferences) differences.push({ path, message });
  };

  let [mine, theirs] = await Promise.all([volumeSide.next(), pointSide.next()]);
  while (!mine.done || !theirs.done) {
    const order = mine.done ? 1 : theirs.done ? -1 : comparePaths(mine.value.path, theirs.value.path);
    const [ours, points]: [SideLine | undefined, SideLine | undefined] = [order <= 0 ? (mine.value as SideLine) : undefined, order >= 0 ? (theirs.value as SideLine) : undefined];
    if (ours) digests.volume.add(ours.line);
    if (points) digests.point.add(points.line);
    if (ours && !points) differ(ours.path, 'on the volume, not in the recovery point');
    else if (points && !ours) differ(points.path, 'in the recovery point, missing from the volume');
    else if (ours && points && ours.line !== points.line) differ(ours.path, describeLineDifference(ours.line, points.line));
    [mine, theirs] = await Promise.all([ours ? volumeSide.next() : mine, points ? pointSide.next() : theirs]);
  }

  const [volumeDigest, pointDigest] = [digests.volume.hex(), digests.point.hex()];
  return { volumeDigest, pointDigest, matched: volumeDigest === pointDigest, volume, point, differencesFound, differences, xattrsCompared: options.xattrs };
}

/** A block copy's size: its one entry's. */
async function blockSize(browser: SnapshotBrowser): Promise<number> {
  for await (const entry of browser.entries()) return entry.size;
  return 0;
}

