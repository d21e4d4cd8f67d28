import { execFileSync } from 'node:child_process';
import path from 'node:path';

type Case = [label: string, file: string, code: string];

const forbiddenLayerImports: Case[] = [
  ['domain → application', 'apps/user-service/src/domain/user/user.ts', "import { x } from '../../application/use-cases/x';"],
  ['domain → infrastructure', 'apps/user-service/src/domain/user/user.ts', "import { x } from '../../infrastructure/prisma/client';"],
  ['domain → presentation', 'apps/notification-service/src/domain/n.ts', "import { x } from '../presentation/router';"],
  ['domain → express', 'apps/user-service/src/domain/user/user.ts', "import x from 'express';"],
  ['domain → bcrypt', 'apps/user-service/src/domain/user/user.ts', "import x from 'bcrypt';"],
  ['domain → @prisma/client', 'apps/user-service/src/domain/user/user.ts', "import { x } from '@prisma/client';"],
  [
    'application → infrastructure',
    'apps/user-service/src/application/use-cases/a/a.ts',
    "import { x } from '../../../infrastructure/cache/redis-cache';",
  ],
  [
    'application → presentation',
    'apps/user-service/src/application/use-cases/a/a.ts',
    "import { x } from '../../../presentation/http/router';",
  ],
  ['application → ioredis', 'apps/user-service/src/application/a.ts', "import { x } from 'ioredis';"],
  [
    'presentation → infrastructure',
    'apps/user-service/src/presentation/http/router.ts',
    "import { x } from '../../infrastructure/prisma/client';",
  ],
].map(([label, file, code]) => [label, file, `${code}\nvoid x;\n`] as Case);

const allowedLayerImports: Case[] = [
  [
    'application → domain',
    'apps/user-service/src/application/use-cases/a/a.ts',
    "import type { User } from '../../../domain/user/user';\nexport type Y = User;\n",
  ],
  [
    'infrastructure → application',
    'apps/user-service/src/infrastructure/a.ts',
    "import type { X } from '../application/ports';\nexport type Y = X;\n",
  ],
  [
    'presentation → application',
    'apps/user-service/src/presentation/http/router.ts',
    "import type { X } from '../../application/use-cases/a/a';\nexport type Y = X;\n",
  ],
];

const forbiddenProjectImports: Case[] = [
  ['shared-kernel → express', 'libs/shared-kernel/src/x.ts', "import express from 'express';\nvoid express;\n"],
  ['resilience → ioredis', 'libs/resilience/src/x.ts', "import { Redis } from 'ioredis';\nvoid Redis;\n"],
  ['event-contracts → amqplib', 'libs/event-contracts/src/x.ts', "import * as amqp from 'amqplib';\nvoid amqp;\n"],
  ['shared-kernel → service-runtime', 'libs/shared-kernel/src/x.ts', "import { Health } from '@platform/service-runtime';\nvoid Health;\n"],
  ['resilience → testing', 'libs/resilience/src/x.ts', "import { waitFor } from '@platform/testing';\nvoid waitFor;\n"],
  ['an app → another app', 'apps/api-gateway/src/x.ts', "import '../../user-service/src/main';\n"],
  ['a lib → an app', 'libs/service-runtime/src/x.ts', "import '../../../apps/user-service/src/main';\n"],
  ['app code → testing lib', 'apps/user-service/src/main2.ts', "import { waitFor } from '@platform/testing';\nvoid waitFor;\n"],
];

const allowedProjectImports: Case[] = [
  ['an app → service-runtime', 'apps/user-service/src/main2.ts', "import { Health } from '@platform/service-runtime';\nvoid Health;\n"],
  ['event-contracts → shared-kernel', 'libs/event-contracts/src/x.ts', "import { Result } from '@platform/shared-kernel';\nvoid Result;\n"],
  ['a lib test → testing lib', 'libs/messaging/src/x.spec.ts', "import { waitFor } from '@platform/testing';\nvoid waitFor;\n"],
  [
    'an app test helper → testing lib',
    'apps/user-service/src/test/setup.ts',
    "import { waitFor } from '@platform/testing';\nvoid waitFor;\n",
  ],
];

const allCases = [...forbiddenLayerImports, ...allowedLayerImports, ...forbiddenProjectImports, ...allowedProjectImports];
let rulesByLabel: Map<string, string[]>;

beforeAll(() => {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-snippets.mjs')], {
    input: JSON.stringify(allCases.map(([, file, code]) => ({ file, code }))),
    encoding: 'utf8',
  });
  const results = JSON.parse(output) as string[][];
  rulesByLabel = new Map(allCases.map(([label], index) => [label, results[index]]));
}, 60_000);

const brokenRules = (label: string): string[] => rulesByLabel.get(label) ?? [];

describe('layering inside an app', () => {
  it.each(forbiddenLayerImports)('%s fails lint', (label) => {
    expect(brokenRules(label)).toContain('no-restricted-imports');
  });

  it.each(allowedLayerImports)('%s is allowed', (label) => {
    expect(brokenRules(label)).toEqual([]);
  });
});

describe('project boundaries (Nx tags)', () => {
  it.each(forbiddenProjectImports)('%s fails lint', (label) => {
    expect(brokenRules(label)).toContain('@nx/enforce-module-boundaries');
  });

  it.each(allowedProjectImports)('%s is allowed', (label) => {
    expect(brokenRules(label)).toEqual([]);
  });
});
