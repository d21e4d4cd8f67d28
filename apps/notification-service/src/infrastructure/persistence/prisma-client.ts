import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type NotificationsPrismaClient = InstanceType<typeof PrismaClient>;

/** Prisma 7 runs on the pg driver through adapter-pg: no native engine needed at runtime. */
export function createPrismaClient(options: { url: string; poolSize: number }): NotificationsPrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolSize,
    // Fail a query fast while Postgres is away instead of queueing it forever.
    connectionTimeoutMillis: 5_000,
  });
  return new PrismaClient({ adapter });
}
