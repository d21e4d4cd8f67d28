import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type { PrismaClient };

/** Prisma on node-postgres (driver adapter): no native query engine needed. */
export function createPrismaClient(options: { url: string; poolSize: number }): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // 'minimal': no source-code frame in error messages (slow to build, and not for logs).
  return new PrismaClient({ adapter, errorFormat: 'minimal' });
}

export async function pingDatabase(prisma: PrismaClient): Promise<void> {
  await prisma.$queryRaw`SELECT 1`;
}
