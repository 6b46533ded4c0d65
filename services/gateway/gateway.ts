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
/** Temporal's payload limits are far above gRPC's 4 MiB default. */
const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

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
  onRefused?: (event: { principal: string; method: string; reason: string }) => void;
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

/**
 * The only door from a cluster into Haven's Temporal: a gRPC server speaking Temporal's API that
 * authenticates every call by its bearer token (Temporal's API key), lets through only what the
 * caller's principal may do (call-rules.ts), and opens and seals payloads for it (payload-guard.ts).
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const channelOptions = { 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES };
  const upstream = new grpc.Client(options.upstream, grpc.credentials.createInsecure(), channelOptions);
  const server = new grpc.Server(channelOptions);
  const payloads = new PayloadGuard(options.payloadKeys);

  const forward = (path: string, request: Buffer, metadata: grpc.Metadata, deadline: grpc.Deadline, cancelled: { on(listener: () => void): void }) =>
    new Promise<Buffer>((resolve, reject) => {
      const call = upstream.makeUnaryRequest(path, identity, identity, request, metadata, { deadline }, (error, response) =>
        error ? reject(error) : resolve(response as Buffer),
      );
      cancelled.on(() => call.cancel());
    });

  /** Records a task the principal may not have as failed upstream, so it does not wait for a timeout. */
  const failTask = async (taskToken: Uint8Array, reason: string, metadata: grpc.Metadata, deadline: grpc.Deadline) => {
    const request = temporal.api.workflowservice.v1.RespondActivityTaskFailedRequest.encode({
      namespace: options.namespace,
      taskToken,
      failure: refusedTaskFailure(reason),
      identity: 'haven-gateway',
    }).finish();
    await forward(`${WORKFLOW_SERVICE_PATH}RespondActivityTaskFailed`, Buffer.from(request), metadata, deadline, { on: () => undefined }).catch(() => undefined);
  };

  for (const serviceName of SERVICES) {
    const service = protoRoot.lookupService(serviceName);
    for (const method of Object.keys(service.methods)) {
      const path = `/${serviceName}/${method}`;
      const rule = serviceName.endsWith('WorkflowService') ? CALL_RULES[method] : undefined;
      const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
        void (async () => {
          const token = bearer(call.metadata);
          const principal = token ? await options.principals.resolve(token) : undefined;
          if (!principal) return callback(refused(grpc.status.UNAUTHENTICATED, 'a valid agent or mover token is required (Authorization: Bearer <token>)'));
          const context: CallContext = { namespace: options.namespace, installationKeyring: options.installationKeyring, payloads, principal };
          try {
            if (!rule) throw new CallRefused(`${method} is not allowed to ${principal.name}`);
            const request = await rule.request(call.request, context);
            const metadata = call.metadata.clone();
            metadata.remove('authorization');
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
              await failTask(task.taskToken, error.message, metadata, deadline);
              return callback(null, Buffer.alloc(0));
            }
          } catch (error) {
            if (error instanceof CallRefused) {
              options.onRefused?.({ principal: principal.name, method, reason: error.message });
              return callback(refused(grpc.status.PERMISSION_DENIED, error.message));
            }
            if (typeof (error as grpc.ServiceError).code === 'number') return callback(error as grpc.ServiceError);
            return callback(refused(grpc.status.INTERNAL, `the gateway could not relay ${method}`));
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
  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
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
