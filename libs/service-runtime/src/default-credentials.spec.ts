import { defaultCredentialProblem, warnAboutDefaultCredentials } from './default-credentials';

describe('default infrastructure credentials', () => {
  it.each([
    ['amqp://guest:guest@rabbitmq:5672', 'guest'],
    ['amqp://rabbitmq:5672/vhost', 'guest'],
    ['amqps://guest:other@rabbitmq', 'guest'],
    ['postgresql://postgres@db:5432/users', 'no password'],
    ['postgres://db/users', 'no password'],
    ['redis://127.0.0.1:6379', 'no password'],
    ['rediss://user@redis:6380', 'no password'],
  ])('flags %s', (url, problem) => {
    expect(defaultCredentialProblem(url)).toContain(problem);
  });

  it.each([
    'amqp://user-service:S3cret@rabbitmq:5672',
    'postgresql://app:S3cret@db:5432/users',
    'redis://:S3cret@redis:6379',
    'rediss://default:S3cret@redis:6380',
    'not a url',
  ])('accepts %s', (url) => {
    expect(defaultCredentialProblem(url)).toBeUndefined();
  });

  it('warns once per setting in production only, naming the setting and never the value', () => {
    const warnings: Array<[string, object | undefined]> = [];
    const logger = { warn: (message: string, meta?: object) => void warnings.push([message, meta]) };
    const settings = {
      RABBITMQ_URL: 'amqp://guest:guest@rabbitmq:5672',
      DATABASE_URL: 'postgresql://postgres@db-internal.example:5432/users',
      REDIS_URL: 'redis://:S3cret@redis:6379',
    };
    warnAboutDefaultCredentials(logger, 'development', settings);
    expect(warnings).toEqual([]);
    warnAboutDefaultCredentials(logger, 'production', settings);
    expect(warnings.map(([, meta]) => meta)).toEqual([{ setting: 'RABBITMQ_URL' }, { setting: 'DATABASE_URL' }]);
    expect(JSON.stringify(warnings)).not.toMatch(/guest:guest|db-internal|S3cret/);
  });
});
