import type { Redis } from 'ioredis';
import { type Health, type HealthCheck, pingRedis } from '@platform/service-runtime';
import type { Upstream } from '../proxy/upstream';

function upstreamReady(upstream: Upstream): HealthCheck {
  return async (signal) => {
    const { status } = await upstream.getJson('/health/ready', signal);
    if (status !== 200) throw new Error(`${upstream.name} /health/ready answered ${status}`);
  };
}

/**
 * What `/health/ready` checks (see README "Health"):
 * - user-service is critical: login, sign-up and every token's key set come from it, and a replica that
 *   cannot reach it (wrong URL, network policy) must not get traffic;
 * - notification-service is not: without it only `/api/notifications` fails (503 from its breaker), which
 *   must not take the whole gateway out of rotation;
 * - Redis is not: the rate limits have a defined degraded mode (general fails open, login per process).
 */
export function registerReadinessChecks(
  health: Health,
  dependencies: { userService: Upstream; notificationService: Upstream; redis: Redis },
): void {
  health
    .register('user-service', upstreamReady(dependencies.userService), { critical: true })
    .register('notification-service', upstreamReady(dependencies.notificationService), { critical: false })
    .register('redis', () => pingRedis(dependencies.redis), { critical: false });
}
