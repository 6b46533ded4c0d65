import type { CoreV1Api, V1ObjectReference } from '@kubernetes/client-node';

export type EventType = 'Normal' | 'Warning';

/**
 * Records core/v1 Events the way controllers do, so Haven (and people) see the same reasons and messages
 * a real cluster would show. Failing to record an event never fails the reconcile that wanted it.
 */
export class EventRecorder {
  constructor(
    private readonly core: CoreV1Api,
    private readonly component: string,
    private readonly host?: string,
  ) {}

  async record(involved: V1ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = involved.namespace || 'default';
    const now = new Date();
    try {
      await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${involved.name ?? 'object'}.`, namespace },
          involvedObject: involved,
          type,
          reason,
          message,
          source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          reportingComponent: this.component,
          reportingInstance: this.host ?? this.component,
        },
      });
    } catch {
      // Events are best effort in Kubernetes too.
    }
  }
}
