import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import proto from '@temporalio/proto';
import type { SecretKeyring } from '../../lib/common/secrets.js';
import { CALL_RULES, CallRefused, type CallContext } from './call-rules.js';
import { PayloadGuard, refusedTaskFailure, TaskRefused } from './payload-guard.js';
import type { PrincipalResolver } from './principals.js';
import type { OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';

const { temporal } = proto;
// The SDK's reflection root (untyped): every method of the services a Temporal client may call.
const protoRoot = createRequire(import.meta.url)('@temporalio/proto/protos/json-module.js') as { lookupService(name: string): { methods: Record<string, unknown> } };
const SERVICES = ['temporal.api.workflowservice.v1.WorkflowService', 'temporal.api.operatorservice.v1.OperatorService'];
const WORKFLOW_SERVICE_PATH = '/temporal.api.workflowservice.v1.WorkflowService/';
/**
 * Above Temporal's own payload limit (2 MiB by default), below what lets an unauthenticated caller make
 * the gateway buffer much: a request's body is read before its token is checked.
 */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** A principal's long polls in flight: an agent's worker uses a few; more would starve other tenants. */
const MAX_POLLS_PER_PRINCIPAL = 16;
/** A principal's other calls: heartbeats and answers, far above what one cluster's work needs. */
const CALLS_PER_SECOND_PER_PRINCIPAL = 200;
/** The only client metadata forwarded: what Temporal reads to know the SDK. Never a caller type or priority. */
const FORWARDED_METADATA = ['client-name', 'client-version', 'supported-server-versions'];
/** How long the gateway gives itself to record a refused task as failed. */
const FAIL_TASK_TIMEOUT_MS = 10_000;

export interface GatewayOptions {
  /** host:port of the Temporal frontend. */
  upstream: string;
  namespace: string;
  /** host:port to listen on; port 0 picks a free one. */
  listen: string;
  installationKeyring: SecretKeyring;
  principals: PrincipalResolver;
  payloadKeys: OrganizationPayloadKeys;
  /** PEM certificate chain and key: serve TLS. Without them the gateway serves plaintext (behind a TLS-terminating proxy, or in development). */
  tls?: { certChain: Buffer; privateKey: Buffer };
  /** Serve plaintext on an address other hosts reach: only behind a proxy that terminates TLS. */
  allowPlaintext?: boolean;
  onRefused?: (event: { principal: string; method: string; reason: string }) => void;
  /** Every answered call, with its gRPC status name (OK, PERMISSION_DENIED, …): the gateway's metrics. */
  onAnswered?: (event: { method: string; code: string }) => void;
}

export interface RunningGateway {
  address: string;
  close(): Promise<void>;
}

const identity = (bytes: Buffer) => bytes;

function bearer(metadata: grpc.Metadata): string | undefined {
  const [value] = metadata.get('authorization');
  const match = typeof value === 'string' ? /^Bearer\s+(\S+)$/i.exec(value) : undefined;
  return match?.[1];
}

function refused(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** Fresh metadata for Temporal: the allowed SDK headers and the namespace, nothing else the caller sent. */
function upstreamMetadata(from: grpc.Metadata | undefined, namespace: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const name of FORWARDED_METADATA) {
    const [value] = from?.get(name) ?? [];
    if (typeof value === 'string') metadata.set(name, value);
  }
  metadata.set('temporal-namespace', namespace);
  return metadata;
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';

/** Per principal: long polls in flight, and a token bucket for the other calls. */
class PrincipalLimits {
  private readonly polls = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  startPoll(name: string): (() => void) | undefined {
    const inFlight = this.polls.get(name) ?? 0;
    if (inFlight >= MAX_POLLS_PER_PRINCIPAL) return undefined;
    this.polls.set(name, inFlight + 1);
    return () => {
      const left = (this.polls.get(name) ?? 1) - 1;
      if (left <= 0) this.polls.delete(name);
      else this.polls.set(name, left);
    };
  }

  takeCall(name: string, now = Date.now()): boolean {
    const bucket = this.buckets.get(name) ?? { tokens: CALLS_PER_SECOND_PER_PRINCIPAL, at: now };
    bucket.tokens = Math.min(CALLS_PER_SECOND_PER_PRINCIPAL, bucket.tokens + ((now - bucket.at) / 1000) * CALLS_PER_SECOND_PER_PRINCIPAL);
    bucket.at = now;
    if (this.buckets.size > 10_000) this.buckets.clear();
    this.buckets.set(name, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/**
 * The only door from a cluster into Haven's Temporal: a gRPC server speaking Temporal's API that
 * authenticates every call by its bearer token (Temporal's API key), lets through only what the
 * caller's principal may do (call-rules.ts), and opens and seals payloads for it (payload-guard.ts).
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  if (!options.tls && !options.allowPlaintext && !isLoopback(host)) {
    throw new Error(`the gateway would serve plaintext on ${options.listen}, which other hosts reach: give it a certificate (HAVEN_GATEWAY_TLS_CERT, HAVEN_GATEWAY_TLS_KEY), or set HAVEN_GATEWAY_ALLOW_PLAINTEXT=true behind a proxy that terminates TLS`);
  }
  const channelOptions = { 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES };
  const upstream = new grpc.Client(options.upstream, grpc.credentials.createInsecure(), channelOptions);
  const server = new grpc.Server({ ...channelOptions, 'grpc.max_concurrent_streams': 1024 });
  const limits = new PrincipalLimits();
  const payloads = new PayloadGuard(options.payloadKeys);

  const forward = (path: string, request: Buffer, metadata: grpc.Metadata, deadline: grpc.Deadline, cancelled: { on(listener: () => void): void }) =>
    new Promise<Buffer>((resolve, reject) => {
      const call = upstream.makeUnaryRequest(path, identity, identity, request, metadata, { deadline }, (error, response) =>
        error ? reject(error) : resolve(response as Buffer),
      );
      cancelled.on(() => call.cancel());
    });

  /** Records a task the principal may not have as failed upstream, so it does not wait for a timeout. */
  const failTask = async (taskToken: Uint8Array, reason: string) => {
    const request = temporal.api.workflowservice.v1.RespondActivityTaskFailedRequest.encode({
      namespace: options.namespace,
      taskToken,
      failure: refusedTaskFailure(reason),
      identity: 'haven-gateway',
    }).finish();
    // Its own deadline and metadata: the poller's may be nearly spent, and it must not shape this call.
    await forward(`${WORKFLOW_SERVICE_PATH}RespondActivityTaskFailed`, Buffer.from(request), upstreamMetadata(undefined, options.namespace), Date.now() + FAIL_TASK_TIMEOUT_MS, { on: () => undefined }).catch(() => undefined);
  };

  for (const serviceName of SERVICES) {
    const service = protoRoot.lookupService(serviceName);
    for (const method of Object.keys(service.methods)) {
      const path = `/${serviceName}/${method}`;
      const rule = serviceName.endsWith('WorkflowService') ? CALL_RULES[method] : undefined;
      const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, answer) => {
        const callback: grpc.sendUnaryData<Buffer> = (error, value) => {
          options.onAnswered?.({ method, code: error ? (grpc.status[error.code ?? grpc.status.UNKNOWN] ?? 'UNKNOWN') : 'OK' });
          answer(error, value);
        };
        void (async () => {
          let principal;
          try {
            const token = bearer(call.metadata);
            principal = token ? await options.principals.resolve(token) : undefined;
          } catch {
            // The database is away: say so, and let the caller retry; never a crash for every tenant.
            return callback(refused(grpc.status.UNAVAILABLE, 'the gateway cannot check tokens right now; retry'));
          }
          if (!principal) return callback(refused(grpc.status.UNAUTHENTICATED, 'a valid agent or mover token is required (Authorization: Bearer <token>)'));
          const context: CallContext = { namespace: options.namespace, installationKeyring: options.installationKeyring, payloads, principal };
          const endPoll = method === 'PollActivityTaskQueue' ? limits.startPoll(principal.name) : undefined;
          if (method === 'PollActivityTaskQueue' ? !endPoll : !limits.takeCall(principal.name)) {
            return callback(refused(grpc.status.RESOURCE_EXHAUSTED, `${principal.name} has too many calls in flight; slow down`));
          }
          try {
            if (!rule) throw new CallRefused(`${method} is not allowed to ${principal.name}`);
            const request = await rule.request(call.request, context);
            const metadata = upstreamMetadata(call.metadata, options.namespace);
            const deadline = call.getDeadline();
            const response = await forward(path, request, metadata, deadline, { on: (listener) => call.on('cancelled', listener) });
            if (!rule.response) return callback(null, response);
            try {
              return callback(null, await rule.response(response, context));
            } catch (error) {
              if (!(error instanceof TaskRefused)) throw error;
              // The task was dispatched to this poller: fail it where it belongs, and answer "no task".
              const task = temporal.api.workflowservice.v1.PollActivityTaskQueueResponse.decode(response);
              options.onRefused?.({ principal: principal.name, method, reason: error.message });
              await failTask(task.taskToken, error.message);
              return callback(null, Buffer.alloc(0));
            }
          } catch (error) {
            if (error instanceof CallRefused) {
              options.onRefused?.({ principal: principal.name, method, reason: error.message });
              return callback(refused(grpc.status.PERMISSION_DENIED, error.message));
            }
            if (typeof (error as grpc.ServiceError).code === 'number') return callback(error as grpc.ServiceError);
            return callback(refused(grpc.status.INTERNAL, `the gateway could not relay ${method}`));
          } finally {
            endPoll?.();
          }
        })();
      };
      server.register(path, handler, identity, identity, 'unary');
    }
  }

  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: options.tls.certChain, private_key: options.tls.privateKey }], false)
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(options.listen, credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
  return {
    address: `${host === '0.0.0.0' || host === '' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => {
          upstream.close();
          resolve();
        });
        // Long polls would hold a graceful shutdown for a minute: end them after a short grace.
        setTimeout(() => server.forceShutdown(), 2_000).unref();
      }),
  };
}
