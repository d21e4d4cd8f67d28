/**
 * What is wrong with the credentials in an infrastructure URL, by its scheme, or undefined: RabbitMQ's
 * `guest` account (also implied by a URL without user, which amqplib fills in as guest:guest), and a
 * PostgreSQL or Redis URL without a password. Never returns anything from the URL itself.
 */
export function defaultCredentialProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // the config schema reports malformed URLs
  }
  const user = decodeURIComponent(parsed.username);
  const hasPassword = parsed.password !== '';
  switch (parsed.protocol) {
    case 'amqp:':
    case 'amqps:':
      return user === '' || user === 'guest' ? "uses RabbitMQ's default guest account" : undefined;
    case 'postgres:':
    case 'postgresql:':
      return hasPassword ? undefined : 'has no password (fine only with certificate or peer authentication)';
    case 'redis:':
    case 'rediss:':
      return hasPassword ? undefined : 'has no password (Redis accepts anyone who can reach it)';
    default:
      return undefined;
  }
}

/**
 * In production, one warning at start per setting that uses default or no credentials, naming the setting
 * and never its value. Not an error: a sidecar or network policy may be the real protection.
 */
export function warnAboutDefaultCredentials(
  logger: { warn(message: string, meta?: object): unknown },
  nodeEnv: string,
  settings: Readonly<Record<string, string | undefined>>,
): void {
  if (nodeEnv !== 'production') return;
  for (const [setting, url] of Object.entries(settings)) {
    const problem = url === undefined ? undefined : defaultCredentialProblem(url);
    if (problem) logger.warn(`${setting} ${problem}: set real credentials for production`, { setting });
  }
}
