import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

const REQUEST_BUCKETS_SECONDS = [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10];

/**
 * Requests the API answered, by method, route pattern (never the raw URL: ids would make a series per
 * record) and status.
 */
export function installRequestMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'haven_api_requests_total',
    help: 'Requests the API answered, by method, route and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'haven_api_request_duration_seconds',
    help: 'Time the API took to answer, by method and route.',
    labelNames: ['method', 'route'],
    buckets: REQUEST_BUCKETS_SECONDS,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
