import type { VolumeStore } from '../storage/volume-store.js';
import type { EventRecorder } from './events.js';
import type { KubeApi } from './kube-api.js';

/** What every emulated component shares within one emulated cluster. */
export interface EmulatorContext {
  api: KubeApi;
  store: VolumeStore;
  /** Marks PVs this emulator provisioned: their data lives in this emulator's store. */
  instanceId: string;
  nodeNames: readonly string[];
  /** Several emulators may share an API server (one per test file); each handles its own namespaces. */
  inScope(namespace: string | undefined): boolean;
  events(component: string): EventRecorder;
  log(message: string): void;
}

/** Annotation naming the emulator instance that holds a PV's data. */
export const INSTANCE_ANNOTATION = 'emulator.haven.test/instance';
