import { Counter, type Registry } from 'prom-client';
import type { GatewayOptions } from './gateway.js';

/**
 * The gateway's series: every relayed call by method and gRPC status, and refusals by method (a cluster or
 * mover asking for what its token does not allow: a misconfigured agent, or a tenant probing).
 */
export function gatewayMetrics(registry: Registry): Required<Pick<GatewayOptions, 'onAnswered' | 'onRefused'>> {
  const answered = new Counter({
    name: 'haven_gateway_calls_total',
    help: 'Calls from agents and mover pods the gateway answered, by method and gRPC status.',
    labelNames: ['method', 'code'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'haven_gateway_refusals_total',
    help: 'Calls or tasks the gateway refused to a caller, by method.',
    labelNames: ['method'],
    registers: [registry],
  });
  return {
    onAnswered: ({ method, code }) => answered.inc({ method, code }),
    onRefused: ({ method }) => refused.inc({ method }),
  };
}
