/** What the global setup hands to the test files (environment variables survive into Jest's workers). */
export const TEST_ENV = {
  templateDatabase: 'USER_SERVICE_TEST_TEMPLATE_DATABASE',
  rabbitmqUrl: 'USER_SERVICE_TEST_RABBITMQ_URL',
  redisUrl: 'USER_SERVICE_TEST_REDIS_URL',
  redisPrefix: 'USER_SERVICE_TEST_REDIS_PREFIX',
} as const;

export interface TestInfrastructure {
  /** A migrated database nobody connects to: every test file clones it. */
  templateDatabase: string;
  /** amqp URL of this run's throwaway vhost. */
  rabbitmqUrl: string;
  redisUrl: string;
  /** Every Redis key of this run starts with it. */
  redisPrefix: string;
}

export function testInfrastructure(): TestInfrastructure {
  const read = (name: string): string => {
    const value = process.env[name];
    if (!value)
      throw new Error(`${name} is not set: run these tests through jest.config.cjs (its globalSetup prepares the infrastructure)`);
    return value;
  };
  return {
    templateDatabase: read(TEST_ENV.templateDatabase),
    rabbitmqUrl: read(TEST_ENV.rabbitmqUrl),
    redisUrl: read(TEST_ENV.redisUrl),
    redisPrefix: read(TEST_ENV.redisPrefix),
  };
}
